// MeshContext: endpoints by service, and incremental updates that rebuild
// only the services a change touches and report exactly what changed.

#include "src/xds/generator/mesh_context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/store/cache/resource_cache.h"
#include "src/store/memory/memory_store.h"
#include "ursa/common/strings.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::xds::gen {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

model::Json dataplane(const std::string& name, const std::string& service,
                      const std::string& address, int port = 8080,
                      const std::string& outbound = "") {
  model::Json doc = {{"type", "Dataplane"},
                     {"mesh", "default"},
                     {"name", name},
                     {"networking",
                      {{"address", address},
                       {"inbound",
                        {{{"port", port},
                          {"tags", {{"kuma.io/service", service}, {"kuma.io/protocol", "http"}}}}}}}}};
  if (!outbound.empty()) {
    doc["networking"]["outbound"] = {{{"port", 10001}, {"tags", {{"kuma.io/service", outbound}}}}};
  }
  return doc;
}

class MeshContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    put({{"type", "Mesh"}, {"name", "default"}});
    for (int i = 0; i < 50; ++i) {
      put(dataplane(strCat("svc-", i, "-a"), strCat("svc-", i), strCat("10.0.0.", i)));
      put(dataplane(strCat("svc-", i, "-b"), strCat("svc-", i), strCat("10.0.1.", i)));
    }
    cache_ = *store::ResourceCache::start(store_);
    context_ = MeshContext::build(**cache_->current(), "default", nullptr);
    ASSERT_NE(context_, nullptr);
  }

  void put(const model::Json& doc) {
    auto r = model::decodeResource(doc);
    ASSERT_TRUE(r.ok()) << r.status();
    auto existing = store_.get({r->type, r->meta.mesh, r->meta.name});
    if (existing.ok()) {
      r->meta.version = (*existing)->meta.version;
      ASSERT_TRUE(store_.update(*r).ok());
    } else {
      ASSERT_TRUE(store_.create(*r).ok());
    }
  }

  void remove(const std::string& name) {
    const auto& type = model::TypeRegistry::instance().dataplane();
    auto existing = store_.get({&type, "default", name});
    ASSERT_TRUE(existing.ok());
    ASSERT_TRUE(store_.remove({&type, "default", name}, (*existing)->meta.version).ok());
  }

  MeshContextConstSharedPtr update(const std::set<std::string>& changed,
                                   MeshContext::Changes& changes) {
    return MeshContext::update(context_, **cache_->current(), changed, nullptr, &changes);
  }

  store::MemoryStore store_;
  std::unique_ptr<store::ResourceCache> cache_;
  MeshContextConstSharedPtr context_;
};

TEST_F(MeshContextTest, GroupsEndpointsByService) {
  EXPECT_EQ(context_->serviceCount(), 50u);
  auto svc = context_->service("svc-7");
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(svc->protocol, "http");
  ASSERT_EQ(svc->endpoints.size(), 2u);
  EXPECT_EQ(svc->endpoints[0].dataplane, "svc-7-a");
  EXPECT_EQ(svc->endpoints[1].address, "10.0.1.7");
  EXPECT_THAT(context_->servicesOf("svc-7-b"), ElementsAre("svc-7"));
  EXPECT_EQ(context_->service("nope"), nullptr);
}

TEST_F(MeshContextTest, AnAddressChangeRebuildsOnlyThatServiceAndSharesTheRest) {
  put(dataplane("svc-3-a", "svc-3", "10.9.9.9"));
  MeshContext::Changes changes;
  auto next = update({"svc-3-a"}, changes);
  EXPECT_THAT(changes.services, ElementsAre("svc-3"));
  EXPECT_FALSE(changes.service_set_changed);
  EXPECT_EQ(next->service("svc-3")->endpoints[0].address, "10.9.9.9");
  EXPECT_EQ(context_->service("svc-3")->endpoints[0].address, "10.0.0.3");  // untouched
  EXPECT_EQ(next->service("svc-4"), context_->service("svc-4"));           // the same object
}

TEST_F(MeshContextTest, AChangeThatLeavesEndpointsEqualChangesNothing) {
  put(dataplane("svc-3-a", "svc-3", "10.0.0.3", 8080, "svc-4"));  // only an outbound added
  MeshContext::Changes changes;
  auto next = update({"svc-3-a"}, changes);
  EXPECT_THAT(changes.services, IsEmpty());
  EXPECT_EQ(next->service("svc-3"), context_->service("svc-3"));
}

TEST_F(MeshContextTest, ServicesAppearAndVanish) {
  put(dataplane("new-a", "brand-new", "10.2.0.1"));
  MeshContext::Changes added;
  auto next = update({"new-a"}, added);
  EXPECT_THAT(added.services, ElementsAre("brand-new"));
  EXPECT_TRUE(added.service_set_changed);
  EXPECT_EQ(next->serviceCount(), 51u);

  remove("svc-9-a");
  remove("svc-9-b");
  MeshContext::Changes removed;
  auto after = MeshContext::update(next, **cache_->current(), {"svc-9-a", "svc-9-b"}, nullptr,
                                   &removed);
  EXPECT_THAT(removed.services, ElementsAre("svc-9"));
  EXPECT_TRUE(removed.service_set_changed);
  EXPECT_EQ(after->service("svc-9"), nullptr);
  EXPECT_THAT(after->servicesOf("svc-9-a"), IsEmpty());
  EXPECT_NE(next->service("svc-9"), nullptr);  // the previous context is unchanged
}

TEST_F(MeshContextTest, ADataplaneMovingToAnotherServiceTouchesBoth) {
  put(dataplane("svc-1-a", "svc-2", "10.0.0.1"));
  MeshContext::Changes changes;
  auto next = update({"svc-1-a"}, changes);
  EXPECT_THAT(changes.services, ElementsAre("svc-1", "svc-2"));
  EXPECT_EQ(next->service("svc-1")->endpoints.size(), 1u);
  EXPECT_EQ(next->service("svc-2")->endpoints.size(), 3u);
  EXPECT_THAT(next->servicesOf("svc-1-a"), ElementsAre("svc-2"));
}

TEST_F(MeshContextTest, UpdatesAgreeWithAFullBuild) {
  put(dataplane("svc-5-b", "svc-6", "10.3.0.1", 9090));
  put(dataplane("extra", "svc-5", "10.3.0.2"));
  remove("svc-8-a");
  MeshContext::Changes changes;
  auto next = update({"svc-5-b", "extra", "svc-8-a"}, changes);
  auto fresh = MeshContext::build(**cache_->current(), "default", nullptr);
  ASSERT_EQ(next->serviceCount(), fresh->serviceCount());
  fresh->forEachService([&](const std::string& name, const ServiceEndpointsConstSharedPtr& eps) {
    auto mine = next->service(name);
    ASSERT_NE(mine, nullptr) << name;
    EXPECT_EQ(mine->endpoints, eps->endpoints) << name;
  });
}

}  // namespace
}  // namespace ursa::xds::gen
