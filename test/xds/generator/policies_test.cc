// MeshContext::policiesFor: the mesh's policies are matched once per
// distinct inbound tag set and looked up per proxy listener.

#include <gtest/gtest.h>

#include "src/store/cache/resource_cache.h"
#include "src/store/memory/memory_store.h"
#include "src/xds/generator/mesh_context.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::xds::gen {
namespace {

constexpr char kResources[] = R"(type: Mesh
name: default
---
type: Dataplane
mesh: default
name: web-1
networking:
  address: 10.0.0.1
  inbound:
  - port: 8080
    tags: {kuma.io/service: web}
---
type: Dataplane
mesh: default
name: web-2
networking:
  address: 10.0.0.2
  inbound:
  - port: 8080
    tags: {kuma.io/service: web}
---
type: Dataplane
mesh: default
name: db-1
networking:
  address: 10.0.0.3
  inbound:
  - port: 5432
    tags: {kuma.io/service: db}
---
type: MeshTrafficPermission
mesh: default
name: web
spec:
  targetRef: {kind: MeshService, name: web}
  from:
  - targetRef: {kind: MeshService, name: frontend}
    default: {action: Allow}
---
type: MeshTimeout
mesh: default
name: to-db
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: MeshService, name: db}
    default: {connectionTimeout: 1s}
)";

struct Fixture {
  store::MemoryStore store;
  store::ResourceSnapshotConstSharedPtr snapshot;
  MeshContextConstSharedPtr mesh;
  model::ResourcePtr dataplane(const std::string& name) const {
    return snapshot->get({&model::TypeRegistry::instance().dataplane(), "default", name});
  }
};

std::unique_ptr<Fixture> load() {
  auto f = std::make_unique<Fixture>();
  auto docs = model::parseYamlDocuments(kResources);
  EXPECT_TRUE(docs.ok()) << docs.status();
  for (const auto& doc : *docs) {
    auto r = model::decodeResource(doc);
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(f->store.create(*r).ok());
  }
  auto cache = store::ResourceCache::start(f->store);
  f->snapshot = *(*cache)->current();
  f->mesh = MeshContext::build(*f->snapshot, "default", nullptr);
  return f;
}

TEST(PoliciesForTest, CollectsTheMeshPoliciesByType) {
  auto f = load();
  EXPECT_EQ(f->mesh->policies().size(), 2u);
  EXPECT_TRUE(f->mesh->policies().contains("MeshTrafficPermission"));
  EXPECT_TRUE(f->mesh->policies().contains("MeshTimeout"));
}

TEST(PoliciesForTest, LooksRulesUpByListenerAndDestination) {
  auto f = load();
  ProxyPolicies web = f->mesh->policiesFor(*f->dataplane("web-1"));
  const policy::Rules* from = web.from("MeshTrafficPermission", "10.0.0.1", 8080);
  ASSERT_NE(from, nullptr);
  ASSERT_EQ(from->size(), 1u);  // frontend only: no item covers anyone else
  EXPECT_EQ(web.from("MeshTrafficPermission", "10.0.0.9", 8080), nullptr);
  ASSERT_NE(web.to("MeshTimeout", "db"), nullptr);
  EXPECT_EQ(web.to("MeshTimeout", "web"), nullptr);
  // db is not selected by the MeshTrafficPermission.
  ProxyPolicies db = f->mesh->policiesFor(*f->dataplane("db-1"));
  EXPECT_FALSE(db.any("MeshTrafficPermission"));
  EXPECT_TRUE(db.any("MeshTimeout"));
}

TEST(PoliciesForTest, ProxiesWithTheSameTagsShareTheirRules) {
  auto f = load();
  ProxyPolicies a = f->mesh->policiesFor(*f->dataplane("web-1"));
  ProxyPolicies b = f->mesh->policiesFor(*f->dataplane("web-2"));
  const policy::Rules* ra = a.from("MeshTrafficPermission", "10.0.0.1", 8080);
  const policy::Rules* rb = b.from("MeshTrafficPermission", "10.0.0.2", 8080);
  ASSERT_NE(ra, nullptr);
  EXPECT_EQ(ra, rb);  // one MatchedSet, each proxy's own listener
}

}  // namespace
}  // namespace ursa::xds::gen
