#include "src/cli/table.h"

#include <algorithm>

#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

constexpr size_t kPadding = 3;
constexpr size_t kMinWidth = 1;

// Column widths over the header and every row; the last column of a line is
// never padded, so only cells followed by another cell count.
std::vector<size_t> columnWidths(const std::vector<const std::vector<std::string>*>& lines) {
  std::vector<size_t> widths;
  for (const auto* line : lines) {
    if (line->size() < 2) continue;
    if (widths.size() < line->size() - 1) widths.resize(line->size() - 1, kMinWidth);
    for (size_t i = 0; i + 1 < line->size(); ++i) {
      widths[i] = std::max(widths[i], displayWidth((*line)[i]) + kPadding);
    }
  }
  return widths;
}

void writeLine(std::string& out, const std::vector<std::string>& cells,
               const std::vector<size_t>& widths) {
  for (size_t i = 0; i < cells.size(); ++i) {
    out += cells[i];
    if (i + 1 == cells.size()) break;
    out.append(widths[i] - std::min(widths[i], displayWidth(cells[i])), ' ');
  }
  out += '\n';
}

}  // namespace

size_t displayWidth(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string renderTable(const Table& table) {
  std::vector<const std::vector<std::string>*> lines;
  if (!table.headers.empty()) lines.push_back(&table.headers);
  for (const auto& row : table.rows) lines.push_back(&row);
  std::vector<size_t> widths = columnWidths(lines);
  std::string out;
  for (const auto* line : lines) writeLine(out, *line, widths);
  if (!table.footer.empty()) out += strCat("\n", table.footer, "\n");
  return out;
}

std::string formatDuration(absl::Duration d) {
  int64_t seconds = absl::ToInt64Seconds(d);  // truncates toward zero, like Go's int()
  if (seconds < -1) return "never";
  if (seconds < 0) return "0s";
  if (seconds < 60) return strCat(seconds, "s");
  int64_t minutes = seconds / 60;
  if (minutes < 60) return strCat(minutes, "m");
  int64_t hours = minutes / 60;
  if (hours < 24) return strCat(hours, "h");
  if (hours < 24 * 365) return strCat(hours / 24, "d");
  return strCat(hours / 24 / 365, "y");
}

std::string formatAge(absl::Time since, absl::Time now) { return formatDuration(now - since); }

std::string formatAgo(std::optional<absl::Time> t, absl::Time now) {
  return t ? formatDuration(now - *t) : "never";
}

std::string formatDate(std::optional<absl::Time> t, absl::TimeZone zone) {
  if (!t) return "-";
  return std::string(fromAbsl(absl::FormatTime("%Y-%m-%d %H:%M:%S", *t, zone)));
}

absl::StatusOr<absl::Time> parseTime(std::string_view text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, toAbsl(text), &t, &err)) {
    return absl::InvalidArgumentError(strCat("\"", text, "\" is not an RFC 3339 time: ", err));
  }
  return t;
}

}  // namespace ursa::cli
