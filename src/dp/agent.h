#pragma once

// `ursa-dp run`: the data plane agent's whole run, from flags to exit code.
//
// grpc (proxyless applications):
//   1. read the Dataplane (template from --dataplane-file or --dataplane, -v
//      vars, --name/--mesh; or only a name, see AgentOptions) and the token;
//   2. start the local ADS relay (ads_relay.h) on 127.0.0.1;
//   3. bootstrap: POST /bootstrap (proxy grpc, xdsServerUri = the relay,
//      certificateDir = the work dir), retrying while the control plane is
//      unreachable; write the gRPC xDS bootstrap to <work dir>/bootstrap.json;
//   4. start the certificate writer (cert_writer.h) and wait, bounded, for its
//      first answer (files written when the mesh has mTLS); the writer opens
//      the certificate gate (certificate_gate.h) through which the relay
//      holds the application's TLS configuration until the files it names
//      are written (at most `tls_config_hold_timeout`);
//   5. start the application with GRPC_XDS_BOOTSTRAP=<work dir>/bootstrap.json
//      (and GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS=100 unless set, so a
//      gRPC C++ client whose calls do not poll its xDS stream, idle or
//      faulted, sees updates within a fraction of a second, not five, and
//      GRPC_XDS_EXPERIMENTAL_RBAC=true unless set, without which
//      @grpc/grpc-js-xds NACKs server Listeners carrying traffic permissions);
//   6. forward signals to it; when it ends, stop and exit with its code.
//   Without an application, run the relay and the writer until a signal.
// envoy (sidecars): bootstrap (proxy envoy), write <work dir>/bootstrap.yaml,
//   start the access log relay (access_log_relay.h) on
//   model::accessLogSocketPath(name, mesh), run Envoy (envoyCommandLine
//   below; and the application, when one is given); exit with the application's code
//   (envoy's without one), having stopped the relay and removed its FIFO.
//   (grpc mode has no relay: gRPC's xDS clients do no access logging.)
//
// Errors before the application starts are printed to stderr as
// "ursa-dp: <problem>" and give exit code 1.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "src/dp/bootstrap_client.h"

namespace ursa::dp {

struct AgentOptions {
  std::string cp_address = "https://localhost:5678";
  // The Dataplane template: a file ("-": standard input) or the text itself;
  // at most one (run_flags.h rejects both). Neither: the Dataplane `name` in
  // `mesh` must already exist in the control plane.
  std::string dataplane_file;
  std::string dataplane_text;
  std::vector<std::string> dataplane_vars;  // "key=value" (or "k1=v1,k2=v2")
  std::string name;  // --name: fills the template's name, or must equal it
  std::string mesh;  // --mesh: likewise; "default" when nothing names one
  // The dataplane token: a file (re-read for every stream) or the token; one of them.
  std::string token_file;
  std::string token;
  std::string ca_cert_file;  // empty (and no ca_cert_pem): the control plane is not verified
  std::string ca_cert_pem;   // the CA itself (KUMA_CONTROL_PLANE_CA_CERT); beats ca_cert_file
  std::string proxy = "grpc";  // "grpc" | "envoy"
  std::string work_dir;      // empty: $TMPDIR/ursa-dp/<mesh>.<name>
  uint32_t admin_port = 9901;
  std::string envoy_binary = "envoy";
  absl::Duration drain_time = absl::Seconds(30);  // Envoy's --drain-time-s
  uint32_t concurrency = 0;                       // Envoy's --concurrency; 0: --cpuset-threads
  std::string envoy_log_level = "info";           // Envoy's --log-level
  std::vector<std::string> app;  // the application and its arguments (after --)
  RetryPolicy retry;
  absl::Duration certificate_timeout = absl::Seconds(30);
  absl::Duration tls_config_hold_timeout = absl::Seconds(10);
};

// Envoy's command line, as kuma-dp 2.2 builds it: the binary, --config-path
// <bootstrap_file>, --drain-time-s <whole seconds of drain_time>,
// --disable-hot-restart, --log-level <envoy_log_level>, then --concurrency N
// when `concurrency` is set, else --cpuset-threads (threads follow the
// process's cpuset; Linux).
std::vector<std::string> envoyCommandLine(const AgentOptions& options,
                                          const std::string& bootstrap_file);

// Runs the agent; returns the process exit code.
int runAgent(const AgentOptions& options);

}  // namespace ursa::dp
