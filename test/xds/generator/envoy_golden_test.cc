// Golden files of the Envoy profile. Each case reads
// testdata/envoy/<case>.input.yaml (a Mesh named "default" and Dataplanes;
// the first Dataplane is the proxy under test), stores it in a MemoryStore,
// builds the MeshContext from a ResourceCache snapshot, generates the proxy's
// snapshot and compares it with testdata/envoy/<case>.golden.yaml: every
// resource as canonical YAML (protobuf JSON with the .proto field names and
// sorted keys, "@type" first), one document per resource, sorted by type
// (push order) then name.
//
// URSA_UPDATE_GOLDEN=1 rewrites the golden files under $URSA_SOURCE_DIR.
// Every generated resource must also pass the protoc-gen-validate rules.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "src/store/cache/resource_cache.h"
#include "src/store/memory/memory_store.h"
#include "src/xds/generator/generator.h"
#include "src/xds/validate/pgv_checker.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::xds::gen {
namespace {

namespace fs = std::filesystem;

// A CA that signs nothing: fixed PEMs, so golden files are stable.
class FakeMeshCa : public ca::MeshCa {
 public:
  const std::string& rootsPem() const override { return roots_; }
  const std::string& backendName() const override { return name_; }
  absl::StatusOr<ca::IssuedCertificate> issue(const ca::WorkloadIdentity&) const override {
    return certificate();
  }
  absl::Duration certificateLifetime() const override { return absl::Hours(24); }

  static ca::IssuedCertificate certificate() {
    ca::IssuedCertificate c;
    c.cert_pem = "-----BEGIN CERTIFICATE-----\nRkFLRS1JREVOVElUWQ==\n-----END CERTIFICATE-----\n";
    c.key_pem = "-----BEGIN PRIVATE KEY-----\nRkFLRS1LRVk=\n-----END PRIVATE KEY-----\n";
    c.not_before = absl::FromUnixSeconds(1700000000);
    c.not_after = c.not_before + absl::Hours(24);
    c.backend = "ca-1";
    c.serial_hex = "01";
    return c;
  }

 private:
  std::string roots_ = "-----BEGIN CERTIFICATE-----\nRkFLRS1ST09U\n-----END CERTIFICATE-----\n";
  std::string name_ = "ca-1";
};

fs::path sourceDir() {
  const char* dir = std::getenv("URSA_SOURCE_DIR");
  return dir != nullptr ? fs::path(dir) : fs::current_path();
}

fs::path testdata(const std::string& file) {
  return sourceDir() / "test/xds/generator/testdata/envoy" / file;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Everything a case needs to generate, kept alive together.
struct Generated {
  std::unique_ptr<store::MemoryStore> store;
  store::ResourceSnapshotConstSharedPtr resources;
  ProxyContext ctx;
  SnapshotConstSharedPtr snapshot;
};

Generated generateCase(const std::string& name) {
  Generated g;
  g.store = std::make_unique<store::MemoryStore>();
  auto docs = model::parseYamlDocuments(readFile(testdata(name + ".input.yaml")));
  EXPECT_TRUE(docs.ok()) << docs.status();
  if (!docs.ok()) return g;
  std::string proxy;
  bool mtls = false;
  for (const auto& doc : *docs) {
    auto r = model::decodeResource(doc);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return g;
    if (r->type->name == "Dataplane" && proxy.empty()) proxy = r->meta.name;
    if (r->type->name == "Mesh") {
      mtls =
          !static_cast<const ursa::mesh::v1alpha1::Mesh&>(*r->spec).mtls().enabledbackend().empty();
    }
    auto created = g.store->create(*r);
    EXPECT_TRUE(created.ok()) << created.status();
  }
  auto cache = store::ResourceCache::start(*g.store);
  EXPECT_TRUE(cache.ok()) << cache.status();
  auto snap = (*cache)->current();
  EXPECT_TRUE(snap.ok()) << snap.status();
  g.resources = *snap;
  auto ca = mtls ? std::make_shared<const FakeMeshCa>() : nullptr;
  g.ctx.mesh = MeshContext::build(*g.resources, "default", ca);
  g.ctx.dataplane =
      g.resources->get({&model::TypeRegistry::instance().dataplane(), "default", proxy});
  if (mtls)
    g.ctx.certificate = std::make_shared<const ca::IssuedCertificate>(FakeMeshCa::certificate());
  g.ctx.admin_port = 9901;
  EXPECT_TRUE(g.ctx.mesh != nullptr && g.ctx.dataplane != nullptr);
  if (g.ctx.mesh && g.ctx.dataplane) g.snapshot = generateEnvoy(g.ctx);
  return g;
}

std::unique_ptr<google::protobuf::Message> parseResource(TypeIndex t, const Resource& r) {
  std::string_view url = typeUrl(t);
  std::string name(url.substr(url.rfind('/') + 1));
  const auto* desc =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(name);
  if (desc == nullptr) return nullptr;
  std::unique_ptr<google::protobuf::Message> m(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(desc)->New());
  if (!m->ParseFromString(r.bytes)) return nullptr;
  return m;
}

// One resource as a canonical YAML document.
std::string canonicalYaml(TypeIndex t, const Resource& r) {
  auto m = parseResource(t, r);
  if (!m) return "# unparsable resource " + r.name + "\n";
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(*m, &json, options);
  if (!status.ok()) return "# " + status.ToString() + "\n";
  nlohmann::json sorted = nlohmann::json::parse(json);  // std::map objects: keys sorted
  sorted["@type"] = std::string(typeUrl(t));
  return model::toYaml(model::Json::parse(sorted.dump()));
}

std::string canonicalYaml(const Snapshot& s) {
  std::string out;
  for (TypeIndex t : kPushOrder) {
    for (const auto& r : s.resources(t)) {
      if (!out.empty()) out += "---\n";
      out += canonicalYaml(t, *r);
    }
  }
  return out;
}

class EnvoyGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(EnvoyGoldenTest, MatchesGoldenFile) {
  Generated g = generateCase(GetParam());
  ASSERT_NE(g.snapshot, nullptr);
  std::string actual = canonicalYaml(*g.snapshot);
  fs::path golden = testdata(GetParam() + ".golden.yaml");
  const char* update = std::getenv("URSA_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(golden, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run with URSA_UPDATE_GOLDEN=1";
  EXPECT_EQ(readFile(golden), actual)
      << "regenerate with URSA_UPDATE_GOLDEN=1 if the change is intended";
}

TEST_P(EnvoyGoldenTest, EveryResourcePassesPgvRules) {
  Generated g = generateCase(GetParam());
  ASSERT_NE(g.snapshot, nullptr);
  size_t checked = 0;
  for (TypeIndex t : kPushOrder) {
    for (const auto& r : g.snapshot->resources(t)) {
      auto violations = validate::checkSerialized(typeUrl(t), r->bytes);
      EXPECT_TRUE(violations.empty()) << shortName(t) << " " << r->name << ":\n"
                                      << validate::format(violations);
      ++checked;
    }
  }
  EXPECT_GT(checked, 0u);
}

TEST_P(EnvoyGoldenTest, GenerationIsDeterministic) {
  Generated a = generateCase(GetParam());
  Generated b = generateCase(GetParam());
  ASSERT_NE(a.snapshot, nullptr);
  ASSERT_NE(b.snapshot, nullptr);
  for (TypeIndex t : kPushOrder) {
    EXPECT_EQ(a.snapshot->version(t), b.snapshot->version(t)) << shortName(t);
    // Interned: the same bytes under the same name are the same object.
    ASSERT_EQ(a.snapshot->resources(t).size(), b.snapshot->resources(t).size());
    for (size_t i = 0; i < a.snapshot->resources(t).size(); ++i) {
      EXPECT_EQ(a.snapshot->resources(t)[i], b.snapshot->resources(t)[i]);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, EnvoyGoldenTest,
                         ::testing::Values("mtls-off", "mtls-strict", "mtls-permissive",
                                           "protocols", "no-ready-endpoints", "transparent-proxy",
                                           "transparent-proxy-no-passthrough"),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// The checker is not vacuous: a generated cluster, broken, is caught.
TEST(EnvoyGoldenPgvTest, CheckerCatchesABrokenGeneratedCluster) {
  Generated g = generateCase("mtls-strict");
  ASSERT_NE(g.snapshot, nullptr);
  auto r = g.snapshot->find(TypeIndex::Cluster, "backend");
  ASSERT_NE(r, nullptr);
  envoy::config::cluster::v3::Cluster cluster;
  ASSERT_TRUE(cluster.ParseFromString(r->bytes));
  ASSERT_TRUE(validate::check(cluster).empty());

  cluster.set_name("");
  cluster.mutable_connect_timeout()->set_seconds(-1);
  auto violations = validate::check(cluster);
  std::set<std::string> fields;
  for (const auto& v : violations) fields.insert(v.field);
  EXPECT_TRUE(fields.contains("name")) << validate::format(violations);
  EXPECT_TRUE(fields.contains("connect_timeout")) << validate::format(violations);
}

// Outbound clusters and endpoints do not depend on the proxy: another proxy
// reaching the same service gets the very same resource objects.
TEST(EnvoyGoldenSharingTest, ProxiesShareServiceResources) {
  Generated g = generateCase("mtls-strict");
  ASSERT_NE(g.snapshot, nullptr);
  auto copy = std::make_shared<model::Resource>(*g.ctx.dataplane);
  auto spec = std::make_shared<ursa::mesh::v1alpha1::Dataplane>(
      static_cast<const ursa::mesh::v1alpha1::Dataplane&>(*copy->spec));
  spec->mutable_networking()->set_address("10.0.0.9");
  copy->spec = spec;
  copy->meta.name = "web-2";
  ProxyContext other = g.ctx;
  other.dataplane = copy;
  auto theirs = generateEnvoy(other);
  ASSERT_NE(g.snapshot->find(TypeIndex::Cluster, "backend"), nullptr);
  EXPECT_EQ(g.snapshot->find(TypeIndex::Cluster, "backend"),
            theirs->find(TypeIndex::Cluster, "backend"));
  EXPECT_EQ(g.snapshot->find(TypeIndex::Endpoint, "backend"),
            theirs->find(TypeIndex::Endpoint, "backend"));
  EXPECT_NE(g.snapshot->find(TypeIndex::Listener, "inbound:10.0.0.1:8080"), nullptr);
  EXPECT_EQ(theirs->find(TypeIndex::Listener, "inbound:10.0.0.1:8080"), nullptr);
  EXPECT_NE(theirs->find(TypeIndex::Listener, "inbound:10.0.0.9:8080"), nullptr);
}

}  // namespace
}  // namespace ursa::xds::gen
