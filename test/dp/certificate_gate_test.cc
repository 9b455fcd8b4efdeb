// The certificate gate (src/dp/certificate_gate.h) and what the relay holds
// behind it (src/dp/response_hold.h): which responses name the certificate
// files, held while the gate is closed, released at once when it opens or
// after the maximum hold, latest-wins for state of the world, in order for
// delta.

#include "src/dp/certificate_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "src/dp/response_hold.h"

namespace ursa::dp {
namespace {

using envoy::config::cluster::v3::Cluster;
using envoy::config::listener::v3::Listener;
using envoy::extensions::transport_sockets::tls::v3::DownstreamTlsContext;
using envoy::extensions::transport_sockets::tls::v3::UpstreamTlsContext;
using envoy::service::discovery::v3::DeltaDiscoveryResponse;
using envoy::service::discovery::v3::DiscoveryResponse;
using namespace std::chrono_literals;

// Records the waiters' calls.
struct Fired {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<uint64_t, CertificateGate::Release>> calls;
  absl::Time at = absl::InfinitePast();

  CertificateGate::Waiter waiter() {
    return [this](uint64_t id, CertificateGate::Release why) {
      std::lock_guard lock(mu);
      calls.emplace_back(id, why);
      at = absl::Now();
      cv.notify_all();
    };
  }
  bool waitFor(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return calls.size() >= n; });
  }
  size_t count() {
    std::lock_guard lock(mu);
    return calls.size();
  }
};

TEST(CertificateGateTest, StartsClosedAndHoldsUntilTheFilesAreWritten) {
  CertificateGate gate(absl::Seconds(30));
  EXPECT_FALSE(gate.isOpen());
  Fired fired;
  auto id = gate.waitUnlessOpen(fired.waiter());
  ASSERT_TRUE(id.has_value());
  EXPECT_FALSE(fired.waitFor(1, 300ms)) << "released with no files written";

  absl::Time written = absl::Now();
  gate.filesWritten();
  ASSERT_TRUE(fired.waitFor(1, 2s));
  EXPECT_EQ(fired.calls[0], std::make_pair(*id, CertificateGate::Release::kFilesWritten));
  EXPECT_LT(fired.at - written, absl::Milliseconds(100)) << "released at once, not polled";
  EXPECT_TRUE(gate.isOpen());
  EXPECT_FALSE(gate.waitUnlessOpen(fired.waiter()).has_value()) << "an open gate holds nothing";
}

TEST(CertificateGateTest, ReleasesWithATimeoutWhenNoFilesCome) {
  CertificateGate gate(absl::Milliseconds(400));
  Fired early, late;
  absl::Time start = absl::Now();
  auto first = gate.waitUnlessOpen(early.waiter());
  std::this_thread::sleep_for(200ms);
  auto second = gate.waitUnlessOpen(late.waiter());
  ASSERT_TRUE(early.waitFor(1, 3s));
  EXPECT_EQ(early.calls[0], std::make_pair(*first, CertificateGate::Release::kTimedOut));
  EXPECT_GE(early.at - start, absl::Milliseconds(400));
  EXPECT_EQ(late.count(), 0u) << "each waiter has its own deadline";
  ASSERT_TRUE(late.waitFor(1, 3s));
  EXPECT_EQ(late.calls[0], std::make_pair(*second, CertificateGate::Release::kTimedOut));
  EXPECT_FALSE(gate.isOpen());
}

TEST(CertificateGateTest, OutdatedFilesCloseTheGateAgainAndCancelledWaitersNeverRun) {
  CertificateGate gate(absl::Milliseconds(300));
  gate.filesWritten();
  gate.filesOutdated();  // the mesh has no mTLS any more
  EXPECT_FALSE(gate.isOpen());
  Fired cancelled, kept;
  auto id = gate.waitUnlessOpen(cancelled.waiter());
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(gate.waitUnlessOpen(kept.waiter()).has_value());
  gate.cancel(*id);
  gate.filesWritten();
  ASSERT_TRUE(kept.waitFor(1, 2s));
  std::this_thread::sleep_for(500ms);  // past the deadline too
  EXPECT_EQ(cancelled.count(), 0u);
}

TEST(CertificateGateTest, ReplacedFilesOpenTheGateTwoProviderRefreshesLater) {
  CertificateGate gate(absl::Seconds(30));
  gate.setProviderRefresh(absl::Milliseconds(250));
  gate.filesWritten(/*replaced=*/true);  // the first files: nothing loaded them before
  EXPECT_TRUE(gate.isOpen());
  gate.filesOutdated();

  Fired fired;
  ASSERT_TRUE(gate.waitUnlessOpen(fired.waiter()).has_value());
  absl::Time written = absl::Now();
  gate.filesWritten(/*replaced=*/true);  // the application may hold the previous ones
  EXPECT_FALSE(gate.isOpen());
  ASSERT_TRUE(fired.waitFor(1, 3s));
  EXPECT_EQ(fired.calls[0].second, CertificateGate::Release::kFilesWritten);
  EXPECT_GE(fired.at - written, absl::Milliseconds(500));  // two refreshes
  EXPECT_TRUE(gate.isOpen());

  // Unchanged files open it at once; closing it cancels a delayed opening.
  gate.filesOutdated();
  gate.filesWritten(/*replaced=*/false);
  EXPECT_TRUE(gate.isOpen());
  gate.filesOutdated();
  gate.filesWritten(/*replaced=*/true);
  gate.filesOutdated();
  std::this_thread::sleep_for(700ms);
  EXPECT_FALSE(gate.isOpen());
}

// --- which responses name the certificate files ---------------------------------

template <typename T>
void useProviders(T& tls) {
  auto* common = tls.mutable_common_tls_context();
  common->mutable_tls_certificate_provider_instance()->set_instance_name("default");
  common->mutable_validation_context()->mutable_ca_certificate_provider_instance()->set_instance_name(
      "default");
}

Cluster plainCluster(const std::string& name) {
  Cluster c;
  c.set_name(name);
  return c;
}

Cluster tlsCluster(const std::string& name) {
  Cluster c = plainCluster(name);
  UpstreamTlsContext tls;
  useProviders(tls);
  c.mutable_transport_socket()->set_name("envoy.transport_sockets.tls");
  c.mutable_transport_socket()->mutable_typed_config()->PackFrom(tls);
  return c;
}

Listener tlsServerListener() {
  Listener l;
  l.set_name("grpc/server?xds.resource.listening_address=127.0.0.1:8080");
  l.add_filter_chains()->set_name("plaintext-first");
  DownstreamTlsContext tls;
  useProviders(tls);
  tls.mutable_require_client_certificate()->set_value(true);
  auto* chain = l.add_filter_chains();
  chain->mutable_transport_socket()->set_name("envoy.transport_sockets.tls");
  chain->mutable_transport_socket()->mutable_typed_config()->PackFrom(tls);
  return l;
}

template <typename M>
DiscoveryResponse sotw(const std::string& version, std::initializer_list<M> resources) {
  DiscoveryResponse r;
  r.set_version_info(version);
  r.set_type_url("type.googleapis.com/" + M::descriptor()->full_name());
  for (const auto& m : resources) r.add_resources()->PackFrom(m);
  return r;
}

TEST(ResponseHoldTest, TlsClustersAndListenersNameTheCertificateFiles) {
  EXPECT_TRUE(namesCertificateFiles(sotw("1", {plainCluster("a"), tlsCluster("b")})));
  EXPECT_FALSE(namesCertificateFiles(sotw("1", {plainCluster("a"), plainCluster("b")})));
  EXPECT_TRUE(namesCertificateFiles(sotw("1", {tlsServerListener()})));
  Listener api;
  api.set_name("echo.mesh:8080");
  EXPECT_FALSE(namesCertificateFiles(sotw("1", {api})));

  // A TLS context with its material inline or by SDS names no file of ours.
  Cluster sds = plainCluster("sds");
  UpstreamTlsContext tls;
  tls.mutable_common_tls_context()->add_tls_certificate_sds_secret_configs()->set_name("x");
  sds.mutable_transport_socket()->mutable_typed_config()->PackFrom(tls);
  EXPECT_FALSE(namesCertificateFiles(sotw("1", {sds})));

  DeltaDiscoveryResponse delta;
  delta.add_resources()->mutable_resource()->PackFrom(plainCluster("a"));
  EXPECT_FALSE(namesCertificateFiles(delta));
  delta.add_resources()->mutable_resource()->PackFrom(tlsCluster("b"));
  EXPECT_TRUE(namesCertificateFiles(delta));
}

TEST(ResponseHoldTest, StateOfTheWorldKeepsOnlyTheLatestResponse) {
  HeldResponses<DiscoveryResponse> held;
  absl::Time t0 = absl::Now();
  auto first = sotw("v1", {tlsCluster("a")});
  const std::string type = first.type_url();
  held.hold(first, 7, t0);
  EXPECT_TRUE(held.holds(type));
  held.add(sotw("v2", {tlsCluster("a"), tlsCluster("b")}));
  EXPECT_FALSE(held.release(type, 8, t0).has_value()) << "another waiter's";
  auto out = held.release(type, 7, t0 + absl::Seconds(2));
  ASSERT_TRUE(out.has_value());
  ASSERT_EQ(out->responses.size(), 1u);
  EXPECT_EQ(out->responses[0].version_info(), "v2");
  EXPECT_EQ(out->held_for, absl::Seconds(2));
  EXPECT_FALSE(held.holds(type));
}

TEST(ResponseHoldTest, ASupersedingResponseDropsTheHeldOne) {
  HeldResponses<DiscoveryResponse> held;
  auto res = sotw("v1", {tlsCluster("a")});
  held.hold(res, 3, absl::Now());
  EXPECT_EQ(held.waiters(), std::vector<uint64_t>{3});
  EXPECT_EQ(held.drop(res.type_url()), std::optional<uint64_t>(3));
  EXPECT_FALSE(held.holds(res.type_url()));
  EXPECT_FALSE(held.release(res.type_url(), 3, absl::Now()).has_value());
  EXPECT_TRUE(held.waiters().empty());
}

TEST(ResponseHoldTest, DeltaKeepsEveryResponseInOrder) {
  HeldResponses<DeltaDiscoveryResponse> held;
  auto delta = [](const std::string& v) {
    DeltaDiscoveryResponse r;
    r.set_type_url("type.googleapis.com/envoy.config.cluster.v3.Cluster");
    r.set_system_version_info(v);
    return r;
  };
  held.hold(delta("1"), 1, absl::Now());
  held.add(delta("2"));
  held.add(delta("3"));
  auto out = held.release(delta("x").type_url(), 1, absl::Now());
  ASSERT_TRUE(out.has_value());
  ASSERT_EQ(out->responses.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(out->responses[i].system_version_info(), std::to_string(i + 1));
  }
}

}  // namespace
}  // namespace ursa::dp
