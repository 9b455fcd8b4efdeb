#include "test/e2e/mesh_fixture.h"

#include <algorithm>
#include <iostream>

#include "nlohmann/json.hpp"
#include "test/support/fake_clock.h"

namespace ursa::e2e {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

Predicate atLeast(size_t n) {
  return [n](const std::vector<Call>& calls) { return calls.size() >= n; };
}

std::set<std::string> okInstances(const std::vector<Call>& calls) {
  std::set<std::string> out;
  for (const auto& c : calls) {
    if (c.ok()) out.insert(c.instance);
  }
  return out;
}

size_t failures(const std::vector<Call>& calls) {
  size_t n = 0;
  for (const auto& c : calls) n += c.ok() ? 0 : 1;
  return n;
}

size_t withCode(const std::vector<Call>& calls, int code) {
  size_t n = 0;
  for (const auto& c : calls) n += c.code == code ? 1 : 0;
  return n;
}

Predicate lastCalls(size_t n, std::function<bool(const Call&)> each) {
  return [n, each = std::move(each)](const std::vector<Call>& calls) {
    if (calls.size() < n) return false;
    for (size_t i = calls.size() - n; i < calls.size(); ++i) {
      if (!each(calls[i])) return false;
    }
    return true;
  };
}

Predicate lastCallsMutual(size_t n) {
  return lastCalls(n, [](const Call& c) {
    return c.ok() && c.security == "tls" && c.peer_identity == kClientIdentity &&
           c.server_identity == kServerIdentity;
  });
}

Predicate lastCallsPlain(size_t n) {
  return lastCalls(n, [](const Call& c) {
    return c.ok() && c.security == "insecure" && c.peer_identity.empty();
  });
}

void MeshE2eTest::SetUp() {
  dir_ = test::scratchDir("e2e-grpc");
  cp_ = std::make_unique<ControlPlane>(dir_);
  ASSERT_TRUE(cp_->error().empty()) << cp_->error();
}

void MeshE2eTest::TearDown() {
  if (HasFailure()) dumpLogs();
  for (auto& w : workloads_) w->stop();
  workloads_.clear();
  others_.clear();
  cp_.reset();
  if (!HasFailure()) fs::remove_all(dir_);
}

void MeshE2eTest::dumpLogs() {
  std::cerr << "--- ursa-cp log (tail) ---\n" << tail(cp_->log()) << "\n";
  for (auto& w : workloads_) {
    std::cerr << "--- " << w->name() << " log (tail) ---\n" << tail(w->log(), 25) << "\n";
  }
  std::cerr << "logs kept in " << dir_ << "\n";
}

Workload& MeshE2eTest::startServer(const std::string& name, uint16_t port,
                                   const DataplaneSpec& spec, std::vector<std::string> extra) {
  std::vector<std::string> app = {binDir() + "/ursa-demo-server", "--name", name, "--port",
                                  std::to_string(port)};
  app.insert(app.end(), extra.begin(), extra.end());
  return startWorkload(name, spec, "server", port, std::move(app));
}

Workload& MeshE2eTest::startClient(std::vector<std::string> extra, const std::string& name,
                                   const std::string& service, int interval_ms) {
  std::vector<std::string> app = {binDir() + "/ursa-demo-client", "--target", "xds:///echo.mesh",
                                  "--count", "0", "--interval-ms", std::to_string(interval_ms),
                                  "--calls",
                                  // Reconnect fast: a stale endpoint would be retried soon.
                                  "--max-reconnect-backoff-ms", "200"};
  if (std::find(extra.begin(), extra.end(), "--deadline-ms") == extra.end()) {
    app.insert(app.end(), {"--deadline-ms", "1000"});
  }
  app.insert(app.end(), extra.begin(), extra.end());
  Workload& client = startWorkload(name, {service, {}}, "client", freePort(), std::move(app));
  if (client_ == nullptr) client_ = &client;
  return client;
}

Workload& MeshE2eTest::startWorkload(const std::string& name, const DataplaneSpec& spec,
                                     const std::string& demo_template, uint16_t port,
                                     std::vector<std::string> app) {
  // The demo's own templates where they fit, so that they stay tested.
  std::string demo_service = demo_template == "server" ? "echo" : "echo-client";
  bool demo = spec.tags.empty() && spec.service == demo_service;
  workloads_.push_back(demo ? std::make_unique<Workload>(*cp_, dir_, name, demo_template, port, app)
                            : std::make_unique<Workload>(*cp_, dir_, name, spec, port, app));
  return *workloads_.back();
}

std::vector<Call> MeshE2eTest::calls(const Workload& client) const {
  return parseCalls(client.log());
}

std::vector<Call> MeshE2eTest::callsSince(const Workload& client, int64_t t) const {
  return e2e::callsSince(calls(client), t);
}

bool MeshE2eTest::callsEventually(const Workload& client, int64_t t, const Predicate& p,
                                  milliseconds timeout) const {
  return eventually([&] { return p(callsSince(client, t)); }, timeout);
}

int64_t MeshE2eTest::putPolicy(const std::string& path, const std::string& json) {
  std::string name = nlohmann::json::parse(json).at("name");
  auto [status, body] = cp_->api("PUT", "/meshes/default/" + path + "/" + name, json);
  int64_t done = unixMillis();
  EXPECT_TRUE(status == 200 || status == 201) << path << "/" << name << ": " << status << " "
                                              << body;
  return done;
}

int64_t MeshE2eTest::deletePolicy(const std::string& path, const std::string& name) {
  auto [status, body] = cp_->api("DELETE", "/meshes/default/" + path + "/" + name);
  int64_t done = unixMillis();
  EXPECT_EQ(status, 200) << path << "/" << name << ": " << body;
  return done;
}

bool MeshE2eTest::plainCallSucceeds(uint16_t port) const {
  test::ProcessResult r = test::runProcess(
      {binDir() + "/ursa-demo-client", "--plain", "--target", "127.0.0.1:" + std::to_string(port),
       "--count", "1", "--deadline-ms", "1000"},
      {}, "", 10s);
  return r.exit_code == 0;
}

void MeshE2eTest::startPlainServer(const std::string& name, uint16_t port) {
  others_.push_back(std::make_unique<test::BackgroundProcess>(
      std::vector<std::string>{binDir() + "/ursa-demo-server", "--plain", "--name", name,
                               "--port", std::to_string(port)},
      std::map<std::string, std::string>{}, (dir_ / (name + ".log")).string()));
}

}  // namespace ursa::e2e
