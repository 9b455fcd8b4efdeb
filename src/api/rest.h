#pragma once

// The REST API's wire conventions, as Kuma 2.2 has them:
//  - bodies are JSON, or YAML when the request says Content-Type: */yaml;
//    responses are JSON unless Accept asks for YAML;
//  - errors are {"title", "details", "causes": [{"field", "message"}]} with
//    a status that says what went wrong (see statusOf).

#include <string>
#include <string_view>

#include "src/http/server.h"
#include "ursa/model/codec.h"

namespace ursa::api {

using Json = model::Json;

enum class Format { JsonBody, YamlBody };

// The format of the request body; UnsupportedMediaType-like InvalidArgument
// is reported through parseBody.
Format responseFormat(const http::Request& req);

// Parses the body by its Content-Type. Errors: 415 for a type that is neither
// JSON nor YAML, 400 for a body that does not parse.
struct BodyError {
  int status;
  std::string details;
};
absl::StatusOr<Json> parseBody(const http::Request& req, size_t max_bytes);

// A 2xx response carrying `body` in the negotiated format.
http::Response ok(const http::Request& req, int status, const Json& body);
// An empty 2xx response (PUT and DELETE answer so in Kuma 2.2).
http::Response empty(int status);

// An error response in Kuma's shape. `title` says what was being done
// ("Could not process a resource"); the status, details and causes come from
// `status` (its violations become causes).
http::Response error(const http::Request& req, std::string_view title, const absl::Status& status);
// The HTTP status for a canonical code.
int httpStatusOf(absl::StatusCode code);

// 405 with a plain-text explanation (Kuma answers read-only refusals so).
http::Response methodNotAllowed(std::string message, std::string allow);

// Codes the REST layer adds to absl's: a body in an unsupported format (415)
// and a body over the limit (413) travel as these, carried in a Status payload.
absl::Status unsupportedMediaType(std::string message);
absl::Status payloadTooLarge(std::string message);

}  // namespace ursa::api
