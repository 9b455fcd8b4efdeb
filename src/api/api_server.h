#pragma once

// The API's listeners: plain HTTP (apiServer.http, port 5681) and HTTPS
// (apiServer.https, port 5682), both serving one ApiHandler.

#include <memory>
#include <optional>

#include "src/api/api_handler.h"
#include "src/http/server.h"

namespace ursa::api {

struct ListenerOptions {
  std::string address;
  uint16_t port = 0;
  std::optional<http::TlsFiles> tls;
};

class ApiServer {
 public:
  // Starts every listener given; fails (and starts nothing) if one cannot bind.
  static absl::StatusOr<std::unique_ptr<ApiServer>> start(
      std::shared_ptr<const ApiHandler> handler, const std::vector<ListenerOptions>& listeners,
      size_t max_body_bytes);
  ~ApiServer() { stop(); }

  void stop();
  // Port of the i-th listener, as bound (useful with port 0).
  uint16_t port(size_t i) const { return servers_.at(i)->port(); }

 private:
  std::vector<http::ServerPtr> servers_;
};

}  // namespace ursa::api
