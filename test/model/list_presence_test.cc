// Explicitly empty lists: kept apart from absent ones for the fields Kuma
// holds as pointers to slices, read as absent for the others.

#include "ursa/model/list_presence.h"

#include <gtest/gtest.h>

#include "ursa/model/codec.h"
#include "ursa/policies/meshfaultinjection/v1alpha1/meshfaultinjection.pb.h"

namespace ursa::model {
namespace {

using policies::meshfaultinjection::v1alpha1::MeshFaultInjection;

// A MeshFaultInjection selecting the whole mesh, its spec ending with
// `from_section` (YAML at the spec's indentation).
Resource faultPolicy(const std::string& from_section) {
  auto doc = parseYaml(
      "type: MeshFaultInjection\nmesh: default\nname: f\nspec:\n  targetRef: {kind: Mesh}\n" +
      from_section);
  EXPECT_TRUE(doc.ok()) << doc.status();
  auto r = decodeResource(*doc);
  EXPECT_TRUE(r.ok()) << r.status();
  return std::move(*r);
}

const MeshFaultInjection::Conf& firstConf(const Resource& r) {
  return static_cast<const MeshFaultInjection&>(*r.spec).from(0).default_();
}

const google::protobuf::FieldDescriptor& httpField() {
  return *MeshFaultInjection::Conf::descriptor()->FindFieldByName("http");
}

constexpr char kEmptyHttp[] = "  from:\n  - targetRef: {kind: Mesh}\n    default: {http: []}\n";
constexpr char kNoHttp[] = "  from:\n  - targetRef: {kind: Mesh}\n    default: {}\n";

TEST(ListPresence, ExplicitlyEmptyListIsKeptAndWrittenBack) {
  Resource r = faultPolicy(kEmptyHttp);
  EXPECT_TRUE(isExplicitlyEmpty(firstConf(r), httpField()));
  EXPECT_TRUE(isListSet(firstConf(r), "http"));
  Json out = encodeResource(r);
  EXPECT_EQ(out["spec"]["from"][0]["default"], Json::parse(R"({"http":[]})"));
}

TEST(ListPresence, AbsentListIsNotSet) {
  Resource r = faultPolicy(kNoHttp);
  EXPECT_FALSE(isExplicitlyEmpty(firstConf(r), httpField()));
  EXPECT_FALSE(isListSet(firstConf(r), "http"));
  EXPECT_EQ(encodeResource(r)["spec"]["from"][0]["default"], Json::object());
}

TEST(ListPresence, SurvivesCopiesAndBinarySerialisation) {
  Resource r = faultPolicy(kEmptyHttp);
  MeshFaultInjection copy;
  copy.CopyFrom(*r.spec);
  MeshFaultInjection parsed;
  ASSERT_TRUE(parsed.ParseFromString(copy.SerializeAsString()));
  EXPECT_TRUE(isExplicitlyEmpty(parsed.from(0).default_(), httpField()));
  EXPECT_EQ(encodeMessage(parsed)["from"][0]["default"], Json::parse(R"({"http":[]})"));
}

TEST(ListPresence, ListsWithoutPresenceReadEmptyAsAbsent) {
  // `from` is a plain slice in Kuma (omitempty): `[]` is no list at all.
  Resource r = faultPolicy("  from: []\n");
  const auto& from = *MeshFaultInjection::descriptor()->FindFieldByName("from");
  EXPECT_FALSE(hasListPresence(from));
  EXPECT_FALSE(isExplicitlyEmpty(*r.spec, from));
  EXPECT_FALSE(encodeResource(r)["spec"].contains("from"));
}

TEST(ListPresence, ElementsMakeTheMarkerIrrelevant) {
  MeshFaultInjection spec;
  spec.CopyFrom(*faultPolicy(kEmptyHttp).spec);
  spec.mutable_from(0)->mutable_default_()->add_http()->mutable_abort()->set_http_status(503);
  EXPECT_FALSE(isExplicitlyEmpty(spec.from(0).default_(), httpField()));
  EXPECT_EQ(encodeMessage(spec)["from"][0]["default"]["http"].size(), 1u);
}

}  // namespace
}  // namespace ursa::model
