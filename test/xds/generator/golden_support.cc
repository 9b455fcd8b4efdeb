#include "test/xds/generator/golden_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "src/store/cache/resource_cache.h"
#include "src/xds/validate/pgv_checker.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::xds::gen::golden {

namespace fs = std::filesystem;

ca::IssuedCertificate FakeMeshCa::certificate() {
  ca::IssuedCertificate c;
  c.cert_pem = "-----BEGIN CERTIFICATE-----\nRkFLRS1JREVOVElUWQ==\n-----END CERTIFICATE-----\n";
  c.key_pem = "-----BEGIN PRIVATE KEY-----\nRkFLRS1LRVk=\n-----END PRIVATE KEY-----\n";
  c.not_before = absl::FromUnixSeconds(1700000000);
  c.not_after = c.not_before + absl::Hours(24);
  c.backend = "ca-1";
  c.serial_hex = "01";
  return c;
}

fs::path testdata(const std::string& profile, const std::string& file) {
  const char* dir = std::getenv("URSA_SOURCE_DIR");
  fs::path source = dir != nullptr ? fs::path(dir) : fs::current_path();
  return source / "test/xds/generator/testdata" / profile / file;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

// "# client: <user agent>/<version>" in the input, if any.
ClientCapabilities clientOf(const std::string& profile, const std::string& input) {
  const std::string directive = "# client: ";
  size_t at = input.find(directive);
  if (at != std::string::npos) {
    std::string line = input.substr(at + directive.size(), input.find('\n', at) - at - directive.size());
    size_t slash = line.rfind('/');
    return capabilitiesOf(line.substr(0, slash), line.substr(slash + 1), profile);
  }
  if (profile == "grpc") return capabilitiesOf("gRPC Node Pure JS", "1.14.1", "grpc");
  return capabilitiesOf("envoy", "1.26.0", "envoy");
}

}  // namespace

Generated generateCase(const std::string& profile, const std::string& name) {
  return generateInput(profile, readFile(testdata(profile, name + ".input.yaml")));
}

Generated generateInput(const std::string& profile, const std::string& input) {
  Generated g;
  g.store = std::make_unique<store::MemoryStore>();
  auto docs = model::parseYamlDocuments(input);
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
  if (mtls) {
    g.ctx.certificate = std::make_shared<const ca::IssuedCertificate>(FakeMeshCa::certificate());
  }
  g.ctx.admin_port = 9901;
  g.ctx.client = clientOf(profile, input);
  EXPECT_TRUE(g.ctx.mesh != nullptr && g.ctx.dataplane != nullptr);
  if (g.ctx.mesh && g.ctx.dataplane) g.snapshot = generate(g.ctx);
  return g;
}

namespace {

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

}  // namespace

std::string canonicalYaml(const Snapshot& s) {
  std::string out;
  for (const auto& w : s.warnings()) out += "# warning: " + w + "\n";
  bool first = true;
  for (TypeIndex t : kPushOrder) {
    for (const auto& r : s.resources(t)) {
      if (!first) out += "---\n";
      first = false;
      out += canonicalYaml(t, *r);
    }
  }
  return out;
}

void expectGolden(const std::string& profile, const std::string& name) {
  Generated g = generateCase(profile, name);
  ASSERT_NE(g.snapshot, nullptr);
  std::string actual = canonicalYaml(*g.snapshot);
  fs::path golden = testdata(profile, name + ".golden.yaml");
  const char* update = std::getenv("URSA_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(golden, std::ios::binary) << actual;
  } else {
    ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run with URSA_UPDATE_GOLDEN=1";
    EXPECT_EQ(readFile(golden), actual)
        << "regenerate with URSA_UPDATE_GOLDEN=1 if the change is intended";
  }
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

}  // namespace ursa::xds::gen::golden
