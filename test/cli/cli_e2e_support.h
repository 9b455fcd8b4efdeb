#pragma once

// What ursactl's end-to-end tests share (cli_e2e_*_test.cc): one real ursa-cp
// per test process (memory store, API and diagnostics on free ports), started
// by the suite, and the real ursactl binary run with a config dir of each
// test's own.

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "test/support/processes.h"
#include "absl/strings/escaping.h"
#include "src/api/auth/jwt_dataplane_tokens.h"
#include "src/cli/curl_transport.h"
#include "src/store/memory/memory_store.h"
#include "test/cli/process.h"
#include "test/support/fake_clock.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"
#include "ursa/system/v1alpha1/secret.pb.h"

namespace ursa::cli::e2e {

namespace fs = std::filesystem;
using model::Json;
using test::ProcessResult;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

using test::binDir;
using test::freePort;

inline int httpStatus(const std::string& url) {
  auto t = makeCurlTransport({.base_url = url, .timeout = absl::Seconds(2)});
  if (!t.ok()) return 0;
  auto r = (*t)->send({.method = "GET", .target = ""});
  return r.ok() ? r->status : 0;
}

// One control plane for the suite.
struct Server {
  fs::path dir;
  uint16_t api_port = 0;
  uint16_t https_port = 0;
  std::unique_ptr<test::BackgroundProcess> process;
  std::string error;  // why it is not running

  std::string apiUrl() const { return "http://127.0.0.1:" + std::to_string(api_port); }
  std::string log() const {
    std::ifstream in(dir / "ursa-cp.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};
inline Server* server = nullptr;

inline void startServer() {
  server = new Server;
  if (binDir().empty()) {
    server->error = "URSA_BINARY_DIR is not set (run through ctest)";
    return;
  }
  server->dir = test::scratchDir("cli-e2e-cp");
  server->api_port = freePort();
  server->https_port = freePort();
  uint16_t diagnostics = freePort();
  std::map<std::string, std::string> env = {
      {"URSA_STORE_TYPE", "memory"},
      {"URSA_API_SERVER_HTTP_PORT", std::to_string(server->api_port)},
      {"URSA_API_SERVER_HTTPS_PORT", std::to_string(server->https_port)},
      {"URSA_DP_SERVER_PORT", std::to_string(freePort())},
      {"URSA_DIAGNOSTICS_SERVER_PORT", std::to_string(diagnostics)},
      {"URSA_GENERAL_WORK_DIR", server->dir.string()},
      {"HOME", server->dir.string()},
      // Tests count policies per mesh: no default policies.
      {"URSA_DEFAULTS_SKIP_DEFAULT_POLICIES", "true"},
  };
  server->process = std::make_unique<test::BackgroundProcess>(
      std::vector<std::string>{binDir() + "/ursa-cp", "run"}, env,
      (server->dir / "ursa-cp.log").string());
  std::string ready = "http://127.0.0.1:" + std::to_string(diagnostics) + "/ready";
  // Ready means this process answers on both ports the tests use: a /ready
  // alone could come from another test's server on a colliding port.
  for (int i = 0; i < 200; ++i) {
    if (!server->process->running()) break;
    if (httpStatus(ready) == 200 && httpStatus(server->apiUrl() + "/") == 200 &&
        server->process->running()) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  server->error = "ursa-cp did not become ready; its log:\n" + server->log();
}

class CliE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { startServer(); }
  static void TearDownTestSuite() {
    server->process.reset();
    if (!server->dir.empty()) fs::remove_all(server->dir);
    delete server;
    server = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(server->error.empty()) << server->error;
    home_ = test::scratchDir("cli-e2e-home");
    ProcessResult added = ursactl(
        {"config", "control-planes", "add", "--name", "e2e", "--address", server->apiUrl()});
    ASSERT_EQ(added.exit_code, 0) << added.err;
  }
  void TearDown() override { fs::remove_all(home_); }

  std::map<std::string, std::string> env() const {
    return {{"XDG_CONFIG_HOME", (home_ / "config").string()}, {"HOME", home_.string()}};
  }
  fs::path configFile() const { return home_ / "config" / "ursactl" / "config.yaml"; }

  ProcessResult ursactl(std::vector<std::string> args, const std::string& stdin_text = "") const {
    args.insert(args.begin(), binDir() + "/ursactl");
    return test::runProcess(args, env(), stdin_text);
  }
  // Runs ursactl and expects success.
  std::string ok(const std::vector<std::string>& args, const std::string& stdin_text = "") const {
    ProcessResult r = ursactl(args, stdin_text);
    EXPECT_EQ(r.exit_code, 0) << testing::PrintToString(args) << "\nstderr: " << r.err;
    return r.out;
  }
  fs::path writeFile(const std::string& name, const std::string& text) const {
    fs::path p = home_ / name;
    std::ofstream(p) << text;
    return p;
  }

  fs::path home_;
};

inline constexpr char kManifest[] = R"(type: Mesh
name: {{ mesh }}
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
---
type: Dataplane
mesh: {{ mesh }}
name: {{ dp.name }}
networking:
  address: {{ dp.address }}
  inbound:
  - port: 8080
    tags:
      kuma.io/service: web
      version: v1
---
type: MeshTimeout
name: timeout-1
mesh: {{ mesh }}
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: Mesh
    default:
      idleTimeout: 20s
)";

}  // namespace ursa::cli::e2e
