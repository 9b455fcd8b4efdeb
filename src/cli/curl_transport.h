#pragma once

// HttpTransport over libcurl (easy interface, one handle per transport so
// connections are reused between the requests of one command).

#include <memory>

#include "src/cli/http_transport.h"

namespace ursa::cli {

// InvalidArgument when the options cannot work (a URL that is not http(s),
// a CA file that does not exist); the connection itself is made lazily.
absl::StatusOr<std::unique_ptr<HttpTransport>> makeCurlTransport(const TransportOptions& options);

}  // namespace ursa::cli
