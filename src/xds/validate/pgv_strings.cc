// String and bytes rules, and PGV's well-known string formats.

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>

#include "re2/re2.h"
#include "src/xds/validate/pgv_internal.h"
#include "ursa/common/strings.h"

namespace ursa::xds::validate::internal {

namespace {

// Compiled patterns, kept for the life of the process (a few dozen at most).
const RE2& compiled(const std::string& pattern) {
  static std::mutex mu;
  static auto* cache = new std::map<std::string, std::unique_ptr<RE2>>();
  std::lock_guard lock(mu);
  auto& re = (*cache)[pattern];
  if (!re) re = std::make_unique<RE2>(pattern);
  return *re;
}

// PGV's `pattern` is Go's regexp.MatchString: a search, not a full match.
bool matches(const std::string& pattern, std::string_view value,
             std::vector<std::string>& problems) {
  const RE2& re = compiled(pattern);
  if (!re.ok()) {
    problems.push_back(strCat("rule pattern \"", pattern, "\" does not compile: ", re.error()));
    return true;
  }
  return RE2::PartialMatch(re2::StringPiece(value.data(), value.size()), re);
}

size_t runeCount(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

std::string quoted(std::string_view s) { return strCat("\"", s, "\""); }

// The patterns behind well_known_regex (PGV's validate.proto comments).
constexpr char kHeaderNameStrict[] = "^:?[0-9a-zA-Z!#$%&'*+-.^_|~\\x60]+$";
constexpr char kHeaderValueStrict[] = "^[^\\x00-\\x08\\x0A-\\x1F\\x7F]*$";
constexpr char kHeaderLoose[] = "^[^\\x00\\n\\r]*$";

void checkWellKnown(const ::validate::StringRules& r, std::string_view v,
                    std::vector<std::string>& problems) {
  using R = ::validate::StringRules;
  switch (r.well_known_case()) {
    case R::kEmail:
      if (r.email() && !isEmail(v)) problems.push_back("value must be a valid email address");
      break;
    case R::kHostname:
      if (r.hostname() && !isHostname(v)) problems.push_back("value must be a valid hostname");
      break;
    case R::kIp:
      if (r.ip() && !isIp(v)) problems.push_back("value must be a valid IP address");
      break;
    case R::kIpv4:
      if (r.ipv4() && !isIpv4(v)) problems.push_back("value must be a valid IPv4 address");
      break;
    case R::kIpv6:
      if (r.ipv6() && !isIpv6(v)) problems.push_back("value must be a valid IPv6 address");
      break;
    case R::kUri:
      if (r.uri() && !isUri(v)) problems.push_back("value must be an absolute URI");
      break;
    case R::kUriRef:
      if (r.uri_ref() && !isUriRef(v)) problems.push_back("value must be a valid URI reference");
      break;
    case R::kAddress:
      if (r.address() && !isIp(v) && !isHostname(v)) {
        problems.push_back("value must be a valid hostname or IP address");
      }
      break;
    case R::kUuid:
      if (r.uuid() && !isUuid(v)) problems.push_back("value must be a valid UUID");
      break;
    case R::kWellKnownRegex: {
      const char* pattern = nullptr;
      if (r.well_known_regex() == ::validate::HTTP_HEADER_NAME) {
        pattern = r.strict() ? kHeaderNameStrict : kHeaderLoose;
      } else if (r.well_known_regex() == ::validate::HTTP_HEADER_VALUE) {
        pattern = r.strict() ? kHeaderValueStrict : kHeaderLoose;
      }
      if (pattern != nullptr && !matches(pattern, v, problems)) {
        problems.push_back(strCat("value does not match regex pattern \"", pattern, "\""));
      }
      break;
    }
    case R::WELL_KNOWN_NOT_SET:
      break;
  }
}

}  // namespace

void checkString(const ::validate::StringRules& r, std::string_view v,
                 std::vector<std::string>& problems) {
  if (r.ignore_empty() && v.empty()) return;
  if (r.has_const_() && v != r.const_())
    problems.push_back(strCat("value must equal ", quoted(r.const_())));
  size_t runes = runeCount(v);
  if (r.has_len() && runes != r.len())
    problems.push_back(strCat("value length must be ", r.len(), " runes"));
  if (r.has_min_len() && runes < r.min_len()) {
    problems.push_back(strCat("value length must be at least ", r.min_len(), " runes"));
  }
  if (r.has_max_len() && runes > r.max_len()) {
    problems.push_back(strCat("value length must be at most ", r.max_len(), " runes"));
  }
  if (r.has_len_bytes() && v.size() != r.len_bytes()) {
    problems.push_back(strCat("value length must be ", r.len_bytes(), " bytes"));
  }
  if (r.has_min_bytes() && v.size() < r.min_bytes()) {
    problems.push_back(strCat("value length must be at least ", r.min_bytes(), " bytes"));
  }
  if (r.has_max_bytes() && v.size() > r.max_bytes()) {
    problems.push_back(strCat("value length must be at most ", r.max_bytes(), " bytes"));
  }
  if (r.has_pattern() && !matches(r.pattern(), v, problems)) {
    problems.push_back(strCat("value does not match regex pattern ", quoted(r.pattern())));
  }
  if (r.has_prefix() && !v.starts_with(r.prefix())) {
    problems.push_back(strCat("value does not have prefix ", quoted(r.prefix())));
  }
  if (r.has_suffix() && !v.ends_with(r.suffix())) {
    problems.push_back(strCat("value does not have suffix ", quoted(r.suffix())));
  }
  if (r.has_contains() && !contains(v, r.contains())) {
    problems.push_back(strCat("value does not contain substring ", quoted(r.contains())));
  }
  if (r.has_not_contains() && contains(v, r.not_contains())) {
    problems.push_back(strCat("value contains substring ", quoted(r.not_contains())));
  }
  if (r.in_size() > 0 && std::find(r.in().begin(), r.in().end(), v) == r.in().end()) {
    problems.push_back(strCat("value must be in list [", strJoin(r.in(), ", "), "]"));
  }
  if (std::find(r.not_in().begin(), r.not_in().end(), v) != r.not_in().end()) {
    problems.push_back(strCat("value must not be in list [", strJoin(r.not_in(), ", "), "]"));
  }
  checkWellKnown(r, v, problems);
}

void checkBytes(const ::validate::BytesRules& r, std::string_view v,
                std::vector<std::string>& problems) {
  if (r.ignore_empty() && v.empty()) return;
  if (r.has_const_() && v != r.const_()) problems.push_back("value must equal the constant bytes");
  if (r.has_len() && v.size() != r.len())
    problems.push_back(strCat("value length must be ", r.len(), " bytes"));
  if (r.has_min_len() && v.size() < r.min_len()) {
    problems.push_back(strCat("value length must be at least ", r.min_len(), " bytes"));
  }
  if (r.has_max_len() && v.size() > r.max_len()) {
    problems.push_back(strCat("value length must be at most ", r.max_len(), " bytes"));
  }
  if (r.has_pattern() && !matches(r.pattern(), v, problems)) {
    problems.push_back(strCat("value does not match regex pattern ", quoted(r.pattern())));
  }
  if (r.has_prefix() && !v.starts_with(r.prefix()))
    problems.push_back("value does not have the required prefix");
  if (r.has_suffix() && !v.ends_with(r.suffix()))
    problems.push_back("value does not have the required suffix");
  if (r.has_contains() && !contains(v, r.contains()))
    problems.push_back("value does not contain the required bytes");
  if (r.in_size() > 0 && std::find(r.in().begin(), r.in().end(), v) == r.in().end()) {
    problems.push_back("value must be one of the listed byte strings");
  }
  if (std::find(r.not_in().begin(), r.not_in().end(), v) != r.not_in().end()) {
    problems.push_back("value must not be one of the listed byte strings");
  }
  using R = ::validate::BytesRules;
  if (r.well_known_case() == R::kIp && r.ip() && v.size() != 4 && v.size() != 16) {
    problems.push_back("value must be a valid IP address (4 or 16 bytes)");
  } else if (r.well_known_case() == R::kIpv4 && r.ipv4() && v.size() != 4) {
    problems.push_back("value must be a valid IPv4 address (4 bytes)");
  } else if (r.well_known_case() == R::kIpv6 && r.ipv6() && v.size() != 16) {
    problems.push_back("value must be a valid IPv6 address (16 bytes)");
  }
}

// PGV's _validateHostname: at most 253 characters (a trailing dot aside),
// labels of 1 to 63 letters, digits and hyphens, not starting or ending with one.
bool isHostname(std::string_view s) {
  if (s.ends_with('.')) s.remove_suffix(1);
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('.', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view label = s.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

bool isIpv4(std::string_view s) {
  unsigned char buf[sizeof(struct in_addr)];
  return inet_pton(AF_INET, std::string(s).c_str(), buf) == 1;
}

bool isIpv6(std::string_view s) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET6, std::string(s).c_str(), buf) == 1;
}

bool isIp(std::string_view s) { return isIpv4(s) || isIpv6(s); }

// local@host: a local part of 1 to 64 characters and a valid hostname, 254 at most.
bool isEmail(std::string_view s) {
  if (s.starts_with('<') && s.ends_with('>')) s = s.substr(1, s.size() - 2);
  size_t at = s.rfind('@');
  if (s.size() > 254 || at == std::string_view::npos || at == 0 || at > 64) return false;
  return isHostname(s.substr(at + 1));
}

bool isUriRef(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c <= 0x20 || c == 0x7F) return false;
    if (c == '%') {
      if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        return false;
      }
    }
  }
  return true;
}

bool isUri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      !std::isalpha(static_cast<unsigned char>(s[0]))) {
    return false;
  }
  for (char c : s.substr(0, colon)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
      return false;
  }
  return isUriRef(s);
}

bool isUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace ursa::xds::validate::internal
