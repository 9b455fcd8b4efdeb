#include "test/policy/fixture_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "nlohmann/json.hpp"
#include "test/support/conformance.h"

namespace ursa::policy::test {
namespace {

using model::Json;

void dropTimestamps(Json& node) {
  if (node.is_object()) {
    if (node.contains("Origin") && node["Origin"].is_array()) {
      for (Json& o : node["Origin"]) {
        o.erase("creationTime");
        o.erase("modificationTime");
      }
    }
    for (auto& [k, v] : node.items()) dropTimestamps(v);
  } else if (node.is_array()) {
    for (Json& v : node) dropTimestamps(v);
  }
}

std::map<std::string, std::string> stringMap(const Json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items()) out[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return out;
}

MeshGatewayInfo gatewayOf(const Json& doc) {
  MeshGatewayInfo g;
  g.name = doc.value("name", "");
  for (const Json& s : doc.value("selectors", Json::array()))
    g.selectors.push_back(stringMap(s["match"]));
  g.tags = stringMap(doc.value("tags", Json::object()));
  Json conf = doc.value("conf", Json::object());
  for (const Json& l : conf.value("listeners", Json::array())) {
    g.listeners.push_back({l.value("port", 0u), stringMap(l.value("tags", Json::object()))});
  }
  return g;
}

model::ResourcePtr decode(const Json& doc) {
  auto r = model::decodeResource(doc);
  EXPECT_TRUE(r.ok()) << r.status() << " in\n" << doc.dump(2);
  if (!r.ok()) return nullptr;
  return std::make_shared<const model::Resource>(std::move(*r));
}

}  // namespace

fs::path fixtureDir(const std::string& subdir) {
  auto dir = ursa::test::conformanceDir();
  return dir ? *dir / subdir : fs::path();
}

std::vector<std::string> goldenCases(const std::string& subdir) {
  std::vector<std::string> cases;
  fs::path dir = fixtureDir(subdir);
  if (dir.empty() || !fs::is_directory(dir)) return cases;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(".golden.yaml")) continue;
    fs::path rel = fs::relative(entry.path().parent_path(), dir);
    std::string stem = name.substr(0, name.find('.'));
    cases.push_back(rel == "." ? stem : (rel / stem).string());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

std::vector<std::string> goldenCasesOrMissing(const std::string& subdir) {
  auto cases = goldenCases(subdir);
  if (cases.empty()) cases.push_back("missing");
  return cases;
}

std::string sanitizedCaseName(const std::string& stem) {
  std::string n = stem;
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Json> readYamlDocuments(const fs::path& p) {
  auto docs = model::parseYamlDocuments(readFile(p));
  EXPECT_TRUE(docs.ok()) << p << ": " << docs.status();
  return docs.ok() ? *docs : std::vector<Json>{};
}

Loaded loadPolicies(const fs::path& p) {
  Loaded out;
  for (const Json& doc : readYamlDocuments(p)) {
    if (doc.value("type", "") == "MeshGateway") {
      out.gateways.push_back(gatewayOf(doc));
    } else if (auto r = decode(doc)) {
      out.policies.push_back(std::move(r));
    }
  }
  return out;
}

model::ResourcePtr loadResource(const fs::path& p) {
  auto docs = readYamlDocuments(p);
  EXPECT_EQ(docs.size(), 1u) << p;
  return docs.empty() ? nullptr : decode(docs.front());
}

Json fromRulesToJson(const FromRules& rules) {
  Json by_listener = Json::object();
  for (const auto& [listener, rs] : rules.rules) by_listener[listener.toString()] = rulesToJson(rs);
  return {{"Rules", by_listener}};
}

Json normalizedGolden(const fs::path& p) {
  auto docs = readYamlDocuments(p);
  if (docs.empty()) return Json();
  dropTimestamps(docs.front());
  return docs.front();
}

bool sameTree(const Json& a, const Json& b) {
  // nlohmann::json (std::map objects) compares objects regardless of key order.
  return nlohmann::json::parse(a.dump()) == nlohmann::json::parse(b.dump());
}

}  // namespace ursa::policy::test
