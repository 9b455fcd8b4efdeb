#pragma once

// An upstream for ursa-dp's xDS tests: the real ADS server
// (src/xds/server/ads_server.h) over TLS with a self-signed certificate,
// serving a SnapshotCache, with StreamCallbacks that record what each stream
// presented (node, metadata) and refuse tokens other than the expected one,
// as the control plane does.

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <vector>

#include "src/common/tls_cert.h"
#include "src/dp/control_plane.h"
#include "src/dp/dataplane_file.h"
#include "src/xds/server/ads_server.h"

namespace ursa::dp::test {

class RecordingCallbacks : public xds::StreamCallbacks {
 public:
  explicit RecordingCallbacks(std::string token) : token_(std::move(token)) {}

  absl::Status onStreamOpen(const xds::StreamInfo& info) override {
    std::lock_guard lock(mu_);
    opened.push_back(info);
    cv_.notify_all();
    auto [b, e] = info.metadata.equal_range(kAuthorizationKey);
    if (std::distance(b, e) != 1 || b->second != token_) {
      return absl::UnauthenticatedError("invalid dataplane token");
    }
    return absl::OkStatus();
  }
  void onStreamClosed(const xds::StreamInfo&) override {
    std::lock_guard lock(mu_);
    ++closed;
    cv_.notify_all();
  }
  void onRequest(const xds::StreamInfo&, xds::TypeIndex, xds::RequestKind kind, std::string_view,
                 std::string_view detail, std::optional<absl::Duration>) override {
    std::lock_guard lock(mu_);
    if (kind == xds::RequestKind::Ack) ++acks;
    if (kind == xds::RequestKind::Nack) nack_details.emplace_back(detail);
    cv_.notify_all();
  }
  void onResponse(const xds::StreamInfo&, xds::TypeIndex, std::string_view, size_t,
                  size_t) override {}

  // Waits until `pred` (called with mu_ held) holds; false after 5 s.
  template <typename P>
  bool waitFor(P pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), pred);
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<xds::StreamInfo> opened;
  int closed = 0;
  int acks = 0;
  std::vector<std::string> nack_details;

 private:
  std::string token_;
};

class TlsAdsUpstream {
 public:
  explicit TlsAdsUpstream(std::string token, uint16_t port = 0) : callbacks(std::move(token)) {
    dir_ = std::filesystem::temp_directory_path() /
           ("ursa-dp-ads-" + std::to_string(getpid()) + "-" + std::to_string(++counter()));
    std::filesystem::create_directories(dir_);
    cert_file = (dir_ / "cp.crt").string();
    key_file = (dir_ / "cp.key").string();
    EXPECT_TRUE(tls::ensureSelfSignedCert(cert_file, key_file, {"localhost", "127.0.0.1"}).ok());
    ca_pem = *readFile("ca", cert_file);
    start(port);
  }
  ~TlsAdsUpstream() {
    stop();
    std::filesystem::remove_all(dir_);
  }

  void start(uint16_t port) {
    auto s = xds::AdsServer::start({.address = "127.0.0.1",
                                    .port = port,
                                    .tls = xds::TlsCredentialFiles{cert_file, key_file}},
                                   cache, callbacks);
    ASSERT_TRUE(s.ok()) << s.status();
    server = std::move(*s);
  }
  void stop() {
    if (server) server->stop();
  }
  CpAddress address() const { return {.tls = true, .host = "127.0.0.1", .port = server->port()}; }

  xds::SnapshotCache cache;
  RecordingCallbacks callbacks;
  std::unique_ptr<xds::AdsServer> server;
  std::string cert_file, key_file, ca_pem;

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path dir_;
};

}  // namespace ursa::dp::test
