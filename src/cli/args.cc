#include "src/cli/args.h"

#include "ursa/common/strings.h"

namespace ursa::cli {

absl::StatusOr<std::map<std::string, std::string>> parseKeyValues(
    std::string_view flag, const std::vector<std::string>& values) {
  std::map<std::string, std::string> out;
  for (const std::string& value : values) {
    std::vector<std::string> pairs;
    std::string_view rest = value;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view piece = rest.substr(0, comma);
      if (!pairs.empty() && piece.find('=') == std::string_view::npos) {
        pairs.back() += strCat(",", piece);  // a comma inside a value
      } else {
        pairs.emplace_back(piece);
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    for (const std::string& pair : pairs) {
      size_t eq = pair.find('=');
      if (eq == std::string::npos || eq == 0) {
        return absl::InvalidArgumentError(strCat("invalid argument \"", value, "\" for \"", flag,
                                                 "\": \"", pair,
                                                 "\" must be formatted as key=value"));
      }
      out[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
  }
  return out;
}

std::vector<std::string> splitList(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& value : values) {
    std::string_view rest = value;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      if (!item.empty()) out.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

absl::StatusOr<absl::Duration> parseDuration(std::string_view flag, std::string_view text,
                                             bool positive) {
  absl::Duration d;
  bool parsed =
      !text.empty() && text != "inf" && text != "-inf" && absl::ParseDuration(toAbsl(text), &d);
  if (!parsed || d < absl::ZeroDuration() || (positive && d == absl::ZeroDuration())) {
    return absl::InvalidArgumentError(strCat("invalid argument \"", text, "\" for \"", flag,
                                             "\": expected a ", positive ? "positive " : "",
                                             "duration such as 24h, 1h30m or 90s"));
  }
  return d;
}

std::string goDuration(absl::Duration d) {
  if (d == absl::ZeroDuration()) return "0s";
  int64_t ns = absl::ToInt64Nanoseconds(d);
  int64_t hours = ns / 3'600'000'000'000;
  ns %= 3'600'000'000'000;
  int64_t minutes = ns / 60'000'000'000;
  ns %= 60'000'000'000;
  std::string seconds = std::to_string(ns / 1'000'000'000);
  if (int64_t frac = ns % 1'000'000'000; frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 9 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    seconds += "." + digits;
  }
  if (hours > 0) return strCat(hours, "h", minutes, "m", seconds, "s");
  if (minutes > 0) return strCat(minutes, "m", seconds, "s");
  return seconds + "s";
}

}  // namespace ursa::cli
