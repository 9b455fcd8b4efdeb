#pragma once

// A running control plane for API tests: memory store, API and diagnostics
// on free ports, the mesh `default`, a scratch work directory. call() sends
// one request over a real socket and returns the response.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "src/cp/control_plane.h"
#include "test/support/fake_clock.h"
#include "test/support/http_client.h"
#include "ursa/model/codec.h"

namespace ursa::api {

using model::Json;

class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }
  void TearDown() override {
    if (cp_) cp_->stop();
    cp_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Starts the control plane with these environment overrides on top of the
  // test defaults.
  void start(const std::map<std::string, std::string>& overrides) {
    dir_ = test::scratchDir("api");
    std::map<std::string, std::string> env = {
        {"HOME", dir_.string()},
        {"URSA_STORE_TYPE", "memory"},
        {"URSA_API_SERVER_HTTP_INTERFACE", "127.0.0.1"},
        {"URSA_API_SERVER_HTTP_PORT", "0"},
        {"URSA_API_SERVER_HTTPS_PORT", "0"},
        {"URSA_DIAGNOSTICS_SERVER_PORT", "0"},
        {"URSA_DP_SERVER_PORT", "0"},
        {"URSA_LOG_LEVEL", "warn"},
        // Tests count resources: meshes start empty unless a test asks for
        // the default policies (inspect_test.cc does).
        {"URSA_DEFAULTS_SKIP_DEFAULT_POLICIES", "true"},
    };
    for (const auto& [k, v] : overrides) env[k] = v;
    auto config = config::loadConfig({"", env});
    ASSERT_TRUE(config.ok()) << config.status();
    auto cp = cp::ControlPlane::start(*config);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = std::move(*cp);
  }

  uint16_t apiPort() const { return cp_->apiHttpPort(); }

  test::HttpResponse call(const std::string& method, const std::string& target,
                          const std::string& body = "", const std::string& content_type = "",
                          const std::map<std::string, std::string>& headers = {}) {
    auto c = test::HttpConnection::connect(apiPort());
    if (!c) {
      ADD_FAILURE() << "cannot connect to the API";
      return {};
    }
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                      std::to_string(apiPort()) + "\r\nConnection: close\r\n";
    if (!content_type.empty()) req += "Content-Type: " + content_type + "\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    c->send(req);  // the server may answer (413) before reading everything
    auto r = c->readResponse(std::chrono::seconds(20), method == "HEAD");
    if (!r) {
      ADD_FAILURE() << "no response to " << method << " " << target;
      return {};
    }
    return *r;
  }

  std::unique_ptr<cp::ControlPlane> cp_;
  std::filesystem::path dir_;
};

}  // namespace ursa::api
