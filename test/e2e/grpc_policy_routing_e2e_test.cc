// End to end: where calls go — MeshHTTPRoute weighted backends over
// MeshServiceSubsets, and MeshLoadBalancingStrategy RingHash, which gRPC C++
// 1.51 cannot take (it crashes on RING_HASH, grpc/grpc#31766): the control
// plane sends round robin instead and says so in the inspection endpoints
// and in `ursactl inspect dataplane`.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>

#include "nlohmann/json.hpp"
#include "test/e2e/mesh_fixture.h"

namespace ursa::e2e {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr char kSplit[] = R"({"type":"MeshHTTPRoute","mesh":"default","name":"echo-split",
  "spec":{"targetRef":{"kind":"MeshService","name":"echo-client"},
  "to":[{"targetRef":{"kind":"MeshService","name":"echo"},"rules":[
    {"matches":[{"path":{"type":"Prefix","value":"/"}}],"default":{"backendRefs":[
      {"kind":"MeshServiceSubset","name":"echo","tags":{"version":"v1"},"weight":80},
      {"kind":"MeshServiceSubset","name":"echo","tags":{"version":"v2"},"weight":20}]}}]}]}})";
constexpr size_t kSplitCalls = 400;

constexpr char kRingHash[] = R"({"type":"MeshLoadBalancingStrategy","mesh":"default",
  "name":"echo-ring","spec":{"targetRef":{"kind":"Mesh"},
  "to":[{"targetRef":{"kind":"MeshService","name":"echo"},
         "default":{"loadBalancer":{"type":"RingHash","ringHash":{"minRingSize":64}}}}]}})";
constexpr char kRingHashWarning[] =
    "MeshLoadBalancingStrategy RingHash for echo: gRPC C++ 1.51 crashes on RING_HASH";

using GrpcPolicyRoutingE2eTest = MeshE2eTest;

// (4) 80/20 over two versions: of 400 calls, v1 takes 80% within ±10% of
// that share (288..352 calls) and v2 the rest.
TEST_F(GrpcPolicyRoutingE2eTest, WeightedBackendsSplitCallsEightyTwenty) {
  startServer("echo-v1", freePort(), {"echo", {{"version", "v1"}}});
  startServer("echo-v2", freePort(), {"echo", {{"version", "v2"}}});
  putPolicy("meshhttproutes", kSplit);
  startClient({}, "client-1", "echo-client", 5);
  int64_t start = unixMillis();
  ASSERT_TRUE(callsEventually(start, [](const auto& c) { return okInstances(c).size() == 2; }, 30s))
      << describe(callsSince(start));

  int64_t steady = unixMillis();
  ASSERT_TRUE(callsEventually(steady, atLeast(kSplitCalls), 30s)) << describe(callsSince(steady));
  std::vector<Call> window = callsSince(steady);
  window.resize(kSplitCalls);
  EXPECT_EQ(failures(window), 0u) << describe(window);
  size_t v1 = 0, v2 = 0;
  for (const Call& c : window) {
    v1 += c.instance == "echo-v1" ? 1 : 0;
    v2 += c.instance == "echo-v2" ? 1 : 0;
  }
  std::cerr << "weighted 80/20 over " << kSplitCalls << " calls: v1 " << v1 << ", v2 " << v2
            << "\n";
  EXPECT_EQ(v1 + v2, kSplitCalls) << describe(window);
  EXPECT_GE(v1, 288u) << describe(window);
  EXPECT_LE(v1, 352u) << describe(window);
}

// (6, 9) RingHash for a gRPC C++ 1.51 client: it gets round robin (calls
// keep spreading over both instances, the client does not crash) and the
// inspection endpoints and ursactl show the generator's warning.
TEST_F(GrpcPolicyRoutingE2eTest, RingHashFallsBackToRoundRobinForCpp151AndInspectionSaysSo) {
  putPolicy("meshloadbalancingstrategies", kRingHash);
  startServer("echo-1", freePort());
  startServer("echo-2", freePort());
  Workload& client = startClient();
  int64_t start = unixMillis();
  ASSERT_TRUE(callsEventually(start, [](const auto& c) { return okInstances(c).size() == 2; }, 30s))
      << describe(callsSince(start));
  int64_t steady = unixMillis();
  ASSERT_TRUE(callsEventually(steady, atLeast(20), 10s));
  std::vector<Call> window = callsSince(steady);
  EXPECT_EQ(failures(window), 0u) << describe(window);
  EXPECT_EQ(okInstances(window).size(), 2u) << describe(window);
  EXPECT_TRUE(client.running());

  for (const char* what : {"policies", "rules", "xds"}) {
    auto [status, body] = cp_->api("GET", std::string("/meshes/default/dataplanes/client-1/") + what);
    ASSERT_EQ(status, 200) << what << ": " << body;
    auto json = nlohmann::json::parse(body);
    EXPECT_THAT(json["warnings"].dump(), HasSubstr(kRingHashWarning)) << what;
    if (std::string(what) == "xds") {
      EXPECT_THAT(body, testing::Not(HasSubstr(R"("lbPolicy":"RING_HASH")")));
    }
  }

  // ursactl, configured for this control plane in a scratch home.
  std::map<std::string, std::string> env = {{"HOME", dir_.string()},
                                            {"XDG_CONFIG_HOME", (dir_ / "config").string()}};
  auto ursactl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), binDir() + "/ursactl");
    return test::runProcess(args, env, "", 20s);
  };
  ASSERT_EQ(ursactl({"config", "control-planes", "add", "--name", "e2e", "--address",
                     cp_->apiUrl()}).exit_code, 0);
  test::ProcessResult policies = ursactl({"inspect", "dataplane", "client-1", "--type", "policies"});
  EXPECT_EQ(policies.exit_code, 0) << policies.err;
  EXPECT_THAT(policies.out, HasSubstr(std::string("WARNING: ") + kRingHashWarning));
  test::ProcessResult config = ursactl({"inspect", "dataplane", "client-1", "--type", "config"});
  EXPECT_EQ(config.exit_code, 0) << config.err;
  auto config_json = nlohmann::json::parse(config.out, nullptr, false);
  ASSERT_FALSE(config_json.is_discarded()) << config.out;
  EXPECT_THAT(config_json["warnings"].dump(), HasSubstr(kRingHashWarning));
}

}  // namespace
}  // namespace ursa::e2e
