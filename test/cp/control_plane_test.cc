// The control plane's lifecycle (src/cp/control_plane.h) and its diagnostics
// endpoint (src/cp/diagnostics.h), started from a configuration as ursa-cp
// starts them: real stores, a real port.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>

#include "src/config/cp_config.h"
#include "src/cp/control_plane.h"
#include "src/cp/diagnostics.h"
#include "test/support/fake_clock.h"
#include "test/support/http_client.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::cp {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using test::httpGet;
using test::httpRequest;

const model::ResourceType& meshType() { return model::TypeRegistry::instance().mesh(); }

class ControlPlaneTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::scratchDir("cp"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The configuration ursa-cp would load with `env` and no file; HOME is the
  // scratch directory and every port is 0 (free ports, as tests run in parallel).
  config::CpConfig configWith(std::map<std::string, std::string> env) {
    env.emplace("HOME", dir_.string());
    env.emplace("URSA_DIAGNOSTICS_SERVER_PORT", "0");
    env.emplace("URSA_DP_SERVER_PORT", "0");
    env.emplace("URSA_API_SERVER_HTTP_PORT", "0");
    env.emplace("URSA_API_SERVER_HTTPS_PORT", "0");
    auto c = config::loadConfig({.file = "", .env = env});
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : config::CpConfig{};
  }

  std::unique_ptr<ControlPlane> start(const config::CpConfig& c) {
    auto cp = ControlPlane::start(c);
    EXPECT_TRUE(cp.ok()) << cp.status();
    return cp.ok() ? std::move(*cp) : nullptr;
  }

  std::filesystem::path dir_;
};

// The value of the first sample line starting with `prefix` and containing
// every one of `labels`; -1 when there is none.
double sample(const std::string& text, const std::string& prefix,
              std::initializer_list<std::string> labels) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(prefix)) continue;
    bool all = true;
    for (const auto& l : labels) all = all && line.find(l) != std::string::npos;
    if (all) return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return -1;
}

TEST_F(ControlPlaneTest, DiagnosticsServeHealthReadinessAndMetrics) {
  auto cp = start(configWith({{"URSA_STORE_TYPE", "memory"}}));
  ASSERT_NE(cp, nullptr);
  uint16_t port = cp->diagnosticsPort();
  ASSERT_NE(port, 0);
  EXPECT_TRUE(cp->ready().ok()) << cp->ready();

  auto healthy = httpGet(port, "/healthy");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);

  auto ready = httpGet(port, "/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);

  auto metrics = httpGet(port, "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->header("content-type"), StartsWith("text/plain; version=0.0.4"));
  EXPECT_THAT(metrics->body, HasSubstr("# TYPE store histogram"));
  // The default mesh was created through the instrumented store, and /ready
  // listed meshes: both are in the `store` histogram, labelled as Kuma's.
  EXPECT_GE(sample(metrics->body, "store_count{",
                   {"operation=\"create\"", "resource_type=\"Mesh\"", "zone=\"Standalone\""}),
            1);
  EXPECT_GE(sample(metrics->body, "store_count{",
                   {"operation=\"list\"", "resource_type=\"Mesh\"", "zone=\"Standalone\""}),
            1);
  EXPECT_GE(sample(metrics->body, "store_bucket{",
                   {"operation=\"create\"", "zone=\"Standalone\"", "le=\"+Inf\""}),
            1);
  // The process collector's figures, from /proc/self of this (test) process.
  EXPECT_GT(sample(metrics->body, "process_resident_memory_bytes ", {}), 1 << 20);
  EXPECT_GT(sample(metrics->body, "process_cpu_seconds_total ", {}), 0);
  EXPECT_GT(sample(metrics->body, "process_open_fds ", {}), 3);
  EXPECT_GT(sample(metrics->body, "process_start_time_seconds ", {}), 1.7e9);

  auto missing = httpGet(port, "/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  auto post = httpRequest(port, "POST", "/ready");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->header("allow"), "GET, HEAD");

  auto head = httpRequest(port, "HEAD", "/healthy");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
}

TEST_F(ControlPlaneTest, DiagnosticsListenOnEveryInterface) {
  auto cp = start(configWith({{"URSA_STORE_TYPE", "memory"}}));
  ASSERT_NE(cp, nullptr);
  // Bound to 0.0.0.0, so reachable on a loopback address other than 127.0.0.1.
  auto c = test::HttpConnection::connect(cp->diagnosticsPort(), "127.0.0.2");
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->send("GET /healthy HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(ControlPlaneTest, TheDefaultMeshExistsAfterStart) {
  auto cp = start(configWith({{"URSA_STORE_TYPE", "memory"}}));
  ASSERT_NE(cp, nullptr);
  auto mesh = cp->manager().store().get({&meshType(), "", "default"});
  ASSERT_TRUE(mesh.ok()) << mesh.status();
  EXPECT_EQ((*mesh)->meta.name, "default");
}

TEST_F(ControlPlaneTest, SkipMeshCreationLeavesTheStoreEmpty) {
  auto cp = start(configWith(
      {{"URSA_STORE_TYPE", "memory"}, {"URSA_DEFAULTS_SKIP_MESH_CREATION", "true"}}));
  ASSERT_NE(cp, nullptr);
  auto mesh = cp->manager().store().get({&meshType(), "", "default"});
  EXPECT_TRUE(absl::IsNotFound(mesh.status())) << mesh.status();
  auto all = cp->manager().store().list({.type = &meshType()});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_TRUE(all->items.empty());
  // Ready all the same: readiness needs the store to answer, not a mesh.
  auto ready = httpGet(cp->diagnosticsPort(), "/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
}

TEST_F(ControlPlaneTest, ASqliteStoreKeepsResourcesAcrossARestart) {
  auto config = configWith(
      {{"URSA_STORE_TYPE", "sqlite"}, {"URSA_GENERAL_WORK_DIR", (dir_ / "work").string()}});
  EXPECT_EQ(config.store.sqlite_path, (dir_ / "work" / "ursa.db").string());
  int64_t default_version = 0;
  {
    auto cp = start(config);
    ASSERT_NE(cp, nullptr);
    auto doc = model::parseYaml("type: Mesh\nname: other\nmtls:\n  enabledBackend: ''\n");
    ASSERT_TRUE(doc.ok()) << doc.status();
    auto other = model::decodeResource(*doc);
    ASSERT_TRUE(other.ok()) << other.status();
    ASSERT_TRUE(cp->manager().create(*other).ok());
    auto d = cp->manager().store().get({&meshType(), "", "default"});
    ASSERT_TRUE(d.ok()) << d.status();
    default_version = (*d)->meta.version;
    cp->stop();
  }
  EXPECT_TRUE(std::filesystem::exists(dir_ / "work" / "ursa.db"));
  auto cp = start(config);
  ASSERT_NE(cp, nullptr);
  auto other = cp->manager().store().get({&meshType(), "", "other"});
  EXPECT_TRUE(other.ok()) << other.status();
  auto d = cp->manager().store().get({&meshType(), "", "default"});
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ((*d)->meta.version, default_version);  // found, not created again
  auto all = cp->manager().store().list({.type = &meshType()});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->items.size(), 2u);
}

TEST_F(ControlPlaneTest, StopIsIdempotentAndClosesTheDiagnostics) {
  auto cp = start(configWith({{"URSA_STORE_TYPE", "sqlite"}}));
  ASSERT_NE(cp, nullptr);
  uint16_t port = cp->diagnosticsPort();
  ASSERT_TRUE(httpGet(port, "/healthy"));
  cp->stop();
  cp->stop();
  EXPECT_EQ(cp->diagnosticsPort(), 0);
  EXPECT_FALSE(cp->ready().ok());
  EXPECT_FALSE(httpGet(port, "/healthy")) << "diagnostics still answer after stop()";
  // The store is closed: another control plane can open the same database.
  auto again = start(configWith({{"URSA_STORE_TYPE", "sqlite"}}));
  EXPECT_NE(again, nullptr);
  cp.reset();  // the destructor after stop() is fine
}

TEST_F(ControlPlaneTest, AFailedStartReleasesWhatItOpened) {
  // Hold a port, so that the diagnostics cannot listen on it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string busy = std::to_string(ntohs(addr.sin_port));

  auto config = configWith({{"URSA_STORE_TYPE", "sqlite"}});
  config.diagnostics_port = ntohs(addr.sin_port);
  auto failed = ControlPlane::start(config);
  ::close(fd);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(std::string(failed.status().message()), HasSubstr(busy));
  // The database the failed start opened is closed again.
  auto cp = start(configWith({{"URSA_STORE_TYPE", "sqlite"}}));
  EXPECT_NE(cp, nullptr);
}

TEST(DiagnosticsTest, ReadyFollowsTheReadinessCheck) {
  auto metrics = std::make_shared<Metrics>();
  std::atomic<bool> ok{false};
  auto server = startDiagnostics({.address = "127.0.0.1", .port = 0}, metrics, [&ok] {
    return ok ? absl::OkStatus() : absl::UnavailableError("store unreachable");
  });
  ASSERT_TRUE(server.ok()) << server.status();
  uint16_t port = (*server)->port();
  auto res = httpGet(port, "/ready");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_THAT(res->body, HasSubstr("store unreachable"));
  auto healthy = httpGet(port, "/healthy");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);  // alive, if not ready
  ok = true;
  res = httpGet(port, "/ready");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  (*server)->stop();
}

}  // namespace
}  // namespace ursa::cp
