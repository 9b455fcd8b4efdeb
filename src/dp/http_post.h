#pragma once

// One HTTP POST from ursa-dp (libcurl): to the control plane's data plane
// server (bootstrap) and to Envoy's admin interface (draining).

#include <string>

#include "absl/time/time.h"
#include "ursa/common/status.h"

namespace ursa::dp {

struct HttpAnswer {
  int status = 0;
  std::string content_type;
  std::string body;
};

// POSTs `body` (JSON) to `url` over HTTP/1.1, verifying an https server
// against `ca_cert_file` (nothing verified when it is empty). Unavailable,
// with libcurl's reason, when no answer came (no connection, TLS failure,
// timeout); any HTTP status is an answer.
absl::StatusOr<HttpAnswer> post(const std::string& url, const std::string& body,
                                const std::string& ca_cert_file, absl::Duration timeout);

}  // namespace ursa::dp
