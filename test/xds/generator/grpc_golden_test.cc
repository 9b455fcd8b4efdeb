// Golden files of the proxyless gRPC profile: each case reads
// testdata/grpc/<case>.input.yaml, generates the first Dataplane's snapshot
// for the client named by its "# client:" line (grpc-js 1.14.1 by default)
// and compares it with testdata/grpc/<case>.golden.yaml (format in
// golden_support.h), warnings included.
//
// URSA_UPDATE_GOLDEN=1 rewrites the golden files under $URSA_SOURCE_DIR.
// Every generated resource must also pass the protoc-gen-validate rules.

#include <gtest/gtest.h>

#include <algorithm>

#include "test/xds/generator/golden_support.h"

namespace ursa::xds::gen {
namespace {

class GrpcGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GrpcGoldenTest, MatchesGoldenFileAndPassesPgvRules) {
  golden::expectGolden("grpc", GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, GrpcGoldenTest,
                         ::testing::Values("no-policy", "policy-defaults", "policy-mtp",
                                           "policy-timeout", "policy-timeout-cpp151",
                                           "policy-retry", "policy-fault", "policy-route",
                                           "policy-cluster", "policy-cluster-cpp151",
                                           "policy-observability",
                                           "policy-hash", "policy-hash-cpp151",
                                           "policy-unsupported"),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace ursa::xds::gen
