// End to end: timeouts, retries and outlier detection, as gRPC C++ 1.51
// proxyless clients (the demo) take them from ursa-cp through ursa-dp.
//
// The demo server answers "sleep:MS" after MS milliseconds; started with
// --fail-code 13 an instance fails every call with INTERNAL, a status the
// default retry policy (unavailable, cancelled, resource-exhausted) does not
// retry, so without a policy about half the calls of a client balancing
// over a healthy and a broken instance fail.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>

#include "test/e2e/mesh_fixture.h"

namespace ursa::e2e {
namespace {

using namespace std::chrono_literals;

constexpr int kDeadlineExceeded = 4;
constexpr int kInternal = 13;

// requestTimeout 3 s from echo-client to echo. gRPC C++ 1.51 gets it as 5 s
// (2 s headroom) and fires it 1-2 s early: the call ends after 3-4 s.
constexpr char kTimeout3s[] = R"({"type":"MeshTimeout","mesh":"default","name":"echo-3s",
  "spec":{"targetRef":{"kind":"MeshService","name":"echo-client"},
  "to":[{"targetRef":{"kind":"MeshService","name":"echo"},
         "default":{"http":{"requestTimeout":"3s"}}}]}})";
constexpr int64_t kWindowLowMs = 3000;
constexpr int64_t kWindowHighMs = 4000;
// What a loaded machine may add to when a deadline is noticed and logged.
constexpr int64_t kSchedulingSlackMs = 500;

constexpr char kRetryInternal[] = R"({"type":"MeshRetry","mesh":"default","name":"echo-retry",
  "spec":{"targetRef":{"kind":"Mesh"},"to":[{"targetRef":{"kind":"MeshService","name":"echo"},
  "default":{"grpc":{"numRetries":3,"retryOn":["Internal","Unavailable"],
                     "backOff":{"baseInterval":"10ms","maxInterval":"50ms"}}}}]}})";

// Ejects an instance failing at least half of at least 5 calls a second.
constexpr char kOutlierDetection[] = R"({"type":"MeshCircuitBreaker","mesh":"default",
  "name":"echo-outliers","spec":{"targetRef":{"kind":"Mesh"},
  "to":[{"targetRef":{"kind":"MeshService","name":"echo"},"default":{"outlierDetection":{
    "interval":"1s","baseEjectionTime":"30s","maxEjectionPercent":50,
    "detectors":{"failurePercentage":{"minimumHosts":2,"requestVolume":5,"threshold":50}}}}}]}})";

class GrpcPolicyResilienceE2eTest : public MeshE2eTest {
 protected:
  // echo-1, echo-2 failing every call with INTERNAL, and client-1 calling
  // every 20 ms; returns once the client has seen both (the control: with
  // no policy for it, echo-2's failures reach the client).
  void startHealthyAndBrokenEcho() {
    startServer("echo-1", freePort());
    startServer("echo-2", freePort(), {"echo", {}}, {"--fail-code", std::to_string(kInternal)});
    startClient({}, "client-1", "echo-client", 20);
    int64_t start = unixMillis();
    ASSERT_TRUE(callsEventually(start, [](const auto& c) {
      return withCode(c, kInternal) >= 5 && okInstances(c).count("echo-1") == 1;
    }, 30s)) << describe(callsSince(start));
  }
};

// (2) A request timeout ends a call the server holds for 7 s with
// DEADLINE_EXCEEDED inside the window documented for gRPC C++ 1.51, while
// a call the server answers after 200 ms succeeds.
TEST_F(GrpcPolicyResilienceE2eTest, RequestTimeoutEndsSlowCallsInTheDocumentedWindow) {
  putPolicy("meshtimeouts", kTimeout3s);
  startServer("echo-1", freePort());
  // Application deadlines far beyond the policy's: only xDS can end the calls.
  Workload& slow = startClient({"--message", "sleep:7000", "--deadline-ms", "20000"},
                               "client-slow", "echo-client");
  Workload& fast = startClient({"--message", "sleep:200", "--deadline-ms", "20000"},
                               "client-fast", "echo-client");
  int64_t start = unixMillis();
  auto timedOut = [](const Call& c) { return c.code == kDeadlineExceeded; };
  ASSERT_TRUE(callsEventually(slow, start, lastCalls(3, timedOut), 45s))
      << describe(callsSince(slow, start));
  ASSERT_TRUE(callsEventually(fast, start, lastCalls(5, &Call::ok), 15s))
      << describe(callsSince(fast, start));

  std::vector<Call> slow_calls = callsSince(slow, start);
  std::string latencies;
  for (size_t i = slow_calls.size() - 3; i < slow_calls.size(); ++i) {
    const Call& c = slow_calls[i];
    latencies += std::to_string(c.latency_ms) + " ";
    EXPECT_GE(c.latency_ms, kWindowLowMs) << describe(slow_calls);
    EXPECT_LE(c.latency_ms, kWindowHighMs + kSchedulingSlackMs) << describe(slow_calls);
  }
  for (const Call& c : callsSince(fast, start)) {
    if (c.ok()) {
      EXPECT_GE(c.latency_ms, 200);
    }
  }
  std::cerr << "requestTimeout 3s, server delay 7s, gRPC C++ 1.51: calls ended after "
            << latencies << "ms\n";
}

// (5) One of two instances fails every call (INTERNAL). Without a retry
// policy for that status some calls fail; with one retrying it, every call
// succeeds (each retry picks the next instance).
TEST_F(GrpcPolicyResilienceE2eTest, RetriesMakeAFailingInstanceInvisible) {
  ASSERT_NO_FATAL_FAILURE(startHealthyAndBrokenEcho());

  putPolicy("meshretries", kRetryInternal);
  int64_t applied = unixMillis();
  ASSERT_TRUE(callsEventually(applied, lastCalls(40, &Call::ok), 20s))
      << describe(callsSince(applied));
  std::vector<Call> window = callsSince(applied);
  window.erase(window.begin(), window.end() - 40);
  EXPECT_EQ(okInstances(window), std::set<std::string>{"echo-1"}) << describe(window);
}

// (7) Outlier detection (failure percentage) ejects the failing instance:
// calls converge on the healthy one.
TEST_F(GrpcPolicyResilienceE2eTest, OutlierDetectionEjectsTheFailingInstance) {
  ASSERT_NO_FATAL_FAILURE(startHealthyAndBrokenEcho());

  int64_t applied = putPolicy("meshcircuitbreakers", kOutlierDetection);
  ASSERT_TRUE(callsEventually(applied, lastCalls(50, [](const Call& c) {
    return c.ok() && c.instance == "echo-1";
  }), 20s)) << describe(callsSince(applied));
  std::vector<Call> since = callsSince(applied);
  int64_t last_failure_ms = 0;
  for (const Call& c : since) {
    if (!c.ok()) last_failure_ms = c.t_ms - applied;
  }
  std::cerr << "outlier detection: " << withCode(since, kInternal)
            << " failed calls after the PUT, the last " << last_failure_ms << " ms after it\n";
}

}  // namespace
}  // namespace ursa::e2e
