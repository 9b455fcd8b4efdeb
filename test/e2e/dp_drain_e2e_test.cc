// ursa-dp stopping an Envoy sidecar the way kuma-dp 2.2 does: the first
// SIGTERM makes Envoy fail its health checks and drain (POST
// /healthcheck/fail on its admin port) and reaches Envoy only after
// --drain-time; a second signal, an admin port that does not answer, or a
// drain time of 0s stops it at once. Real ursa-cp and ursa-dp; Envoy is a script that records
// when it got the signal, and its admin interface the test's own HTTP server.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "src/http/server.h"
#include "test/e2e/control_plane_suite.h"
#include "test/e2e/mesh_harness.h"

namespace ursa::e2e {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kTemplate[] =
    "type: Dataplane\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: 18300\n"
    "    tags:\n      kuma.io/service: web\n";

class DpDrainE2eTest : public ControlPlaneSuite {
 protected:
  void TearDown() override {
    if (admin_) admin_->stop();
  }

  // Envoy's admin interface: answers POST /healthcheck/fail with 200 and
  // remembers when it came.
  uint16_t startAdmin() {
    auto s = http::Server::start({.name = "fake-envoy-admin"}, [this](const http::Request& r) {
      if (r.method == "POST" && r.path == "/healthcheck/fail") {
        failed_at_.store(Clock::now().time_since_epoch().count());
        return http::Response::text(200, "OK\n");
      }
      return http::Response::text(404, "");
    });
    EXPECT_TRUE(s.ok()) << s.status();
    admin_ = std::move(*s);
    return admin_->port();
  }

  // An Envoy that marks <name>.started, and on SIGTERM or SIGINT writes
  // <name>.stopped and exits.
  static fs::path fakeEnvoy(const std::string& name) {
    fs::path script = *dir_ / (name + "-envoy.sh");
    std::string mark = (*dir_ / name).string();
    std::ofstream(script) << "#!/bin/sh\n"
                          << "trap 'touch \"" << mark << ".stopped\"; exit 0' TERM INT\n"
                          << "touch \"" << mark << ".started\"\n"
                          << "while :; do sleep 0.05; done\n";
    fs::permissions(script, fs::perms::owner_all);
    return script;
  }

  // ursa-dp with Envoy `name` and the given admin port and drain time,
  // running once the fake Envoy has started.
  std::unique_ptr<test::BackgroundProcess> startAgent(const std::string& name, uint16_t admin,
                                                      const std::string& drain_time) {
    fs::path dp = *dir_ / (name + ".yaml");
    std::ofstream(dp) << "name: " << name << "\nmesh: default\n" << kTemplate;
    auto agent = std::make_unique<test::BackgroundProcess>(
        std::vector<std::string>{binDir() + "/ursa-dp", "run", "--proxy", "envoy",
                                 "--cp-address", cp_->cpAddress(), "--ca-cert-file",
                                 cp_->caCertFile().string(), "--dataplane-file", dp.string(),
                                 "--dataplane-token-file", cp_->tokenFile(name).string(),
                                 "--binary-path", fakeEnvoy(name).string(), "--admin-port",
                                 std::to_string(admin), "--drain-time", drain_time,
                                 "--work-dir", (*dir_ / ("work-" + name)).string()},
        std::map<std::string, std::string>{}, (*dir_ / (name + ".log")).string());
    bool started = eventually([&] { return fs::exists(*dir_ / (name + ".started")); },
                              std::chrono::milliseconds(20000));
    EXPECT_TRUE(started) << readFile(*dir_ / (name + ".log"));
    return agent;
  }

  static bool stopped(const std::string& name) { return fs::exists(*dir_ / (name + ".stopped")); }

  // Milliseconds from `since` until `done()` holds (polled every 20 ms), or
  // -1 after `limit`.
  template <typename F>
  static int64_t millisUntil(Clock::time_point since, F done, std::chrono::milliseconds limit) {
    while (Clock::now() - since < limit) {
      if (done()) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  http::ServerPtr admin_;
  std::atomic<Clock::rep> failed_at_{0};
};

TEST_F(DpDrainE2eTest, TheFirstSignalDrainsEnvoyForTheDrainTimeThenStopsIt) {
  auto agent = startAgent("drained", startAdmin(), "2s");
  auto t0 = Clock::now();
  ASSERT_EQ(::kill(agent->pid(), SIGTERM), 0);
  int64_t asked = millisUntil(t0, [&] { return failed_at_.load() != 0; },
                              std::chrono::milliseconds(3000));
  EXPECT_GE(asked, 0) << "Envoy was never told to fail its health checks\n"
                      << readFile(*dir_ / "drained.log");
  EXPECT_LT(asked, 1000);
  int64_t stop = millisUntil(t0, [&] { return stopped("drained"); },
                             std::chrono::milliseconds(10000));
  EXPECT_GE(stop, 1900) << "Envoy got the signal before the drain time";
  EXPECT_LT(stop, 5000) << readFile(*dir_ / "drained.log");
  EXPECT_GE(millisUntil(t0, [&] { return !agent->running(); }, std::chrono::milliseconds(10000)), 0)
      << "ursa-dp did not exit after Envoy";
}

TEST_F(DpDrainE2eTest, ASecondSignalStopsEnvoyWithoutWaitingForTheDrain) {
  auto agent = startAgent("impatient", startAdmin(), "30s");
  ASSERT_EQ(::kill(agent->pid(), SIGTERM), 0);
  ASSERT_GE(millisUntil(Clock::now(), [&] { return failed_at_.load() != 0; },
                        std::chrono::milliseconds(3000)),
            0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(stopped("impatient")) << "Envoy stopped during the drain";
  auto t1 = Clock::now();
  ASSERT_EQ(::kill(agent->pid(), SIGTERM), 0);
  int64_t stop = millisUntil(t1, [&] { return stopped("impatient"); },
                             std::chrono::milliseconds(5000));
  EXPECT_GE(stop, 0);
  EXPECT_LT(stop, 2000) << readFile(*dir_ / "impatient.log");
}

TEST_F(DpDrainE2eTest, AnEnvoyThatCannotBeDrainedIsStoppedAtOnce) {
  auto agent = startAgent("undrainable", test::freePort(), "30s");  // nothing listens there
  auto t0 = Clock::now();
  ASSERT_EQ(::kill(agent->pid(), SIGTERM), 0);
  int64_t stop = millisUntil(t0, [&] { return stopped("undrainable"); },
                             std::chrono::milliseconds(10000));
  EXPECT_GE(stop, 0);
  EXPECT_LT(stop, 3000);
  EXPECT_NE(readFile(*dir_ / "undrainable.log").find("could not be drained"), std::string::npos)
      << readFile(*dir_ / "undrainable.log");
}

TEST_F(DpDrainE2eTest, AZeroDrainTimeStopsEnvoyAtOnce) {
  auto agent = startAgent("no-drain", startAdmin(), "0s");
  auto t0 = Clock::now();
  ASSERT_EQ(::kill(agent->pid(), SIGTERM), 0);
  int64_t stop = millisUntil(t0, [&] { return stopped("no-drain"); },
                             std::chrono::milliseconds(10000));
  EXPECT_GE(stop, 0);
  EXPECT_LT(stop, 1500);
  EXPECT_EQ(failed_at_.load(), 0) << "Envoy was drained with --drain-time 0s";
}

}  // namespace
}  // namespace ursa::e2e
