#pragma once

// An event-driven HTTP/1.1 server on Boost.Beast, shared by the diagnostics
// endpoint and the REST API.
//
// Guarantees: keep-alive; at most `max_connections` connections (beyond that
// a client gets 503 and is closed); request headers must arrive within
// `header_timeout` (counted, on a keep-alive connection, from the first byte
// of each request) and the body within `body_timeout` (a slow client cannot
// hold a connection); bodies over `max_body_bytes` get 413; idle keep-alive
// connections close after `idle_timeout`; a handler that throws gets the
// client a 500; HEAD, 204 and 304 responses are sent without a body. No
// thread per connection: a fixed pool of `threads` runs all I/O and the
// handler.
//
// The handler runs on a pool thread and must not block for long.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ursa/common/status.h"

namespace ursa::http {

struct Request {
  std::string method;                  // "GET", "PUT", ...
  std::string target;                  // path and query, as sent
  std::string path;                    // percent-decoded path
  std::multimap<std::string, std::string> query;  // percent-decoded
  std::map<std::string, std::string> headers;     // lower-case names
  std::string body;
  std::string remote_address;          // the peer's IP
  bool tls = false;

  std::string header(const std::string& lower_name) const;
  std::optional<std::string> queryParam(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response text(int status, std::string body);
  static Response json(int status, std::string body);
};

using Handler = std::function<Response(const Request&)>;

struct TlsFiles {
  std::string cert_file;  // PEM chain
  std::string key_file;   // PEM key
};

struct ServerOptions {
  std::string name = "http";  // for logs
  std::string address = "127.0.0.1";
  uint16_t port = 0;          // 0: pick a free port (see Server::port())
  std::optional<TlsFiles> tls;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  size_t max_connections = 1024;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  int threads = 2;
  // TLS servers only. Before the handshake the server reads the client's
  // ClientHello; when `handoff_alpn` is among the protocols it offers, the
  // connection is given to `handoff` (its file descriptor, and the bytes
  // already read) and the server forgets it. The data plane server hands
  // HTTP/2 ("h2") connections to gRPC this way and keeps HTTP/1.1 for itself.
  std::string handoff_alpn;
  std::function<void(int fd, std::string initial_bytes)> handoff;
};

class Server {
 public:
  // Binds and starts serving; returns once the socket listens.
  static absl::StatusOr<std::unique_ptr<Server>> start(ServerOptions options, Handler handler);
  virtual ~Server() = default;

  virtual uint16_t port() const = 0;
  // Stops accepting, closes connections and joins the threads. Idempotent.
  virtual void stop() = 0;
};
using ServerPtr = std::unique_ptr<Server>;

// Percent-decodes `s` ('+' stays '+'). Invalid escapes are kept as written.
std::string percentDecode(std::string_view s);

}  // namespace ursa::http
