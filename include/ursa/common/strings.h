#pragma once

// String helpers that take std::string_view. (Debian's abseil is built with
// its own absl::string_view, distinct from std::string_view, so ursa::strCat
// and friends do not accept std::string_view arguments.)

#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace ursa {

namespace strings_internal {
inline void append(std::string& out, std::string_view s) { out.append(s); }
inline void append(std::string& out, const char* s) { out.append(s); }
inline void append(std::string& out, char c) { out.push_back(c); }
template <typename T>
  requires(std::is_arithmetic_v<T> && !std::same_as<T, char> && !std::same_as<T, bool>)
void append(std::string& out, T v) {
  out += std::to_string(v);
}
}  // namespace strings_internal

// Concatenates strings, string views, characters and numbers.
template <typename... Args>
std::string strCat(const Args&... args) {
  std::string out;
  (strings_internal::append(out, args), ...);
  return out;
}

// Joins a range of string-like values with `sep`.
template <typename Range>
std::string strJoin(const Range& items, std::string_view sep) {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out.append(sep);
    first = false;
    strings_internal::append(out, std::string_view(item));
  }
  return out;
}

inline absl::string_view toAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view fromAbsl(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace ursa
