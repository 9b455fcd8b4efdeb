#pragma once

// The ADS gRPC server: state-of-the-world and incremental (delta)
// AggregatedDiscoveryService on the gRPC callback API. It serves whatever
// snapshots the SnapshotCache holds and reports through StreamCallbacks; it
// knows nothing of meshes or stores.

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "grpcpp/grpcpp.h"
#include "src/xds/cache/snapshot_cache.h"
#include "src/xds/server/stream_callbacks.h"

namespace ursa::xds {

struct TlsCredentialFiles {
  std::string cert_file;
  std::string key_file;
};

struct AdsServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 0;  // 0: pick a free port (see AdsServer::port())
  // TLS is the default for the data plane server; nullopt serves plaintext
  // (tests and in-process clients only).
  std::optional<TlsCredentialFiles> tls;
  int max_receive_message_bytes = 4 << 20;
  // Listen on no port of its own: connections arrive through
  // handleConnection() (the data plane server shares one port between this
  // server and its HTTPS bootstrap endpoint).
  bool external_connections_only = false;
};

class AdsServer {
 public:
  static absl::StatusOr<std::unique_ptr<AdsServer>> start(const AdsServerOptions& options,
                                                          SnapshotCache& cache,
                                                          StreamCallbacks& callbacks);
  ~AdsServer();

  uint16_t port() const { return port_; }
  // Serves a connection accepted elsewhere: `fd` (now owned by the server)
  // and the bytes already read from it (the TLS ClientHello).
  void handleConnection(int fd, std::string initial_bytes);
  // Ends every stream (UNAVAILABLE) and stops. Idempotent.
  void stop();

 private:
  class Service;
  AdsServer() = default;

  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace ursa::xds
