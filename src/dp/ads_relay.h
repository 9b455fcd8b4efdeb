#pragma once

// The local ADS relay. Debian's gRPC 1.51 xDS client can neither present a
// dataplane token nor speak TLS to the control plane from its bootstrap, so
// the application's xDS client dials ursa-dp on loopback (plaintext) and
// ursa-dp forwards each of its ADS streams, state-of-the-world and delta, to
// the control plane: over the TLS channel `upstream`, with the dataplane
// token as `authorization` metadata, the node id forced to "<mesh>.<name>"
// and the node metadata "ursa.proxy" set (ProxyIdentity).
//
// Contract per relayed stream:
//  - messages are forwarded in order, one in flight per direction: a
//    request is read from the application only once the previous one was
//    written upstream, and a response read upstream only once the previous
//    one was written to the application (backpressure both ways);
//  - when the control plane ends the stream, the application's stream ends
//    with the same status (code and message); when the application cancels,
//    the upstream stream is cancelled; when it half-closes, the upstream
//    side is half-closed and the control plane's final status is relayed;
//  - a token that cannot be read ends the stream with UNAUTHENTICATED;
//  - with a certificate gate (certificate_gate.h), a response whose Clusters
//    or Listeners name the certificate files (response_hold.h) while the
//    gate is closed is held, not written: the control plane's next
//    responses keep flowing meanwhile (those of other types, and those that
//    need no certificate files, go to the application at once); a later
//    state-of-the-world response of the held type replaces it (latest wins:
//    the application ACKs or NACKs only nonces it received, and the control
//    plane ignores the stale nonces of requests made meanwhile), a later
//    delta response queues behind it. When the gate opens, or after its
//    maximum hold (logged as a warning), the held responses are written, in
//    order, before anything read after them. Every hold and release is
//    logged with the type and version.
// The application's xDS client reconnects by itself, and each new stream is
// relayed anew (reading the token again).
//
// Thread-safety: start() and stop() from one thread; streams run on gRPC's
// threads.

#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"
#include "src/dp/certificate_gate.h"
#include "src/dp/control_plane.h"
#include "ursa/common/status.h"

namespace ursa::dp {

struct RelayOptions {
  std::string listen_address = "127.0.0.1";
  uint16_t port = 0;                        // 0: a free port (see AdsRelay::port())
  std::shared_ptr<grpc::Channel> upstream;  // to the control plane (makeCpChannel)
  TokenSource token;
  ProxyIdentity identity;
  // Opened by the certificate writer; null: every response goes through at once.
  std::shared_ptr<CertificateGate> certificates;
};

class AdsRelay {
 public:
  static absl::StatusOr<std::unique_ptr<AdsRelay>> start(RelayOptions options);
  ~AdsRelay();
  AdsRelay(const AdsRelay&) = delete;
  AdsRelay& operator=(const AdsRelay&) = delete;

  uint16_t port() const { return port_; }
  // "127.0.0.1:<port>": the xDS server URI for the application's bootstrap.
  std::string address() const;
  // Streams relayed so far, and open now (for logs and tests).
  uint64_t streamsStarted() const;
  uint64_t streamsOpen() const;
  // Ends every relayed stream (the application sees UNAVAILABLE) and stops
  // listening. Idempotent.
  void stop();

  struct Shared;  // state the streams share (they may outlive the relay object)

 private:
  class Service;
  AdsRelay() = default;

  std::shared_ptr<Shared> shared_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string listen_address_;
  uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace ursa::dp
