#include "src/xds/server/ads_server.h"
#include "ursa/common/files.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "src/xds/server/delta_stream.h"
#include "src/xds/server/sotw_stream.h"
#include "ursa/common/strings.h"

namespace ursa::xds {

using envoy::service::discovery::v3::AggregatedDiscoveryService;

// Both methods raw (ByteBuffer in and out): the streams parse requests and
// write responses already encoded (src/xds/server/wire.h).
class AdsServer::Service
    : public AggregatedDiscoveryService::WithRawCallbackMethod_StreamAggregatedResources<
          AggregatedDiscoveryService::WithRawCallbackMethod_DeltaAggregatedResources<
              AggregatedDiscoveryService::Service>> {
 public:
  Service(SnapshotCache& cache, StreamCallbacks& callbacks) : cache_(cache), callbacks_(callbacks) {}

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* StreamAggregatedResources(
      grpc::CallbackServerContext* context) override {
    auto* s = new SotwStream(context, ++ids_, cache_, callbacks_);
    s->start();
    return s;
  }

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* DeltaAggregatedResources(
      grpc::CallbackServerContext* context) override {
    auto* s = new DeltaStream(context, ++ids_, cache_, callbacks_);
    s->start();
    return s;
  }

 private:
  SnapshotCache& cache_;
  StreamCallbacks& callbacks_;
  std::atomic<uint64_t> ids_{0};
};

namespace {


absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials(const AdsServerOptions& o) {
  if (!o.tls) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl;
  URSA_ASSIGN_OR_RETURN(std::string cert, readFile(o.tls->cert_file));
  URSA_ASSIGN_OR_RETURN(std::string key, readFile(o.tls->key_file));
  ssl.pem_key_cert_pairs.push_back({key, cert});
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

absl::StatusOr<std::unique_ptr<AdsServer>> AdsServer::start(const AdsServerOptions& options,
                                                            SnapshotCache& cache,
                                                            StreamCallbacks& callbacks) {
  std::unique_ptr<AdsServer> server(new AdsServer());
  server->service_ = std::make_unique<Service>(cache, callbacks);
  URSA_ASSIGN_OR_RETURN(auto creds, credentials(options));
  grpc::ServerBuilder builder;
  int bound = 0;
  if (options.external_connections_only) {
    server->acceptor_ = builder.experimental().AddExternalConnectionAcceptor(
        grpc::ServerBuilder::experimental_type::ExternalConnectionType::FROM_FD, creds);
  } else {
    builder.AddListeningPort(strCat(options.address, ":", options.port), creds, &bound);
  }
  builder.RegisterService(server->service_.get());
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(-1);
  // Proxies keep streams open for days; notice dead peers.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || (bound == 0 && !options.external_connections_only)) {
    return absl::UnavailableError(
        strCat("data plane server: cannot listen on ", options.address, ":", options.port));
  }
  server->port_ = static_cast<uint16_t>(bound);
  return server;
}

AdsServer::~AdsServer() { stop(); }

void AdsServer::handleConnection(int fd, std::string initial_bytes) {
  if (!acceptor_) {
    ::close(fd);
    return;
  }
  // gRPC sets TCP_NODELAY on the connections it accepts itself, not on
  // external ones: without it, Nagle's algorithm holds a response's last
  // small segment until the proxy's delayed ACK (~40 ms per push).
  int one = 1;
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters p;
  p.fd = fd;
  grpc::Slice slice(initial_bytes);
  p.read_buffer = grpc::ByteBuffer(&slice, 1);
  acceptor_->HandleNewConnection(&p);
}

void AdsServer::stop() {
  if (stopped_.exchange(true) || !server_) return;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server_->Wait();
}

}  // namespace ursa::xds
