#pragma once

// Loading Kuma's rules / matchers fixtures (read in place from
// ../shared/conformance/kuma-2.2) and comparing results with the goldens as
// Kuma does: YAML trees, map order irrelevant, list order significant, with
// the Go zero timestamps of `Origin` entries dropped.

#include <filesystem>
#include <string>
#include <vector>

#include "ursa/model/codec.h"
#include "ursa/policy/matching.h"

namespace ursa::policy::test {

namespace fs = std::filesystem;

// Case stems under `dir` (recursively): the part of each `*.golden.yaml`
// file name before the first dot, relative to `dir` ("01",
// "matchedpolicies/fromrules/01"). Empty when the data is absent.
std::vector<std::string> goldenCases(const std::string& subdir);
// goldenCases(subdir), or the single case "missing" when there are none, so
// that the parameterized suite still instantiates and its test skips with a
// reason.
std::vector<std::string> goldenCasesOrMissing(const std::string& subdir);
// A case stem as a gtest name: every character but letters and digits as '_'.
std::string sanitizedCaseName(const std::string& stem);
// The conformance folder `subdir` (rules, matchers); empty path when absent.
fs::path fixtureDir(const std::string& subdir);

std::string readFile(const fs::path& p);
// Every document of a multi-document YAML file.
std::vector<model::Json> readYamlDocuments(const fs::path& p);

// Policies decoded strictly by ursa's codec; MeshGateway documents go to
// `gateways` instead (ursa has no MeshGateway type yet).
struct Loaded {
  std::vector<model::ResourcePtr> policies;
  std::vector<MeshGatewayInfo> gateways;
};
Loaded loadPolicies(const fs::path& p);
model::ResourcePtr loadResource(const fs::path& p);

// {"Rules": {"addr:port": [rules...]}} as Kuma's tests marshal FromRules.
model::Json fromRulesToJson(const FromRules& rules);
// The golden with Origin timestamps removed.
model::Json normalizedGolden(const fs::path& p);
// Semantic equality: object key order ignored, list order significant.
bool sameTree(const model::Json& a, const model::Json& b);

}  // namespace ursa::policy::test
