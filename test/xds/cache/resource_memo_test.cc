#include "src/xds/cache/resource_memo.h"

#include <gtest/gtest.h>

#include "google/protobuf/wrappers.pb.h"

namespace ursa::xds {
namespace {

ResourcePtr stringResource(const std::string& name, const std::string& value) {
  google::protobuf::StringValue m;
  m.set_value(value);
  return internResource(name, m);
}

TEST(ResourceMemoTest, BuildsOncePerKeyWhileTheResourceIsHeld) {
  ResourceMemo memo;
  int builds = 0;
  auto build = [&] {
    ++builds;
    return ResourceMemo::Entry{stringResource("c", "v1"), {"w1"}};
  };
  ResourceMemo::Entry first = memo.get("k", build);
  ResourceMemo::Entry second = memo.get("k", build);
  EXPECT_EQ(builds, 1);
  EXPECT_EQ(memo.hits(), 1u);
  EXPECT_EQ(first.resource, second.resource);
  // The warnings of the build come with every hit.
  EXPECT_EQ(second.warnings, std::vector<std::string>{"w1"});
}

TEST(ResourceMemoTest, DistinctKeysBuildDistinctly) {
  ResourceMemo memo;
  auto a = memo.get("a", [] { return ResourceMemo::Entry{stringResource("c", "va"), {}}; });
  auto b = memo.get("b", [] { return ResourceMemo::Entry{stringResource("c", "vb"), {}}; });
  EXPECT_NE(a.resource, b.resource);
  EXPECT_EQ(memo.hits(), 0u);
}

TEST(ResourceMemoTest, HoldsNoResourceAlive) {
  ResourceMemo memo;
  int builds = 0;
  auto build = [&] {
    ++builds;
    return ResourceMemo::Entry{stringResource("gone", "unheld bytes"), {}};
  };
  std::weak_ptr<const Resource> weak = memo.get("k", build).resource;
  EXPECT_TRUE(weak.expired());  // nobody holds it: the memo does not either
  ResourcePtr again = memo.get("k", build).resource;
  EXPECT_EQ(builds, 2);
  EXPECT_EQ(again->name, "gone");
}

}  // namespace
}  // namespace ursa::xds
