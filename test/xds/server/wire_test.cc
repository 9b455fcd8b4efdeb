// The wire encoders give exactly the bytes protobuf's serializer gives for
// the equivalent DiscoveryResponse / DeltaDiscoveryResponse, whatever the
// resources' sizes (copied below the reference threshold, referenced above).

#include "src/xds/server/wire.h"

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/service/discovery/v3/discovery.pb.h"
#include "gtest/gtest.h"

namespace ursa::xds {
namespace {

using envoy::service::discovery::v3::DeltaDiscoveryResponse;
using envoy::service::discovery::v3::DiscoveryResponse;

// A cluster whose serialized form is about `size` bytes.
ResourcePtr cluster(const std::string& name, size_t size) {
  envoy::config::cluster::v3::Cluster c;
  c.set_name(name);
  c.set_alt_stat_name(std::string(size, 'x'));
  return internResource(name, c);
}

std::vector<ResourcePtr> mixedResources() {
  // Sizes around the copy/reference threshold and far from it, and varint
  // lengths of one, two and three bytes.
  return {cluster("tiny", 1), cluster("small", 100), cluster("edge-below", 2030),
          cluster("edge-above", 2060), cluster("large", 20000), cluster("huge", 200000)};
}

std::string serialized(const google::protobuf::Message& m) {
  std::string out;
  EXPECT_TRUE(m.SerializeToString(&out));
  return out;
}

TEST(WireTest, SotwResponseEqualsProtobufSerialization) {
  const std::string type_url(typeUrl(TypeIndex::Cluster));
  auto resources = mixedResources();
  DiscoveryResponse expected;
  expected.set_version_info("00ab");
  for (const auto& r : resources) {
    auto* any = expected.add_resources();
    any->set_type_url(type_url);
    any->set_value(r->bytes);
  }
  expected.set_type_url(type_url);
  expected.set_nonce("17");
  std::string got = wire::flatten(wire::sotwResponse("00ab", resources, type_url, "17"));
  EXPECT_EQ(got, serialized(expected));
  DiscoveryResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(got));
  ASSERT_EQ(parsed.resources_size(), static_cast<int>(resources.size()));
  EXPECT_EQ(parsed.resources(4).value(), resources[4]->bytes);
}

TEST(WireTest, EmptySotwResponseOmitsDefaults) {
  const std::string type_url(typeUrl(TypeIndex::Listener));
  DiscoveryResponse expected;
  expected.set_type_url(type_url);
  expected.set_nonce("1");
  EXPECT_EQ(wire::flatten(wire::sotwResponse("", {}, type_url, "1")), serialized(expected));
}

TEST(WireTest, DeltaResponseEqualsProtobufSerialization) {
  const std::string type_url(typeUrl(TypeIndex::Cluster));
  auto resources = mixedResources();
  DeltaDiscoveryResponse expected;
  expected.set_system_version_info("42");
  for (const auto& r : resources) {
    auto* out = expected.add_resources();
    out->set_name(r->name);
    out->set_version(r->version());
    out->mutable_resource()->set_type_url(type_url);
    out->mutable_resource()->set_value(r->bytes);
  }
  expected.set_type_url(type_url);
  expected.set_nonce("9");
  expected.add_removed_resources("gone-1");
  expected.add_removed_resources("gone-2");
  std::string got = wire::flatten(
      wire::deltaResponse("42", resources, type_url, {"gone-1", "gone-2"}, "9"));
  EXPECT_EQ(got, serialized(expected));
}

TEST(WireTest, ReferencedResourceOutlivesItsSnapshot) {
  const std::string type_url(typeUrl(TypeIndex::Cluster));
  grpc::ByteBuffer buffer;
  std::string expected;
  {
    std::vector<ResourcePtr> resources = {cluster("transient-large", 50000)};
    expected = resources[0]->bytes;
    buffer = wire::sotwResponse("v", resources, type_url, "1");
  }  // the only other reference is gone: the buffer keeps the bytes alive
  DiscoveryResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire::flatten(buffer)));
  ASSERT_EQ(parsed.resources_size(), 1);
  EXPECT_EQ(parsed.resources(0).value(), expected);
}

}  // namespace
}  // namespace ursa::xds
