#pragma once

// Table output as kumactl (and kubectl) print it: Go's tabwriter with a
// minimum cell width of 1 and 3 spaces of padding, cells left-aligned, the
// last column unpadded, an optional footer after a blank line. Widths count
// UTF-8 code points, as tabwriter counts runes.
//
// Times as kumactl shows them: AGE-like durations ("5s", "3m", "2h", "4d",
// "1y") and dates ("2006-01-02 15:04:05").

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "ursa/common/status.h"

namespace ursa::cli {

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  std::string footer;  // printed after a blank line when not empty
};

std::string renderTable(const Table& table);

// kumactl's table.Duration: whole seconds under a minute, then whole minutes,
// hours, days (under a year) and years; "0s" for slightly negative durations
// (clock skew), "never" below -1s.
std::string formatDuration(absl::Duration d);
// The AGE of something last modified at `since`.
std::string formatAge(absl::Time since, absl::Time now);
// "never" when `t` is absent, else formatDuration(now - t).
std::string formatAgo(std::optional<absl::Time> t, absl::Time now);
// "2006-01-02 15:04:05" in `zone`, "-" when absent.
std::string formatDate(std::optional<absl::Time> t, absl::TimeZone zone);

// Parses an RFC 3339 timestamp ("2024-04-02T10:00:00.123Z").
absl::StatusOr<absl::Time> parseTime(std::string_view text);

// The number of UTF-8 code points in `s`.
size_t displayWidth(std::string_view s);

}  // namespace ursa::cli
