// Flag value parsing shared by the commands (src/cli/args.h).

#include "src/cli/args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ursa::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(ArgsTest, KeyValuesAreRepeatableAndCommaSeparated) {
  auto kv = parseKeyValues("--var", {"a=1", "b=2,c=3", "a=4"});
  ASSERT_TRUE(kv.ok()) << kv.status();
  EXPECT_THAT(*kv, ElementsAre(Pair("a", "4"), Pair("b", "2"), Pair("c", "3")));
}

TEST(ArgsTest, ValuesMayHoldCommasAndEqualsSigns) {
  auto kv = parseKeyValues("--var", {"list=a,b,c", "expr=x=y"});
  ASSERT_TRUE(kv.ok()) << kv.status();
  EXPECT_THAT(*kv, ElementsAre(Pair("expr", "x=y"), Pair("list", "a,b,c")));
  auto empty = parseKeyValues("--var", {"k="});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->at("k"), "");
}

TEST(ArgsTest, PairsWithoutKeyOrEqualsAreRefused) {
  for (std::string bad : {"novalue", "=x", ""}) {
    auto kv = parseKeyValues("--tag", {bad});
    ASSERT_FALSE(kv.ok()) << bad;
    EXPECT_THAT(std::string(kv.status().message()), HasSubstr("for \"--tag\""));
    EXPECT_THAT(std::string(kv.status().message()), HasSubstr("key=value"));
  }
}

TEST(ArgsTest, ListsSplitOnCommas) {
  EXPECT_THAT(splitList({"a,b", "c", ",d,"}), ElementsAre("a", "b", "c", "d"));
}

TEST(ArgsTest, DurationsParseLikeGo) {
  EXPECT_EQ(*parseDuration("--valid-for", "24h", true), absl::Hours(24));
  EXPECT_EQ(*parseDuration("--valid-for", "1h30m", true), absl::Minutes(90));
  EXPECT_EQ(*parseDuration("--api-timeout", "0", false), absl::ZeroDuration());
  for (std::string bad : {"", "24", "tomorrow", "-1h", "inf"}) {
    EXPECT_FALSE(parseDuration("--valid-for", bad, true).ok()) << bad;
  }
  EXPECT_FALSE(parseDuration("--valid-for", "0s", true).ok());
}

TEST(ArgsTest, GoDurationFormat) {
  EXPECT_EQ(goDuration(absl::Hours(24)), "24h0m0s");
  EXPECT_EQ(goDuration(absl::Minutes(90)), "1h30m0s");
  EXPECT_EQ(goDuration(absl::Seconds(45)), "45s");
  EXPECT_EQ(goDuration(absl::Milliseconds(1500)), "1.5s");
  EXPECT_EQ(goDuration(absl::ZeroDuration()), "0s");
}

}  // namespace
}  // namespace ursa::cli
