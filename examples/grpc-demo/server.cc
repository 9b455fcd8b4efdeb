// ursa-demo-server: the demo's Echo backend.
//
//   ursa-demo-server --name NAME [--port P] [--listen ADDR] [--plain] [--fail-code CODE]
//
// By default it is a proxyless mesh server: grpc::XdsServerBuilder with
// XdsServerCredentials, so it serves only once the control plane has sent the
// Listener for its address (GRPC_XDS_BOOTSTRAP, set by `ursa-dp run`), over
// mTLS when the mesh has it. --plain makes it an ordinary insecure gRPC
// server that knows nothing of the mesh (used by tests as a stand-in for a
// stale endpoint). Every answer names the instance (--name) and the caller's
// SPIFFE ID, so callers can see load balancing and mTLS at work.
// --fail-code makes a broken instance that fails every call with that gRPC
// status (for trying retries and outlier detection). It stops gracefully on
// SIGTERM or SIGINT.

#include <grpcpp/grpcpp.h>
#include <grpcpp/xds_server_builder.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include "CLI/CLI.hpp"
#include "echo.grpc.pb.h"
#include "peer_info.h"

namespace {

using grpc::ServerContext;
using grpc::Status;
using grpc::StatusCode;
using ursa::demo::EchoReply;
using ursa::demo::EchoRequest;

// Acts on the request conventions of echo.proto: "sleep:MS", "fail",
// "fail:CODE". Returns the status the call ends with.
Status applyConventions(const std::string& message) {
  if (message.rfind("sleep:", 0) == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(message.c_str() + 6)));
  } else if (message == "fail") {
    return Status(StatusCode::UNAVAILABLE, "failure requested");
  } else if (message.rfind("fail:", 0) == 0) {
    int code = std::atoi(message.c_str() + 5);
    if (code > 0 && code <= 16) return Status(static_cast<StatusCode>(code), "failure requested");
  }
  return Status::OK;
}

class EchoService final : public ursa::demo::Echo::Service {
 public:
  EchoService(std::string name, int fail_code) : name_(std::move(name)), fail_code_(fail_code) {}

  Status Echo(ServerContext* context, const EchoRequest* request, EchoReply* reply) override {
    if (fail_code_ != 0) {
      return Status(static_cast<StatusCode>(fail_code_), "failure requested (--fail-code)");
    }
    if (Status s = applyConventions(request->message()); !s.ok()) return s;
    ursa::demo::PeerInfo peer = ursa::demo::peerInfo(context->auth_context());
    reply->set_message(request->message());
    reply->set_instance(name_);
    reply->set_peer_identity(peer.identity);
    reply->set_peer_certificate(peer.certificate);
    reply->set_security(peer.security);
    return Status::OK;
  }

 private:
  std::string name_;
  int fail_code_;
};

// Logs the xDS serving status of each listening address (serving only once
// the control plane's Listener has arrived and matches the address).
class ServingLogger final : public grpc::XdsServerServingStatusNotifierInterface {
 public:
  void OnServingStatusUpdate(std::string uri, ServingStatusUpdate update) override {
    std::cerr << "ursa-demo-server: " << uri << " "
              << (update.status.ok() ? "serving" : "not serving: " + update.status.error_message())
              << std::endl;
  }
};

std::unique_ptr<grpc::Server> startServer(const std::string& address, bool plain,
                                          EchoService& service, ServingLogger& logger) {
  if (plain) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort(address, grpc::InsecureServerCredentials());
    builder.RegisterService(&service);
    return builder.BuildAndStart();
  }
  grpc::XdsServerBuilder builder;
  builder.set_status_notifier(&logger);
  builder.AddListeningPort(address,
                           grpc::XdsServerCredentials(grpc::InsecureServerCredentials()));
  builder.RegisterService(&service);
  return builder.BuildAndStart();
}

// Blocks until SIGTERM or SIGINT.
void waitForStopSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ursa-demo-server: the demo's Echo backend (proxyless gRPC)"};
  std::string name, listen = "0.0.0.0";
  int port = 8080;
  bool plain = false;
  int fail_code = 0;
  app.add_option("--name", name, "This instance's name, sent in every answer")->required();
  app.add_option("--port", port, "Port to listen on")->capture_default_str();
  app.add_option("--listen", listen, "Address to listen on")->capture_default_str();
  app.add_flag("--plain", plain, "An ordinary insecure gRPC server, outside the mesh");
  app.add_option("--fail-code", fail_code, "Fail every call with this gRPC status code (1-16)")
      ->check(CLI::Range(1, 16));
  CLI11_PARSE(app, argc, argv);

  // Block the stop signals before gRPC starts its threads, so sigwait gets them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  EchoService service(name, fail_code);
  ServingLogger logger;
  std::string address = listen + ":" + std::to_string(port);
  std::unique_ptr<grpc::Server> server = startServer(address, plain, service, logger);
  if (!server) {
    std::cerr << "ursa-demo-server: cannot listen on " << address << std::endl;
    return 1;
  }
  std::cerr << "ursa-demo-server: " << name << " started on " << address
            << (plain ? " (plain)" : " (xDS)") << std::endl;
  waitForStopSignal();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  std::cerr << "ursa-demo-server: " << name << " stopped" << std::endl;
  return 0;
}
