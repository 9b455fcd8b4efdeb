#include "src/model/validators/mesh_helpers.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <regex>
#include <vector>

#include "src/model/codec/well_known.h"
#include "src/model/validators/common.h"
#include "ursa/common/strings.h"
#include "ursa/model/codec.h"

namespace ursa::model::validators {
namespace {

// Go's url.validOptionalPort: empty, or ':' followed by digits only.
bool validOptionalPort(std::string_view colon_port) {
  if (colon_port.empty()) return true;
  if (colon_port[0] != ':') return false;
  colon_port.remove_prefix(1);
  return std::all_of(colon_port.begin(), colon_port.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

bool isHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Every '%' of `s` starts a valid escape (%XX).
bool validEscapes(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size() || !isHex(s[i + 1]) || !isHex(s[i + 2])) return false;
    i += 2;
  }
  return true;
}

// Characters Go's URL parser accepts unescaped in a host.
bool validHostChars(std::string_view host) {
  static constexpr std::string_view kAllowed = "!$&'()*+,;=:[]<>\"-_.~%";
  return std::all_of(host.begin(), host.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || std::isalnum(u) || kAllowed.find(c) != std::string_view::npos;
  });
}

bool validUserinfo(std::string_view s) {
  static constexpr std::string_view kAllowed = "-._:~!$&'()*+,;=%@";
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kAllowed.find(c) != std::string_view::npos;
  });
}

// Go's url.parseHost, reduced to accept/refuse.
bool validUrlHost(std::string_view host) {
  if (!host.empty() && host[0] == '[') {
    size_t close = host.rfind(']');
    if (close == std::string_view::npos) return false;
    if (!validOptionalPort(host.substr(close + 1))) return false;
  } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    if (!validOptionalPort(host.substr(colon))) return false;
  }
  return validHostChars(host) && validEscapes(host);
}

// The port of a URL's host, as Go's URL.Port() reports it.
std::string urlPort(std::string_view host) {
  size_t colon = host.rfind(':');
  if (colon == std::string_view::npos || !validOptionalPort(host.substr(colon))) return "";
  return std::string(host.substr(colon + 1));
}

// Go's getScheme: the scheme and the rest, or nullopt for a leading ':'.
std::optional<std::pair<std::string_view, std::string_view>> splitScheme(std::string_view url) {
  for (size_t i = 0; i < url.size(); ++i) {
    char c = url[i];
    if (std::isalpha(static_cast<unsigned char>(c))) continue;
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.') {
      if (i == 0) break;
      continue;
    }
    if (c == ':') {
      if (i == 0) return std::nullopt;
      return std::make_pair(url.substr(0, i), url.substr(i + 1));
    }
    break;
  }
  return std::make_pair(std::string_view(), url);
}

// --- Envoy access log format strings, as Kuma parses them ---------------------

// One command operator: %COMMAND(ARGS):LIMIT%, the args and limit optional.
struct Command {
  std::string_view token;  // the whole operator, both '%' included
  std::string_view name;
  std::string_view args;
  std::string_view limit;
};

bool isCommandChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

// Matches a command operator at the start of `tail` (which starts with '%').
std::optional<Command> matchCommand(std::string_view tail) {
  size_t i = 1;
  while (i < tail.size() && isCommandChar(tail[i])) ++i;
  if (i == 1) return std::nullopt;
  Command cmd;
  cmd.name = tail.substr(1, i - 1);
  if (i < tail.size() && tail[i] == '(') {
    size_t close = tail.find(')', i);
    if (close == std::string_view::npos) return std::nullopt;
    cmd.args = tail.substr(i + 1, close - i - 1);
    i = close + 1;
  }
  if (i < tail.size() && tail[i] == ':') {
    size_t start = ++i;
    while (i < tail.size() && tail[i] >= '0' && tail[i] <= '9') ++i;
    if (i == start) return std::nullopt;
    cmd.limit = tail.substr(start, i - start);
  }
  if (i >= tail.size() || tail[i] != '%') return std::nullopt;
  cmd.token = tail.substr(0, i + 1);
  return cmd;
}

// How Kuma names a command in its messages.
std::string describeCommand(std::string_view name) {
  if (name == "REQ" || name == "RESP" || name == "TRAILER") return ursa::strCat("%", name, "(X?Y):Z%");
  if (name == "DYNAMIC_METADATA") return "%DYNAMIC_METADATA(NAMESPACE:KEY*):Z%";
  if (name == "FILTER_STATE") return "%FILTER_STATE(KEY):Z%";
  if (name == "GRPC_STATUS") return "%CMD_GRPC_STATUS%";
  return ursa::strCat("%", name, "%");
}

// The operator has neither arguments nor parentheses: %NAME% or %NAME:N%.
bool hasNoArguments(const Command& cmd) {
  return cmd.args.empty() && cmd.token.find('(') == std::string_view::npos;
}

std::optional<std::string> limitError(const Command& cmd) {
  // Go's strconv.Atoi refuses values beyond int64.
  std::string_view digits = cmd.limit;
  while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
  if (digits.size() < 19 || (digits.size() == 19 && digits <= "9223372036854775807")) {
    return std::nullopt;
  }
  return ursa::strCat("length must be an integer, instead got ", goQuote(cmd.limit), " in ",
                      goQuote(cmd.token));
}

std::optional<std::string> headerCommandError(const Command& cmd) {
  if (hasNoArguments(cmd)) {
    return ursa::strCat("command ", goQuote(describeCommand(cmd.name)),
                        " requires a header and optional alternative header names as its "
                        "arguments, instead got ",
                        goQuote(cmd.token));
  }
  if (auto err = limitError(cmd)) return err;
  if (std::count(cmd.args.begin(), cmd.args.end(), '?') > 1) {
    return ursa::strCat("more than 1 alternative header specified in ", goQuote(cmd.token));
  }
  if (cmd.args.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) {
    return ursa::strCat("header name contains a newline in ", goQuote(cmd.token));
  }
  return std::nullopt;
}

std::optional<std::string> commandError(const Command& cmd) {
  const std::string_view name = cmd.name;
  if (name == "REQ" || name == "RESP" || name == "TRAILER") return headerCommandError(cmd);
  if (name == "DYNAMIC_METADATA" || name == "FILTER_STATE") {
    if (auto err = limitError(cmd)) return err;
    bool missing = name == "FILTER_STATE" ? cmd.args.empty() : hasNoArguments(cmd);
    if (!missing) return std::nullopt;
    return ursa::strCat("command ", goQuote(describeCommand(name)),
                        name == "FILTER_STATE"
                            ? " requires a key as its argument, instead got "
                            : " requires a filter namespace and optional path as its arguments, "
                              "instead got ",
                        goQuote(cmd.token));
  }
  if (name == "START_TIME") {
    // Kuma refuses strftime specifiers that would print a newline (%n).
    static const std::regex kNewline("%[-_0^#]*[1-9]*n");
    if (std::regex_search(cmd.args.begin(), cmd.args.end(), kNewline)) {
      return ursa::strCat("start time format string contains a newline in ", goQuote(cmd.token));
    }
    return std::nullopt;
  }
  if (cmd.token.size() != name.size() + 2) {
    return ursa::strCat("command ", goQuote(describeCommand(name)),
                        " doesn't support arguments or max length constraint, instead got ",
                        goQuote(cmd.token));
  }
  return std::nullopt;
}

}  // namespace

std::string goQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\a': out += "\\a"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\v': out += "\\v"; continue;
      default: break;
    }
    if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void validatePort(uint64_t port, const FieldPath& at, Violations& out) {
  if (port == 0 || port > 65535) out.add(at, "port must be in the range [1, 65535]");
}

std::optional<HostPort> splitHostPort(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;  // missing port
  std::string_view host;
  size_t no_open_from = 0;   // no '[' from here on
  size_t no_close_from = 0;  // no ']' from here on
  if (address[0] == '[') {
    size_t close = address.find(']');
    // The first ']' must come just before the last ':'.
    if (close == std::string_view::npos || close + 1 != colon) return std::nullopt;
    host = address.substr(1, close - 1);
    no_open_from = 1;
    no_close_from = close + 1;
  } else {
    host = address.substr(0, colon);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // too many colons
  }
  if (address.find('[', no_open_from) != std::string_view::npos) return std::nullopt;
  if (address.find(']', no_close_from) != std::string_view::npos) return std::nullopt;
  return HostPort{std::string(host), std::string(address.substr(colon + 1))};
}

bool isDnsName(std::string_view s) {
  static const std::regex kDnsName(
      "^([a-zA-Z0-9_]{1}[a-zA-Z0-9_-]{0,62}){1}(\\.[a-zA-Z0-9_]{1}[a-zA-Z0-9_-]{0,62})*[\\._]?$");
  size_t non_dots = s.size() - static_cast<size_t>(std::count(s.begin(), s.end(), '.'));
  if (s.empty() || non_dots > 255) return false;
  return !isValidIp(s) && std::regex_match(s.begin(), s.end(), kDnsName);
}

std::optional<std::string> requestUriPort(std::string_view url) {
  if (std::any_of(url.begin(), url.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
      })) {
    return std::nullopt;
  }
  auto split = splitScheme(url);
  if (!split) return std::nullopt;
  auto [scheme, rest] = *split;
  rest = rest.substr(0, rest.find('?'));
  if (rest.empty() || rest[0] != '/') {
    if (scheme.empty()) return std::nullopt;  // neither absolute nor an absolute path
    return std::string();                     // opaque: no host, no port
  }
  std::string host;
  if (!scheme.empty() && rest.substr(0, 2) == "//") {
    std::string_view authority = rest.substr(2);
    size_t slash = authority.find('/');
    rest = slash == std::string_view::npos ? std::string_view() : authority.substr(slash);
    authority = authority.substr(0, slash);
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      if (!validUserinfo(authority.substr(0, at)) || !validEscapes(authority.substr(0, at))) {
        return std::nullopt;
      }
      authority = authority.substr(at + 1);
    }
    if (!validUrlHost(authority)) return std::nullopt;
    host = std::string(authority);
  }
  if (!validEscapes(rest)) return std::nullopt;
  return urlPort(host);
}

std::optional<absl::Duration> parseKumaDuration(std::string_view s) {
  if (s == "0") return absl::ZeroDuration();
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  std::string_view number = s.substr(0, digits);
  std::string_view unit = s.substr(digits);
  if (number.empty()) return std::nullopt;
  absl::Duration one;
  if (unit == "y") {
    one = absl::Hours(24 * 365);
  } else if (unit == "w") {
    one = absl::Hours(24 * 7);
  } else if (unit == "d") {
    one = absl::Hours(24);
  } else if (unit == "h") {
    one = absl::Hours(1);
  } else if (unit == "m") {
    one = absl::Minutes(1);
  } else if (unit == "s") {
    one = absl::Seconds(1);
  } else if (unit == "ms") {
    one = absl::Milliseconds(1);
  } else {
    return std::nullopt;
  }
  // Numbers too large for int64 saturate; Kuma only checks the format.
  int64_t n = 0;
  for (char c : number) {
    n = n > (INT64_MAX - 9) / 10 ? INT64_MAX : n * 10 + (c - '0');
  }
  return one * n;
}

void validateDataSource(const ursa::system::v1alpha1::DataSource& ds, const FieldPath& at,
                        Violations& out) {
  using ursa::system::v1alpha1::DataSource;
  bool has_data = false;
  switch (ds.type_case()) {
    case DataSource::kSecret: has_data = !ds.secret().empty(); break;
    case DataSource::kFile: has_data = !ds.file().empty(); break;
    case DataSource::kInline: has_data = !ds.inline_().value().empty(); break;
    case DataSource::kInlineString: has_data = !ds.inlinestring().empty(); break;
    case DataSource::TYPE_NOT_SET: break;
  }
  if (!has_data) out.add(at, "data source cannot be empty");
}

bool decodeBackendConf(const google::protobuf::Struct& conf, google::protobuf::Message& typed,
                       const FieldPath& at, Violations& out) {
  DecodeOptions options;
  options.allow_unknown_fields = true;
  Violations problems;
  decodeMessage(structToJson(conf), typed, FieldPath(), options, problems);
  if (problems.empty()) return true;
  out.add(at, ursa::strCat("could not parse config: ", problems.toString()));
  return false;
}

void validateTagMap(const google::protobuf::Map<std::string, std::string>& tags,
                    const FieldPath& at, const TagMapRules& rules, Violations& out) {
  if (rules.require_at_least_one && tags.empty()) out.add(at, "must have at least one tag");
  std::vector<std::string> keys;
  for (const auto& [key, _] : tags) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  for (const auto& key : keys) {
    const std::string& value = tags.at(key);
    if (key.empty()) out.add(at, "tag name must be non-empty");
    if (!isValidTagName(key)) {
      out.add(at.key(key),
              "tag name must consist of alphanumeric characters, dots, dashes, slashes and "
              "underscores");
    }
    if (value.empty()) out.add(at.key(key), "tag value must be non-empty");
    if (rules.selector && value != "*" && !isValidTagName(value)) {
      out.add(at.key(key),
              "tag value must consist of alphanumeric characters, dots, dashes, slashes and "
              "underscores or be \"*\"");
    } else if (!rules.selector && !isValidTagValue(value)) {
      out.add(at.key(key),
              "tag value must consist of alphanumeric characters, dots, dashes and underscores");
    }
  }
  if (rules.require_service && !tags.contains("kuma.io/service")) {
    out.add(at, "mandatory tag \"kuma.io/service\" is missing");
  }
}

void validateProtocolTag(const google::protobuf::Map<std::string, std::string>& tags,
                         const FieldPath& at, Violations& out) {
  static constexpr std::string_view kTag = "kuma.io/protocol";
  static const std::vector<std::string> kProtocols = {"grpc", "http", "http2", "kafka", "tcp"};
  auto it = tags.find(std::string(kTag));
  if (it == tags.end()) return;
  if (std::find(kProtocols.begin(), kProtocols.end(), it->second) != kProtocols.end()) return;
  out.add(at.key(kTag), ursa::strCat("tag ", goQuote(kTag), " has an invalid value ",
                                     goQuote(it->second),
                                     ". Allowed values: ", ursa::strJoin(kProtocols, ", ")));
}

std::optional<std::string> accessLogFormatError(std::string_view format) {
  for (size_t pos = 0; pos < format.size(); ++pos) {
    if (format[pos] != '%') continue;
    std::string_view tail = format.substr(pos);
    auto cmd = matchCommand(tail);
    if (!cmd) {
      return ursa::strCat("format string is not valid: expected a command operator to start at "
                          "position ",
                          pos + 1, ", instead got: ", goQuote(tail));
    }
    if (auto err = commandError(*cmd)) return ursa::strCat("format string is not valid: ", *err);
    pos += cmd->token.size() - 1;
  }
  return std::nullopt;
}

}  // namespace ursa::model::validators
