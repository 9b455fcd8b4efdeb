// MeshProxyPatch (translate/proxy_patch.h) on a real generated snapshot:
// every kind of modification, copy-on-write, and bad patches skipped with a
// warning while the rest applies.

#include "src/xds/generator/translate/proxy_patch.h"

#include <gtest/gtest.h>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "test/xds/generator/golden_support.h"
#include "ursa/model/codec.h"

namespace ursa::xds::gen::translate {
namespace {

using envoy::config::cluster::v3::Cluster;
using envoy::config::listener::v3::Listener;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;

// A MeshProxyPatch named `name` whose appendModifications are `mods` (YAML).
model::ResourcePtr patchPolicy(const std::string& name, const std::string& mods) {
  std::string yaml = "type: MeshProxyPatch\nmesh: default\nname: " + name +
                     "\nspec:\n  targetRef: {kind: Mesh}\n  default:\n    appendModifications:\n" +
                     mods;
  auto doc = model::parseYaml(yaml);
  EXPECT_TRUE(doc.ok()) << doc.status();
  auto r = model::decodeResource(*doc);
  EXPECT_TRUE(r.ok()) << r.status();
  return std::make_shared<const model::Resource>(std::move(*r));
}

class ProxyPatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_ = golden::generateCase("envoy", "mtls-off");
    ASSERT_NE(g_.snapshot, nullptr);
  }
  SnapshotConstSharedPtr apply(const std::vector<model::ResourcePtr>& policies) {
    SnapshotEditor editor(*g_.snapshot);
    applyProxyPatches(policies, editor);
    return editor.build();
  }
  template <typename M>
  static M read(const Snapshot& s, TypeIndex t, const std::string& name) {
    M m;
    auto r = s.find(t, name);
    EXPECT_NE(r, nullptr) << name;
    if (r != nullptr) {
      EXPECT_TRUE(m.ParseFromString(r->bytes));
    }
    return m;
  }
  golden::Generated g_;
};

TEST_F(ProxyPatchTest, JsonPatchChangesOnlyThisProxysCopy) {
  auto before = g_.snapshot->find(TypeIndex::Cluster, "backend");
  std::string before_bytes = before->bytes;
  auto out = apply({patchPolicy("p", R"(    - cluster:
        operation: Patch
        match: {name: backend}
        jsonPatches:
        - {op: replace, path: /connectTimeout, value: 3s}
)")});
  EXPECT_EQ(read<Cluster>(*out, TypeIndex::Cluster, "backend").connect_timeout().seconds(), 3);
  EXPECT_EQ(g_.snapshot->find(TypeIndex::Cluster, "backend"), before);  // base untouched
  EXPECT_EQ(before->bytes, before_bytes);
  EXPECT_NE(out->find(TypeIndex::Cluster, "backend"), before);
  // Resources no modification touched are still shared.
  EXPECT_EQ(out->find(TypeIndex::Endpoint, "backend"),
            g_.snapshot->find(TypeIndex::Endpoint, "backend"));
  EXPECT_TRUE(out->warnings().empty());
}

TEST_F(ProxyPatchTest, ValueMergeAddAndRemoveOfClusters) {
  auto out = apply({patchPolicy("p", R"(    - cluster:
        operation: Patch
        match: {origin: inbound}
        value: |
          perConnectionBufferLimitBytes: 1024
    - cluster:
        operation: Add
        value: |
          name: extra
          connectTimeout: 1s
          type: STATIC
    - cluster:
        operation: Remove
        match: {name: "kuma:envoy:admin"}
)")});
  EXPECT_EQ(read<Cluster>(*out, TypeIndex::Cluster, "localhost:18080")
                .per_connection_buffer_limit_bytes()
                .value(),
            1024u);
  EXPECT_FALSE(
      read<Cluster>(*out, TypeIndex::Cluster, "backend").has_per_connection_buffer_limit_bytes());
  EXPECT_NE(out->find(TypeIndex::Cluster, "extra"), nullptr);
  EXPECT_EQ(out->find(TypeIndex::Cluster, "kuma:envoy:admin"), nullptr);
  EXPECT_TRUE(out->warnings().empty());
}

// Kuma merges a value as protobuf does, except that a duration replaces
// the one it meets whole: 5s patched with 0.25s is 0.25s (field by field it
// would be 5.25s), and 0.5s patched with 2s is 2s (not 2.5s).
TEST_F(ProxyPatchTest, ValueMergeReplacesDurationsWhole) {
  auto out = apply({patchPolicy("p", R"(    - cluster:
        operation: Patch
        match: {name: backend}
        value: |
          connectTimeout: 0.25s
    - cluster:
        operation: Add
        value: |
          name: extra
          connectTimeout: 0.5s
          type: STATIC
          commonLbConfig: {updateMergeWindow: 0.5s}
    - cluster:
        operation: Patch
        match: {name: extra}
        value: |
          connectTimeout: 2s
          commonLbConfig: {updateMergeWindow: 3s}
)")});
  Cluster backend = read<Cluster>(*out, TypeIndex::Cluster, "backend");
  EXPECT_EQ(backend.connect_timeout().seconds(), 0);
  EXPECT_EQ(backend.connect_timeout().nanos(), 250000000);
  Cluster extra = read<Cluster>(*out, TypeIndex::Cluster, "extra");
  EXPECT_EQ(extra.connect_timeout().seconds(), 2);
  EXPECT_EQ(extra.connect_timeout().nanos(), 0);
  EXPECT_EQ(extra.common_lb_config().update_merge_window().seconds(), 3);  // nested too
  EXPECT_EQ(extra.common_lb_config().update_merge_window().nanos(), 0);
  EXPECT_TRUE(out->warnings().empty());
}

TEST_F(ProxyPatchTest, FiltersAndVirtualHosts) {
  auto out = apply({patchPolicy("p", R"(    - networkFilter:
        operation: AddFirst
        match: {listenerName: "inbound:10.0.0.1:8080"}
        value: |
          name: envoy.filters.network.rbac
          typedConfig:
            '@type': type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC
            statPrefix: p.
    - httpFilter:
        operation: AddBefore
        match: {name: envoy.filters.http.router, origin: outbound}
        value: |
          name: envoy.filters.http.fault
          typedConfig:
            '@type': type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
            delay: {fixedDelay: 1s, percentage: {numerator: 5}}
    - virtualHost:
        operation: Add
        match: {routeConfigurationName: "outbound:backend"}
        value: |
          name: extra
          domains: [extra.mesh]
    - virtualHost:
        operation: Patch
        match: {name: backend}
        value: |
          requestHeadersToRemove: [x-secret]
)")});
  EXPECT_TRUE(out->warnings().empty()) << out->warnings()[0];
  auto inbound = read<Listener>(*out, TypeIndex::Listener, "inbound:10.0.0.1:8080");
  EXPECT_EQ(inbound.filter_chains(0).filters(0).name(), "envoy.filters.network.rbac");
  auto outbound = read<Listener>(*out, TypeIndex::Listener, "outbound:127.0.0.1:10001");
  HttpConnectionManager hcm;
  ASSERT_TRUE(outbound.filter_chains(0).filters(0).typed_config().UnpackTo(&hcm));
  int n = hcm.http_filters_size();
  ASSERT_GE(n, 2);
  EXPECT_EQ(hcm.http_filters(n - 2).name(), "envoy.filters.http.fault");
  EXPECT_EQ(hcm.http_filters(n - 1).name(), "envoy.filters.http.router");
  ASSERT_EQ(hcm.route_config().virtual_hosts_size(), 2);
  EXPECT_EQ(hcm.route_config().virtual_hosts(0).request_headers_to_remove(0), "x-secret");
  EXPECT_EQ(hcm.route_config().virtual_hosts(1).name(), "extra");
}

TEST_F(ProxyPatchTest, BadModificationsAreSkippedWithAWarningAndTheRestApplies) {
  auto out = apply({patchPolicy("bad", R"(    - cluster:
        operation: Patch
        match: {name: backend}
        jsonPatches:
        - {op: replace, path: /foo/bar, value: baz}
    - cluster:
        operation: Patch
        match: {name: backend}
        jsonPatches:
        - {op: replace, path: /connectTimeout, value: true}
    - cluster:
        operation: Patch
        match: {name: backend}
        jsonPatches:
        - {op: add, path: /bogusField, value: 1}
    - cluster:
        operation: Patch
        match: {name: backend}
        jsonPatches:
        - {op: replace, path: /connectTimeout, value: "-1s"}
    - cluster:
        operation: Patch
        match: {name: backend}
        value: |
          notAField: 1
    - cluster:
        operation: Patch
        match: {name: backend}
        jsonPatches:
        - {op: replace, path: /connectTimeout, value: 7s}
)")});
  const auto& w = out->warnings();
  ASSERT_EQ(w.size(), 5u) << ::testing::PrintToString(w);
  for (int i = 0; i < 5; ++i) {
    EXPECT_NE(w[i].find("MeshProxyPatch default/bad: appendModifications[" + std::to_string(i) +
                        "] (cluster Patch): "),
              std::string::npos)
        << w[i];
  }
  EXPECT_NE(w[3].find("connect_timeout"), std::string::npos) << w[3];  // pgv rule named
  EXPECT_EQ(read<Cluster>(*out, TypeIndex::Cluster, "backend").connect_timeout().seconds(), 7);
}

TEST_F(ProxyPatchTest, AFailingModificationChangesNoResource) {
  // Removing edsClusterConfig works on the EDS cluster "backend" but not on
  // the static ones: the whole modification is dropped.
  auto out = apply({patchPolicy("p", R"(    - cluster:
        operation: Patch
        jsonPatches:
        - {op: remove, path: /edsClusterConfig}
)")});
  ASSERT_EQ(out->warnings().size(), 1u);
  EXPECT_EQ(out->find(TypeIndex::Cluster, "backend"),
            g_.snapshot->find(TypeIndex::Cluster, "backend"));
}

TEST_F(ProxyPatchTest, PoliciesApplyInOrder) {
  auto first = patchPolicy("a", R"(    - cluster:
        operation: Patch
        match: {name: backend}
        value: "connectTimeout: 1s"
)");
  auto second = patchPolicy("b", R"(    - cluster:
        operation: Patch
        match: {name: backend}
        value: "connectTimeout: 2s"
)");
  auto out = apply({first, second});
  EXPECT_EQ(read<Cluster>(*out, TypeIndex::Cluster, "backend").connect_timeout().seconds(), 2);
}

TEST(ProxyPatchOriginTest, OriginsFromNames) {
  EXPECT_EQ(originOf(TypeIndex::Listener, "inbound:10.0.0.1:8080"), "inbound");
  EXPECT_EQ(originOf(TypeIndex::Listener, "outbound:127.0.0.1:10001"), "outbound");
  EXPECT_EQ(originOf(TypeIndex::Listener, "outbound:passthrough:ipv4"), "transparent");
  EXPECT_EQ(originOf(TypeIndex::Cluster, "localhost:18080"), "inbound");
  EXPECT_EQ(originOf(TypeIndex::Cluster, "backend"), "outbound");
  EXPECT_EQ(originOf(TypeIndex::Cluster, "kuma:envoy:admin"), "admin");
}

}  // namespace
}  // namespace ursa::xds::gen::translate
