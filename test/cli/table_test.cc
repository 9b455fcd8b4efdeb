// Table layout and time formatting (src/cli/table.h), as kumactl prints them.

#include "src/cli/table.h"

#include <gtest/gtest.h>

namespace ursa::cli {
namespace {

TEST(TableTest, ColumnsAreAsWideAsTheirWidestCellPlusThreeAndTheLastIsNotPadded) {
  Table t{.headers = {"NAME", "mTLS", "AGE"},
          .rows = {{"default", "off", "5s"}, {"a", "builtin/ca-1", "3m"}}};
  EXPECT_EQ(renderTable(t),
            "NAME      mTLS           AGE\n"
            "default   off            5s\n"
            "a         builtin/ca-1   3m\n");
}

TEST(TableTest, EmptyCellsStillTakeThePadding) {
  Table t{.headers = {"ACTIVE", "NAME", "ADDRESS"},
          .rows = {{"", "local", "http://localhost:5681"}, {"*", "cp-2", "https://cp:5682"}}};
  EXPECT_EQ(renderTable(t),
            "ACTIVE   NAME    ADDRESS\n"
            "         local   http://localhost:5681\n"
            "*        cp-2    https://cp:5682\n");
}

TEST(TableTest, WidthsCountCharactersNotBytes) {
  Table t{.headers = {"A", "B"}, .rows = {{"żółw", "x"}, {"ab", "y"}}};
  EXPECT_EQ(renderTable(t), "A      B\nżółw   x\nab     y\n");
}

TEST(TableTest, FooterFollowsABlankLine) {
  Table t{
      .headers = {"NAME", "AGE"}, .rows = {{"a", "1s"}}, .footer = "Rerun command with --offset=1"};
  EXPECT_EQ(renderTable(t), "NAME   AGE\na      1s\n\nRerun command with --offset=1\n");
}

TEST(TableTest, HeadersAloneWhenThereAreNoRows) {
  EXPECT_EQ(renderTable({.headers = {"MESH", "NAME", "AGE"}}), "MESH   NAME   AGE\n");
}

TEST(TableTest, DurationsAreWholeUnitsLikeKubectl) {
  EXPECT_EQ(formatDuration(absl::ZeroDuration()), "0s");
  EXPECT_EQ(formatDuration(absl::Milliseconds(59999)), "59s");
  EXPECT_EQ(formatDuration(absl::Seconds(60)), "1m");
  EXPECT_EQ(formatDuration(absl::Minutes(59) + absl::Seconds(59)), "59m");
  EXPECT_EQ(formatDuration(absl::Hours(1)), "1h");
  EXPECT_EQ(formatDuration(absl::Hours(23) + absl::Minutes(59)), "23h");
  EXPECT_EQ(formatDuration(absl::Hours(24)), "1d");
  EXPECT_EQ(formatDuration(absl::Hours(24 * 364 + 23)), "364d");
  EXPECT_EQ(formatDuration(absl::Hours(24 * 365)), "1y");
  EXPECT_EQ(formatDuration(absl::Hours(24 * 365 * 3 + 5)), "3y");
}

TEST(TableTest, NegativeDurationsFromClockSkew) {
  EXPECT_EQ(formatDuration(absl::Milliseconds(-500)), "0s");
  EXPECT_EQ(formatDuration(absl::Milliseconds(-1999)), "0s");
  EXPECT_EQ(formatDuration(absl::Seconds(-2)), "never");
}

TEST(TableTest, AgeAgoAndDates) {
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  EXPECT_EQ(formatAge(now - absl::Minutes(3), now), "3m");
  EXPECT_EQ(formatAgo(std::nullopt, now), "never");
  EXPECT_EQ(formatAgo(now - absl::Hours(50), now), "2d");
  EXPECT_EQ(formatDate(std::nullopt, absl::UTCTimeZone()), "-");
  EXPECT_EQ(formatDate(now, absl::UTCTimeZone()), "2023-11-14 22:13:20");
}

TEST(TableTest, ParsesRfc3339Times) {
  auto t = parseTime("2024-04-02T10:00:00.123456789Z");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(absl::ToUnixSeconds(*t), 1712052000);
  auto offset = parseTime("2024-04-02T12:00:00+02:00");
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(absl::ToUnixSeconds(*offset), 1712052000);
  EXPECT_FALSE(parseTime("yesterday").ok());
  EXPECT_FALSE(parseTime("").ok());
}

}  // namespace
}  // namespace ursa::cli
