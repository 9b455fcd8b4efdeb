#include "src/cp/diagnostics.h"

#include "ursa/common/strings.h"

namespace ursa::cp {

absl::StatusOr<http::ServerPtr> startDiagnostics(const DiagnosticsOptions& options,
                                                 MetricsSharedPtr metrics,
                                                 std::function<absl::Status()> ready) {
  http::ServerOptions server;
  server.name = "diagnostics";
  server.address = options.address;
  server.port = options.port;
  server.max_body_bytes = 0;
  server.threads = 1;
  auto handler = [metrics, ready](const http::Request& req) -> http::Response {
    if (req.method != "GET" && req.method != "HEAD") {
      http::Response r = http::Response::text(405, "only GET\n");
      r.headers.emplace_back("Allow", "GET, HEAD");
      return r;
    }
    if (req.path == "/healthy") return http::Response::text(200, "ok\n");
    if (req.path == "/ready") {
      absl::Status s = ready();
      if (s.ok()) return http::Response::text(200, "ready\n");
      return http::Response::text(503, strCat("not ready: ", fromAbsl(s.message()), "\n"));
    }
    if (req.path == "/metrics") {
      return http::Response{200, "text/plain; version=0.0.4; charset=utf-8", metrics->render(), {}};
    }
    return http::Response::text(404, "not found; try /ready, /healthy or /metrics\n");
  };
  return http::Server::start(std::move(server), std::move(handler));
}

}  // namespace ursa::cp
