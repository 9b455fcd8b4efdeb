#pragma once

// The bootstrap client: Kuma's `POST /bootstrap` to the data plane server
// (src/dpserver/bootstrap.h is the server's side of this contract). It sends
// the Dataplane to register (the rendered --dataplane-file), the token, the CA
// the proxy verifies the control plane with, and ursa's extension
// `ursa: {proxy, xdsServerUri, certificateDir}`; it gets back the bootstrap
// for the proxy: an Envoy v3 bootstrap (YAML) or a gRPC xDS bootstrap (JSON).
//
// Like kuma-dp it retries while the control plane cannot answer (no
// connection, 404 "Dataplane not found", 5xx), every `backoff`, for at most
// `max_duration`; answers that retrying cannot change (400, 401, 403, 422)
// end at once with the control plane's message.

#include <atomic>
#include <string>

#include "absl/time/time.h"
#include "src/dp/control_plane.h"
#include "src/dp/dataplane_file.h"
#include "ursa/common/status.h"
#include "ursa/model/codec.h"

namespace ursa::dp {

struct BootstrapParams {
  DataplaneDocument dataplane;
  std::string token;
  std::string ca_pem;           // sent as `caCert`
  std::string proxy = "grpc";   // "grpc" | "envoy"
  std::string xds_server_uri;   // grpc: the relay the application dials
  std::string certificate_dir;  // grpc: where the files of cert_files.h live
  uint32_t admin_port = 9901;   // envoy: its admin listener
};

struct RetryPolicy {
  absl::Duration backoff = absl::Seconds(3);       // kuma-dp: controlPlane.retry.backoff
  absl::Duration max_duration = absl::Minutes(5);  // kuma-dp: controlPlane.retry.maxDuration
  absl::Duration request_timeout = absl::Seconds(30);
};

struct BootstrapResult {
  std::string bootstrap;           // the proxy's bootstrap, verbatim
  model::Json sidecar = model::Json::object();  // `kumaSidecarConfiguration`, when sent
};

// The request body (JSON).
std::string bootstrapRequestBody(const BootstrapParams& params);

// Interprets one answer. OK for 200 (a JSON envelope with a base64
// `bootstrap`, or the bootstrap itself); otherwise an error carrying the
// control plane's message, whose code says whether retrying may help:
// Unavailable (retry) for 404 and 5xx, InvalidArgument / Unauthenticated /
// PermissionDenied (do not) for 400 and 422 / 401 / 403.
absl::StatusOr<BootstrapResult> parseBootstrapResponse(int http_status,
                                                       const std::string& content_type,
                                                       const std::string& body);

// POSTs the request, retrying per `retry` until it succeeds, fails for good,
// `max_duration` passes (DeadlineExceeded naming the last problem), or
// `*stop` becomes true (Cancelled). `ca_cert_file` verifies the server (empty:
// no verification).
absl::StatusOr<BootstrapResult> fetchBootstrap(const CpAddress& cp, const std::string& ca_cert_file,
                                               const BootstrapParams& params,
                                               const RetryPolicy& retry,
                                               const std::atomic<bool>* stop = nullptr);

}  // namespace ursa::dp
