#pragma once

// Reading the ALPN protocols a TLS client offers, from its ClientHello, before
// any TLS is done: the data plane server uses it to tell gRPC (HTTP/2, "h2")
// from HTTP/1.1 on one port.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ursa::http {

enum class HelloStatus {
  NeedMore,   // not a whole ClientHello yet
  Complete,   // a ClientHello; alpn() says what it offers
  NotTls,     // the bytes are not a TLS handshake
};

struct ClientHello {
  HelloStatus status = HelloStatus::NeedMore;
  std::vector<std::string> alpn;  // in the client's order; empty when it offers none
};

// Parses the first TLS record of a connection. Never reads past `bytes`.
ClientHello parseClientHello(std::string_view bytes);

}  // namespace ursa::http
