// Conf merging: RFC 7386 patches, list replacement, Append lists and merge
// by key (Kuma 2.2 pkg/core/xds/merge.go semantics).

#include "ursa/policy/merge.h"

#include <gtest/gtest.h>

namespace ursa::policy {
namespace {

using model::Json;

Json j(const char* text) { return Json::parse(text); }

TEST(MergeConfs, ObjectsMergeScalarsAndListsAreReplaced) {
  Json got = mergeConfs(
      {j(R"({"a":1,"list":[1,2],"sub":{"x":1,"y":1}})"), j(R"({"list":[3],"sub":{"y":2}})")});
  EXPECT_EQ(got, j(R"({"a":1,"list":[3],"sub":{"x":1,"y":2}})"));
}

TEST(MergeConfs, EmptyListReplacesToo) {
  Json got = mergeConfs({j(R"({"backends":[{"file":{"path":"/a"}}]})"), j(R"({"backends":[]})")});
  EXPECT_EQ(got, j(R"({"backends":[]})"));
}

TEST(MergeConfs, AbsentFieldsKeepEarlierValuesAndNullDeletes) {
  EXPECT_EQ(mergeConfs({j(R"({"a":1})"), j(R"({})")}), j(R"({"a":1})"));
  EXPECT_EQ(mergeConfs({j(R"({"a":1,"b":2})"), j(R"({"a":null})")}), j(R"({"b":2})"));
}

TEST(MergeConfs, AppendListsConcatenateAtAnyObjectDepth) {
  Json got = mergeConfs({j(R"({"appendMods":[1],"sub":{"appendInts":[1],"ints":[1]}})"),
                         j(R"({"sub":{"appendInts":[2],"ints":[2]}})"),
                         j(R"({"appendMods":[3],"sub":{"ints":[3]}})")});
  EXPECT_EQ(got, j(R"({"appendMods":[1,3],"sub":{"appendInts":[1,2],"ints":[3]}})"));
}

TEST(MergeConfs, OnlyAppendFollowedByUpperCaseCounts) {
  EXPECT_TRUE(isAppendKey("appendModifications"));
  EXPECT_FALSE(isAppendKey("append"));
  EXPECT_FALSE(isAppendKey("appendix"));
  EXPECT_FALSE(isAppendKey("AppendX"));  // JSON names are lowerCamelCase
}

TEST(MergeConfs, AppendListsInsideListElementsAreReplacedWithTheirList) {
  Json got = mergeConfs({j(R"({"l":[{"appendX":[1]}]})"), j(R"({"l":[{"appendX":[2]}]})")});
  EXPECT_EQ(got, j(R"({"l":[{"appendX":[2]}]})"));
}

TEST(MergeConfs, MergeByKeyGroupsEqualKeysInFirstSeenOrder) {
  MergeByKey by{"rules"};
  Json got = mergeConfs({j(R"({"rules":[{"matches":[{"path":"/a"}],"default":{"a":true}},
                      {"matches":[{"path":"/a"}],"default":{"b":true}}]})"),
                         j(R"({"rules":[{"matches":[{"path":"/b"}],"default":{"b":true}},
                      {"matches":[{"path":"/a"}],"default":{"a":false,"l":[1]}}]})")},
                        &by);
  EXPECT_EQ(got, j(R"({"rules":[{"matches":[{"path":"/a"}],"default":{"a":false,"b":true,"l":[1]}},
                                {"matches":[{"path":"/b"}],"default":{"b":true}}]})"));
}

TEST(MergeConfs, MergeByKeyWithoutEntries) {
  MergeByKey by{"rules"};
  EXPECT_EQ(mergeConfs({j("{}")}, &by), j("{}"));
}

TEST(MergeConfs, NothingToMerge) { EXPECT_TRUE(mergeConfs({}).is_null()); }

TEST(ApplyMergePatch, Rfc7386) {
  EXPECT_EQ(applyMergePatch(j(R"({"a":"b"})"), j(R"({"a":"c"})")), j(R"({"a":"c"})"));
  EXPECT_EQ(applyMergePatch(j(R"({"a":[{"b":"c"}]})"), j(R"({"a":[1]})")), j(R"({"a":[1]})"));
  EXPECT_EQ(applyMergePatch(j(R"(["a","b"])"), j(R"({"a":"b","c":null})")), j(R"({"a":"b"})"));
  EXPECT_EQ(applyMergePatch(j(R"({"e":null})"), j(R"({"a":1})")), j(R"({"e":null,"a":1})"));
  EXPECT_EQ(applyMergePatch(j(R"({})"), j(R"({"a":{"bb":{"ccc":null}}})")),
            j(R"({"a":{"bb":{}}})"));
}

}  // namespace
}  // namespace ursa::policy
