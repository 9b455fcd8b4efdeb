#include "src/api/api_server.h"

namespace ursa::api {

absl::StatusOr<std::unique_ptr<ApiServer>> ApiServer::start(
    std::shared_ptr<const ApiHandler> handler, const std::vector<ListenerOptions>& listeners,
    size_t max_body_bytes) {
  auto server = std::make_unique<ApiServer>();
  for (const auto& l : listeners) {
    http::ServerOptions options;
    options.name = l.tls ? "api-https" : "api-http";
    options.address = l.address;
    options.port = l.port;
    options.tls = l.tls;
    options.max_body_bytes = max_body_bytes;
    options.threads = 4;
    auto s = http::Server::start(options, [handler](const http::Request& req) {
      return handler->handle(req);
    });
    if (!s.ok()) return s.status();  // `server` stops those already started
    server->servers_.push_back(std::move(*s));
  }
  return server;
}

void ApiServer::stop() {
  for (auto& s : servers_) s->stop();
}

}  // namespace ursa::api
