// End to end: the real ursa-xds-load against a real ursa-cp (memory store,
// every port free, a scratch work dir): 200 simulated Envoys get complete
// configuration and every scenario sees its expected ACK count. No timed
// assertion: latencies are reported, never checked.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "test/support/processes.h"
#include "src/cli/curl_transport.h"
#include "test/cli/process.h"
#include "test/support/fake_clock.h"
#include "ursa/model/codec.h"

namespace ursa::loadsim {
namespace {

namespace fs = std::filesystem;
using model::Json;

using test::binDir;
using test::freePort;

int httpStatus(const std::string& url) {
  auto t = cli::makeCurlTransport({.base_url = url, .timeout = absl::Seconds(2)});
  if (!t.ok()) return 0;
  auto r = (*t)->send({.method = "GET", .target = ""});
  return r.ok() ? r->status : 0;
}

std::string readAll(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class LoadSimSmokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (binDir().empty()) GTEST_SKIP() << "URSA_BINARY_DIR is not set (run through ctest)";
    dir_ = test::scratchDir("loadsim-cp");
    api_port_ = freePort();
    dp_port_ = freePort();
    diagnostics_port_ = freePort();
    std::map<std::string, std::string> env = {
        {"URSA_STORE_TYPE", "memory"},
        {"URSA_API_SERVER_HTTP_PORT", std::to_string(api_port_)},
        {"URSA_API_SERVER_HTTPS_PORT", std::to_string(freePort())},
        {"URSA_DP_SERVER_PORT", std::to_string(dp_port_)},
        {"URSA_DIAGNOSTICS_SERVER_PORT", std::to_string(diagnostics_port_)},
        {"URSA_GENERAL_WORK_DIR", dir_.string()},
        {"URSA_LOG_LEVEL", "warn"},
        {"HOME", dir_.string()},
    };
    cp_ = std::make_unique<test::BackgroundProcess>(
        std::vector<std::string>{binDir() + "/ursa-cp", "run"}, env, (dir_ / "ursa-cp.log").string());
    std::string ready = "http://127.0.0.1:" + std::to_string(diagnostics_port_) + "/ready";
    for (int i = 0; i < 200 && cp_->running(); ++i) {
      if (httpStatus(ready) == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "ursa-cp did not become ready; its log:\n" << readAll(dir_ / "ursa-cp.log");
  }
  void TearDown() override {
    cp_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  test::ProcessResult simulate(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {
        binDir() + "/ursa-xds-load",
        "--cp-address", "https://127.0.0.1:" + std::to_string(dp_port_),
        "--api-address", "http://127.0.0.1:" + std::to_string(api_port_),
        "--diagnostics-address", "http://127.0.0.1:" + std::to_string(diagnostics_port_),
        "--ca-cert-file", (dir_ / "dp-server.crt").string(),
        "--output", "json",
        "--connect-timeout", "20s",
        "--scenario-timeout", "10s"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return test::runProcess(argv, {}, "", std::chrono::seconds(60));
  }

  // Checks the JSON report of a run of `proxies` proxies with every scenario.
  void expectEverythingDelivered(const test::ProcessResult& r, size_t proxies) {
    ASSERT_EQ(r.exit_code, 0) << r.out << "\n" << r.err << "\nursa-cp log:\n"
                              << readAll(dir_ / "ursa-cp.log");
    Json report = Json::parse(r.out);
    EXPECT_TRUE(report["ok"].get<bool>()) << report.dump(2);
    EXPECT_EQ(report["initial"]["complete"], proxies);
    EXPECT_EQ(report["traffic"]["stream_errors"], 0);
    for (const char* name : {"endpoint", "policy", "reconnect"}) {
      SCOPED_TRACE(name);
      const Json& s = report["scenarios"][name];
      ASSERT_TRUE(s.is_object()) << report.dump(2);
      EXPECT_GT(s["expected"].get<size_t>(), 0u);
      EXPECT_EQ(s["delivered"], s["expected"]);
    }
    EXPECT_EQ(report["scenarios"]["policy"]["expected"], proxies);
    EXPECT_EQ(report["scenarios"]["reconnect"]["expected"], proxies);
    EXPECT_TRUE(report["control_plane"]["end"]["metrics"].contains("xds_generation_count"));
  }

  fs::path dir_;
  uint16_t api_port_ = 0, dp_port_ = 0, diagnostics_port_ = 0;
  std::unique_ptr<test::BackgroundProcess> cp_;
};

TEST_F(LoadSimSmokeTest, TwoHundredProxiesGetConfigurationAndEveryChange) {
  auto r = simulate({"--proxies", "200", "--hold", "2s", "--scenarios", "endpoint,policy,reconnect"});
  expectEverythingDelivered(r, 200);
  // Everything it registered is gone again (the mesh it created included).
  auto api = cli::makeCurlTransport(
      {.base_url = "http://127.0.0.1:" + std::to_string(api_port_), .timeout = absl::Seconds(5)});
  ASSERT_TRUE(api.ok());
  auto mesh = (*api)->send({.method = "GET", .target = "/meshes/loadsim"});
  ASSERT_TRUE(mesh.ok());
  EXPECT_EQ(mesh->status, 404) << mesh->body;
}

TEST_F(LoadSimSmokeTest, DeltaStreamsWithNacksStillGetEveryChange) {
  auto r = simulate({"--proxies", "60", "--hold", "0s", "--delta", "--nack-fraction", "0.2",
                     "--mesh", "loadsim-delta"});
  expectEverythingDelivered(r, 60);
}

}  // namespace
}  // namespace ursa::loadsim
