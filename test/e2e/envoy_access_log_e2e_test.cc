// `ursa-dp run --proxy envoy` with a real ursa-cp and a fake Envoy (a shell
// script standing in for the binary): the agent creates the MeshAccessLog
// tcp backend's FIFO before Envoy starts, relays what Envoy's file logger
// writes there to the TCP collector, and removes the FIFO when Envoy ends.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "test/e2e/mesh_harness.h"
#include "test/support/tcp_collector.h"

namespace ursa::e2e {
namespace {

namespace fs = std::filesystem;

bool isFifo(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
}

TEST(EnvoyAccessLogE2eTest, TheAgentRelaysEnvoysTcpBackendLinesToTheCollector) {
  if (binDir().empty()) GTEST_SKIP() << "URSA_BINARY_DIR is not set (run through ctest)";
  char tmpl[] = "/tmp/ursa-alog-e2e-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  fs::path dir = tmpl;
  ControlPlane cp(dir / "cp");
  ASSERT_TRUE(cp.error().empty()) << cp.error();

  test::TcpCollector collector;
  const std::string name = "alog-" + std::to_string(::getpid());
  const std::string fifo = "/tmp/kuma-al-" + name + "-default.sock";
  // Envoy's file logger: open the path for append, write a JSON line, and
  // keep running until signalled.
  fs::path envoy = dir / "fake-envoy.sh";
  std::ofstream(envoy) << "#!/bin/sh\n"
                       << "[ -p '" << fifo << "' ] || { echo 'no FIFO before envoy'; exit 3; }\n"
                       << "printf '%s\\n' '{\"address\":\"" << collector.address()
                       << "\",\"message\":\"GET /hello 200\\n\"}' >> '" << fifo << "'\n"
                       << "exec sleep 60\n";
  fs::permissions(envoy, fs::perms::owner_all);
  fs::path dataplane = dir / "dataplane.yaml";
  std::ofstream(dataplane) << "type: Dataplane\nmesh: default\nname: {{ name }}\nnetworking:\n"
                              "  address: 127.0.0.1\n  inbound:\n  - port: 18080\n    tags:\n"
                              "      kuma.io/service: web\n";
  fs::path log = dir / "ursa-dp.log";
  test::BackgroundProcess agent(
      {binDir() + "/ursa-dp", "run", "--proxy", "envoy", "--binary-path", envoy.string(),
       "--cp-address", cp.cpAddress(), "--dataplane-file", dataplane.string(), "-v",
       "name=" + name, "--dataplane-token-file", cp.tokenFile(name).string(), "--ca-cert-file",
       cp.caCertFile().string(), "--work-dir", (dir / "dp").string(), "--admin-port", std::to_string(freePort()),
       "--cp-retry-backoff", "200ms"},
      {}, log.string());

  bool relayed = collector.waitForLines(1, milliseconds(20000));
  EXPECT_TRUE(relayed) << tail(readFile(log));
  if (relayed) {
    EXPECT_EQ(collector.data(), "GET /hello 200\n");
    EXPECT_TRUE(isFifo(fifo));
  }
  agent.stop();  // SIGTERM, forwarded to the fake Envoy
  EXPECT_FALSE(fs::exists(fifo)) << tail(readFile(log));
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace ursa::e2e
