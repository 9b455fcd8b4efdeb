#include "src/model/validators/policy_helpers_b.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "google/protobuf/util/json_util.h"
#include "ursa/common/strings.h"
#include "ursa/model/codec.h"

namespace ursa::model::validators {

void checkEnum(std::string_view value, std::initializer_list<std::string_view> allowed,
               bool required, const FieldPath& at, Violations& out) {
  if (value.empty()) {
    if (required) out.add(at, std::string(kMustBeDefined));
    return;
  }
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  out.add(at, ursa::strCat("unknown value \"", value,
                           "\"; allowed values: ", ursa::strJoin(allowed, ", ")));
}

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool allDigits(std::string_view s) { return std::all_of(s.begin(), s.end(), isDigit); }

// A host name as the collector URL check takes it: dot-separated labels of
// letters, digits, '-' and '_' (and non-ASCII bytes), each starting and
// ending with a letter, a digit or a non-ASCII byte; one trailing dot allowed.
bool isLooseHostname(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return false;
  auto edgeOk = [](char c) { return isAlnum(c) || static_cast<unsigned char>(c) >= 0x80; };
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    std::string_view label =
        host.substr(start, dot == std::string_view::npos ? host.size() - start : dot - start);
    if (label.empty() || !edgeOk(label.front()) || !edgeOk(label.back())) return false;
    for (char c : label) {
      if (!edgeOk(c) && c != '-' && c != '_') return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

// Splits "host[:port]" or "[v6]:port". Returns false when malformed.
bool splitHostPort(std::string_view authority, std::string_view& host, std::string_view& port,
                   bool& has_port) {
  has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(0, close + 1);
    std::string_view rest = authority.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    has_port = true;
    port = rest.substr(1);
    return true;
  }
  size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    host = authority;
    return true;
  }
  has_port = true;
  host = authority.substr(0, colon);
  port = authority.substr(colon + 1);
  return true;
}

bool isBracketedIpv6(std::string_view host) {
  return host.size() > 2 && host.front() == '[' && host.back() == ']' &&
         isValidIp(host.substr(1, host.size() - 2));
}

}  // namespace

bool isCollectorUrl(std::string_view s) {
  if (s.size() <= 3 || s.size() >= 2083 || s.front() == '.') return false;
  if (std::any_of(s.begin(), s.end(), isSpace)) return false;
  std::string_view rest = s;
  bool has_scheme = false;
  if (size_t sep = rest.find("://"); sep != std::string_view::npos) {
    static constexpr std::array<std::string_view, 7> kSchemes = {
        "ftp", "tcp", "udp", "ws", "wss", "http", "https",
    };
    if (std::find(kSchemes.begin(), kSchemes.end(), rest.substr(0, sep)) == kSchemes.end()) {
      return false;
    }
    has_scheme = true;
    rest = rest.substr(sep + 3);
  }
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    if (at == 0) return false;
    authority = authority.substr(at + 1);
  }
  std::string_view host, port;
  bool has_port = false;
  if (!splitHostPort(authority, host, port, has_port)) return false;
  if (has_port && (port.empty() || port.size() > 5 || !allDigits(port))) return false;
  if (!isBracketedIpv6(host) && !isLooseHostname(host)) return false;
  // Without a scheme or a port, Go reads a bare word as a relative path and
  // only accepts it when it holds a dot.
  if (!has_scheme && !has_port && host.find('.') == std::string_view::npos &&
      tail.find('.') == std::string_view::npos) {
    return false;
  }
  return true;
}

bool isAbsoluteFilePath(std::string_view s) {
  if (!s.empty() && s.front() == '/') {
    return s.find('\0') == std::string_view::npos;
  }
  // Windows: a drive letter, ":\", then names without \ / : * ? " < > | or
  // line breaks, separated by backslashes.
  if (s.size() < 3 || !std::isalpha(static_cast<unsigned char>(s[0])) || s[1] != ':' ||
      s[2] != '\\') {
    return false;
  }
  std::string_view rest = s.substr(3);
  if (rest.find("\\\\") != std::string_view::npos) return false;
  return rest.find_first_of("/:*?\"<>|\r\n") == std::string_view::npos;
}

namespace {

// The scheme of a URI, when `s` starts with one ("http:"); sets `error` when
// it starts with ':'.
std::string_view schemeOf(std::string_view s, bool& error) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (std::isalpha(static_cast<unsigned char>(c))) continue;
    if (isDigit(c) || c == '+' || c == '-' || c == '.') {
      if (i == 0) return {};
      continue;
    }
    if (c == ':') {
      if (i == 0) error = true;
      return s.substr(0, i);
    }
    return {};
  }
  return {};
}

bool parseAuthority(std::string_view authority, RequestUri& out) {
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    out.has_user = true;
    authority = authority.substr(at + 1);
  }
  std::string_view host, port;
  bool has_port = false;
  if (!splitHostPort(authority, host, port, has_port)) return false;
  if (has_port && !allDigits(port)) return false;
  if (std::any_of(host.begin(), host.end(), [](char c) { return c == '/' || c == '\\'; })) {
    return false;
  }
  out.host = std::string(host);
  out.port = std::string(port);
  return true;
}

}  // namespace

std::optional<RequestUri> parseRequestUri(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (std::any_of(s.begin(), s.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return std::nullopt;
  }
  RequestUri out;
  bool error = false;
  std::string_view scheme = schemeOf(s, error);
  if (error) return std::nullopt;
  std::string_view rest = scheme.empty() ? s : s.substr(scheme.size() + 1);
  for (char c : scheme) {
    out.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    out.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  if (rest.empty() || rest.front() != '/') return std::nullopt;
  if (!scheme.empty() && rest.substr(0, 2) == "//") {
    rest = rest.substr(2);
    size_t slash = rest.find('/');
    if (!parseAuthority(rest.substr(0, slash), out)) return std::nullopt;
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  out.path = std::string(rest);
  return out;
}

std::optional<std::string> envoyResourceError(std::string_view text,
                                              google::protobuf::Message& into) {
  auto doc = parseYaml(text);
  if (!doc.ok()) return std::string(ursa::fromAbsl(doc.status().message()));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(doc->dump(), &into, options);
  if (!status.ok()) return status.message().ToString();
  return std::nullopt;
}

}  // namespace ursa::model::validators
