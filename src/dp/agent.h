#pragma once

// `ursa-dp run`: the data plane agent's whole run, from flags to exit code.
//
// grpc (proxyless applications):
//   1. read the Dataplane (--dataplane-file, -v vars) and the token;
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
//   model::accessLogSocketPath(name, mesh), run `envoy -c <file>` (and the
//   application, when one is given); exit with the application's code
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
  std::string dataplane_file;
  std::vector<std::string> dataplane_vars;  // "key=value"
  std::string token_file;
  std::string ca_cert_file;  // empty: the control plane is not verified (with a warning)
  std::string proxy = "grpc";  // "grpc" | "envoy"
  std::string work_dir;      // empty: $TMPDIR/ursa-dp/<mesh>.<name>
  uint32_t admin_port = 9901;
  std::string envoy_binary = "envoy";
  std::vector<std::string> app;  // the application and its arguments (after --)
  RetryPolicy retry;
  absl::Duration certificate_timeout = absl::Seconds(30);
  absl::Duration tls_config_hold_timeout = absl::Seconds(10);
};

// Runs the agent; returns the process exit code.
int runAgent(const AgentOptions& options);

}  // namespace ursa::dp
