#pragma once

// The HTTP exchange ursactl needs, as a contract apart from its
// implementation (curl_transport.h), so commands can be tested against a fake.
//
// A transport is bound to one base URL (a control plane's API address, which
// may carry a path prefix) and sends requests relative to it. It reports only
// transport failures (no connection, timeout, TLS) as errors: every HTTP
// status, 4xx and 5xx included, is a response.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "ursa/common/status.h"

namespace ursa::cli {

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // path and query relative to the base URL: "/meshes?size=10"
  std::string body;
  std::string content_type;  // empty: no body
  std::string accept = "application/json";
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// Where and how to reach a control plane.
struct TransportOptions {
  std::string base_url;                       // "http://localhost:5681", "https://cp:5682/prefix"
  absl::Duration timeout = absl::Minutes(1);  // whole exchange; zero = none
  std::vector<std::pair<std::string, std::string>> headers;  // sent with every request
  std::string bearer_token;  // Authorization: Bearer ... when not empty
  std::string ca_cert_file;  // verify the server against this CA (PEM)
  std::string client_cert_file;
  std::string client_key_file;
  bool skip_verify = false;  // do not verify the server's certificate
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends `request`; Unavailable (or DeadlineExceeded) when no response came.
  virtual absl::StatusOr<HttpResponse> send(const HttpRequest& request) = 0;
  // The base URL, for messages.
  virtual const std::string& baseUrl() const = 0;
};

}  // namespace ursa::cli
