// ursa-demo-client: calls the demo's Echo service and counts who answered.
//
//   ursa-demo-client [--target xds:///echo.mesh] [--count N] [--interval-ms MS]
//                    [--message TEXT] [--deadline-ms MS] [--calls [--text]] [--fresh-channel]
//                    [--plain] [--max-reconnect-backoff-ms MS]
//
// By default it dials through the mesh: an xds:/// target with
// XdsCredentials, so the control plane (GRPC_XDS_BOOTSTRAP, set by `ursa-dp
// run`) chooses the endpoints and whether to use mTLS. --plain dials with
// insecure credentials instead, as a client outside the mesh would (e.g. a
// direct 127.0.0.1:PORT target).
//
// It makes --count calls (0: until SIGTERM or SIGINT), one every
// --interval-ms, and at the end prints one JSON line to stdout:
//   {"summary":{"calls":N,"ok":N,"codes":{"OK":N,...},"instances":{"echo-1":N,...},
//               "peer_identities":{...},"server_identities":{...}}}
// With --calls it also prints, as it goes, one JSON line per call:
//   {"call":I,"t_ms":<unix ms>,"code":0,"status":"OK","latency_ms":L,"instance":...,
//    "peer_identity":...,"peer_certificate":...,"server_identity":...,
//    "server_certificate":...,"security":...,"error":...}
// (peer_* is what the server saw of this client; server_* what this client
// saw of the server); with --text, one readable line per call instead.
// Exit code 0, or 2 when no call succeeded.

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <string>
#include <thread>

#include "CLI/CLI.hpp"
#include "echo.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "peer_info.h"

namespace {

using nlohmann::json;

struct Options {
  std::string target = "xds:///echo.mesh";
  int count = 10;
  int interval_ms = 500;
  std::string message = "hello";
  int deadline_ms = 2000;
  bool print_calls = false;
  bool text = false;
  bool fresh_channel = false;
  bool plain = false;
  int max_reconnect_backoff_ms = 0;  // 0: gRPC's default
};

std::atomic<bool> stop_requested{false};
void requestStop(int) { stop_requested = true; }

const char* statusName(grpc::StatusCode code) {
  static const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                                 "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                 "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
                                 "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : "UNKNOWN";
}

std::shared_ptr<grpc::Channel> newChannel(const Options& o) {
  grpc::ChannelArguments args;
  // A fresh channel must not share connections through gRPC's global
  // subchannel pool: each gets its own connection and handshake.
  if (o.fresh_channel) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  if (o.max_reconnect_backoff_ms > 0) {
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, o.max_reconnect_backoff_ms);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, o.max_reconnect_backoff_ms);
  }
  auto credentials = o.plain ? grpc::InsecureChannelCredentials()
                             : grpc::XdsCredentials(grpc::InsecureChannelCredentials());
  return grpc::CreateCustomChannel(o.target, credentials, args);
}

int64_t unixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One call; returns its JSON record.
json callOnce(ursa::demo::Echo::Stub& stub, const Options& o, int index) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(o.deadline_ms));
  ursa::demo::EchoRequest request;
  request.set_message(o.message);
  ursa::demo::EchoReply reply;
  int64_t start = unixMillis();
  grpc::Status status = stub.Echo(&context, request, &reply);
  json call = {{"call", index},
               {"t_ms", start},
               {"code", static_cast<int>(status.error_code())},
               {"status", statusName(status.error_code())},
               {"latency_ms", unixMillis() - start}};
  if (!status.ok()) {
    call["error"] = status.error_message();
    return call;
  }
  ursa::demo::PeerInfo server = ursa::demo::peerInfo(context.auth_context());
  call["instance"] = reply.instance();
  call["peer_identity"] = reply.peer_identity();
  call["peer_certificate"] = reply.peer_certificate();
  call["server_identity"] = server.identity;
  call["server_certificate"] = server.certificate;
  call["security"] = reply.security();
  return call;
}

// "call 7: OK from echo-2 over TLS (server saw spiffe://default/echo-client) in 1 ms"
std::string asText(const json& call) {
  std::string out = "call " + std::to_string(call["call"].get<int>()) + ": " +
                    call["status"].get<std::string>();
  if (call["code"] == 0) {
    out += " from " + call["instance"].get<std::string>() +
           (call["security"] == "tls" ? " over TLS" : " in plaintext");
    std::string peer = call["peer_identity"];
    if (!peer.empty()) out += " (server saw " + peer + ")";
  } else {
    out += " (" + call["error"].get<std::string>() + ")";
  }
  return out + " in " + std::to_string(call["latency_ms"].get<int64_t>()) + " ms";
}

// Adds one call to the summary's counters.
void count(json& summary, const json& call) {
  summary["calls"] = summary["calls"].get<int>() + 1;
  auto bump = [&](const char* key, const std::string& value) {
    json& counter = summary[key][value];
    counter = counter.is_null() ? 1 : counter.get<int>() + 1;
  };
  bump("codes", call["status"].get<std::string>());
  if (call["code"] != 0) return;
  summary["ok"] = summary["ok"].get<int>() + 1;
  bump("instances", call["instance"].get<std::string>());
  bump("peer_identities", call["peer_identity"].get<std::string>());
  bump("server_identities", call["server_identity"].get<std::string>());
}

// Sleeps `ms`, waking early when a stop is requested.
void pause(int ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stop_requested && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms, 20)));
  }
}

json run(const Options& o) {
  json summary = {{"calls", 0}, {"ok", 0}, {"codes", json::object()},
                  {"instances", json::object()}, {"peer_identities", json::object()},
                  {"server_identities", json::object()}};
  std::shared_ptr<grpc::Channel> channel = newChannel(o);
  for (int i = 0; (o.count == 0 || i < o.count) && !stop_requested; ++i) {
    if (i > 0) pause(o.interval_ms);
    if (stop_requested) break;
    // The previous channel lives until this call ends: it holds gRPC's xDS
    // client, which would otherwise be torn down and built anew every call.
    std::shared_ptr<grpc::Channel> previous = channel;
    if (o.fresh_channel && i > 0) channel = newChannel(o);
    ursa::demo::Echo::Stub stub(channel);
    json call = callOnce(stub, o, i);
    previous.reset();
    count(summary, call);
    if (o.print_calls) std::cout << (o.text ? asText(call) : call.dump()) << std::endl;
  }
  return summary;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ursa-demo-client: calls the demo's Echo service through the mesh"};
  Options o;
  app.add_option("--target", o.target, "What to dial")->capture_default_str();
  app.add_option("--count", o.count, "Calls to make (0: until SIGTERM/SIGINT)")
      ->capture_default_str();
  app.add_option("--interval-ms", o.interval_ms, "Pause between calls")->capture_default_str();
  app.add_option("--message", o.message, "What to send (see echo.proto for conventions)")
      ->capture_default_str();
  app.add_option("--deadline-ms", o.deadline_ms, "Each call's deadline")->capture_default_str();
  app.add_flag("--calls", o.print_calls, "Print one JSON line per call");
  app.add_flag("--text", o.text, "With --calls: readable lines instead of JSON");
  app.add_flag("--fresh-channel", o.fresh_channel,
               "A new channel (connection, handshake) for every call");
  app.add_flag("--plain", o.plain, "Insecure credentials, as a client outside the mesh");
  app.add_option("--max-reconnect-backoff-ms", o.max_reconnect_backoff_ms,
                 "Cap gRPC's reconnection backoff (0: gRPC's default)");
  CLI11_PARSE(app, argc, argv);

  signal(SIGTERM, requestStop);
  signal(SIGINT, requestStop);
  json summary = run(o);
  std::cout << json{{"summary", summary}}.dump() << std::endl;
  return summary["ok"].get<int>() > 0 ? 0 : 2;
}
