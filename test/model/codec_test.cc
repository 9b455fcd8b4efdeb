#include <gtest/gtest.h>

#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::model {
namespace {

TEST(CodecTest, DecodesAndEncodesTargetRefPolicy) {
  auto doc = parseYaml(R"(
type: MeshTrafficPermission
name: allow-all
mesh: default
spec:
  targetRef:
    kind: Mesh
  from:
  - targetRef:
      kind: Mesh
    default:
      action: Allow
)");
  ASSERT_TRUE(doc.ok()) << doc.status();
  auto r = decodeResource(*doc);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->type->name, "MeshTrafficPermission");
  EXPECT_TRUE(validateResource(*r).empty());
  Json out = encodeResource(*r);
  EXPECT_EQ(out["spec"]["from"][0]["default"]["action"], "Allow");
}

TEST(CodecTest, UnknownFieldIsNamed) {
  auto doc = parseYaml("type: MeshTrafficPermission\nname: a\nmesh: default\nspec:\n  targetRef:\n    knd: Mesh\n");
  ASSERT_TRUE(doc.ok());
  auto r = decodeResource(*doc);
  ASSERT_FALSE(r.ok());
  auto v = violationsOf(r.status());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v.list()[0].field, "spec.targetRef.knd");
}

}  // namespace
}  // namespace ursa::model
