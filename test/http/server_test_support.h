#pragma once

// What the HTTP server's tests share (server_test.cc, server_limits_test.cc,
// server_tls_test.cc): a server started with a recording handler, and raw
// connections to it.

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "src/http/server.h"
#include "test/support/fake_clock.h"
#include "test/support/http_client.h"

namespace ursa::http::server_test {

using namespace std::chrono_literals;
using test::HttpConnection;
using test::HttpResponse;
using test::HttpsConnection;
using Clock = std::chrono::steady_clock;

// Every request the handler saw, for the test to inspect.
class Recorder {
 public:
  void add(const Request& r) {
    std::lock_guard lock(mu_);
    seen_.push_back(r);
  }
  std::vector<Request> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return seen_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<Request> seen_;
};

class ServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_) server_->stop();
  }

  // Starts a server whose handler records the request and answers with
  // `respond` (by default: 200, the request's decoded path as the body).
  void start(ServerOptions options, Handler respond = nullptr) {
    if (!respond) respond = [](const Request& r) { return Response::text(200, r.path); };
    auto handler = [this, respond](const Request& r) {
      recorder_.add(r);
      return respond(r);
    };
    auto s = Server::start(std::move(options), std::move(handler));
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
    ASSERT_NE(server_->port(), 0);
  }

  uint16_t port() const { return server_->port(); }

  std::unique_ptr<HttpConnection> connect() {
    auto c = HttpConnection::connect(port());
    EXPECT_NE(c, nullptr) << "cannot connect to 127.0.0.1:" << port();
    return c;
  }

  static std::string get(const std::string& target, const std::string& extra_headers = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n";
  }

  ServerPtr server_;
  Recorder recorder_;
};

}  // namespace ursa::http::server_test
