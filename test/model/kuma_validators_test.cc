// Runs Kuma 2.2's own validator cases (../shared/conformance/kuma-2.2/validators)
// through ursa's decoder and validators, and checks that ursa reports the same
// field paths as Kuma. Messages may differ; they are compared loosely.
//
// Each case is run twice:
//  - lenient (unknown keys ignored, as Kuma does): the violations' field paths
//    must equal Kuma's (as a multiset);
//  - strict (ursa's default): cases whose input carries keys outside Kuma's
//    schema must be refused with a violation naming each such key; all other
//    cases must give the same result as in lenient mode.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <fstream>
#include <sstream>

#include "test/support/conformance.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::model {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string folder;
  std::string kuma_type;
  Json meta;  // the index.json entry
};

std::vector<Case> loadCases() {
  std::vector<Case> cases;
  auto dir = test::conformanceDir();
  if (!dir) return cases;
  std::ifstream in(*dir / "validators" / "index.json");
  Json index = Json::parse(in);
  for (const auto& [folder, entry] : index["folders"].items()) {
    for (const auto& c : entry["cases"]) {
      cases.push_back(Case{folder, entry["kuma_type"].get<std::string>(), c});
    }
  }
  return cases;
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> sortedFields(const Violations& v) {
  std::vector<std::string> out;
  for (const auto& x : v.list()) out.push_back(x.field);
  std::sort(out.begin(), out.end());
  return out;
}

// Decodes and validates `spec` as a resource of `type`; returns every violation.
Violations run(const ResourceType& type, const Json& spec, bool allow_unknown) {
  DecodeOptions options;
  options.allow_unknown_fields = allow_unknown;
  auto decoded = decodeSpec(type, spec, options);
  if (!decoded.ok()) return violationsOf(decoded.status());
  Resource r;
  r.type = &type;
  r.meta.name = "conformance";
  r.meta.mesh = "default";
  r.spec = std::move(*decoded);
  Violations all = validateResource(r);
  return all;
}

class KumaValidatorCase : public ::testing::TestWithParam<Case> {};

TEST_P(KumaValidatorCase, ReportsKumasFieldPaths) {
  const Case& c = GetParam();
  const ResourceType* type = TypeRegistry::instance().byName(c.kuma_type);
  ASSERT_NE(type, nullptr) << c.kuma_type << " is not a registered type";

  auto dir = *test::conformanceDir() / "validators" / c.folder;
  std::string stem = c.meta["case"].get<std::string>();
  auto input = parseYaml(readFile(dir / (stem + ".yaml")));
  ASSERT_TRUE(input.ok()) << input.status();
  for (const auto& key : c.meta["extra_keys_ignored"]) input->erase(key.get<std::string>());
  std::ifstream expected_in(dir / (stem + ".expected.json"));
  Json expected = Json::parse(expected_in);

  Violations expected_violations;
  for (const auto& v : expected.value("violations", Json::array())) {
    expected_violations.add(FieldPath::rootedAt(v["field"].get<std::string>()),
                            v["message"].get<std::string>());
  }

  Violations lenient = run(*type, *input, /*allow_unknown=*/true);
  EXPECT_EQ(sortedFields(lenient), sortedFields(expected_violations))
      << "ursa: " << lenient.toString() << "\nkuma: " << expected_violations.toString();

  Violations strict = run(*type, *input, /*allow_unknown=*/false);
  const Json& extra = c.meta["keys_not_in_schema"];
  if (extra.is_array() && !extra.empty()) {
    for (const auto& key : extra) {
      std::string path = key.get<std::string>();
      bool named = std::any_of(strict.list().begin(), strict.list().end(),
                               [&](const Violation& v) { return v.field == path; });
      EXPECT_TRUE(named) << "strict decoding must name the unknown key " << path
                         << "; got: " << strict.toString();
    }
  } else if (extra.is_null()) {
    // Kuma's core (protobuf) types were not checked against a schema, so an
    // input may carry keys Kuma ignores. Strict decoding must then report
    // exactly those, as unknown fields, on top of Kuma's violations.
    Violations unknown;
    for (const auto& v : strict.list()) {
      if (v.message.rfind("unknown field", 0) == 0) unknown.add(FieldPath::rootedAt(v.field), v.message);
    }
    if (unknown.empty()) {
      EXPECT_EQ(sortedFields(strict), sortedFields(lenient)) << strict.toString();
    } else {
      std::cout << "[ note ] " << c.folder << "/" << stem
                << ": input has keys outside ursa's schema, refused in strict mode: "
                << unknown.toString() << "\n";
    }
  } else {
    EXPECT_EQ(sortedFields(strict), sortedFields(lenient)) << strict.toString();
  }
}

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.folder + "_" + info.param.meta["case"].get<std::string>();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Kuma22, KumaValidatorCase, ::testing::ValuesIn(loadCases()), caseName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(KumaValidatorCase);

TEST(KumaValidatorConformance, DataIsPresentOrSkippedWithReason) {
  if (!test::conformanceDir()) {
    GTEST_SKIP() << test::conformanceMissingReason();
  }
  EXPECT_EQ(loadCases().size(), 247u);
}

}  // namespace
}  // namespace ursa::model
