#include "src/api/rest.h"

#include "absl/strings/cord.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"

namespace ursa::api {
namespace {

constexpr char kHttpStatusPayload[] = "type.ursa.dev/http-status";

bool mentionsYaml(std::string_view s) { return s.find("yaml") != std::string_view::npos; }

absl::Status withHttpStatus(absl::StatusCode code, std::string message, int http_status) {
  absl::Status s(code, message);
  s.SetPayload(kHttpStatusPayload, absl::Cord(std::to_string(http_status)));
  return s;
}

}  // namespace

Format responseFormat(const http::Request& req) {
  return mentionsYaml(req.header("accept")) ? Format::YamlBody : Format::JsonBody;
}

absl::Status unsupportedMediaType(std::string message) {
  return withHttpStatus(absl::StatusCode::kInvalidArgument, std::move(message), 415);
}

absl::Status payloadTooLarge(std::string message) {
  return withHttpStatus(absl::StatusCode::kResourceExhausted, std::move(message), 413);
}

absl::StatusOr<Json> parseBody(const http::Request& req, size_t max_bytes) {
  std::string type = req.header("content-type");
  for (char& ch : type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string_view media = std::string_view(type).substr(0, type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (req.body.size() > max_bytes) {
    return payloadTooLarge(strCat("the body is ", req.body.size(), " bytes; the limit is ",
                                  max_bytes));
  }
  if (media.empty() || media == "application/json") {
    return model::parseJson(req.body, max_bytes);
  }
  if (mentionsYaml(media)) return model::parseYaml(req.body, max_bytes);
  return unsupportedMediaType(strCat("Content-Type \"", media,
                                     "\" is not supported; send application/json or "
                                     "application/yaml"));
}

http::Response ok(const http::Request& req, int status, const Json& body) {
  if (responseFormat(req) == Format::YamlBody) {
    return http::Response{status, "application/yaml", model::toYaml(body), {}};
  }
  return http::Response::json(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

http::Response empty(int status) { return http::Response{status, "application/json", "", {}}; }

int httpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    default:
      return 500;
  }
}

http::Response error(const http::Request& req, std::string_view title, const absl::Status& status) {
  int code = httpStatusOf(status.code());
  if (auto forced = status.GetPayload(kHttpStatusPayload)) code = std::stoi(std::string(*forced));
  model::Violations violations = model::violationsOf(status);
  Json causes = Json::array();
  for (const auto& v : violations.list()) {
    causes.push_back(Json{{"field", v.field}, {"message", v.message}});
  }
  std::string details;
  if (code == 404) {
    details = "Not found";
  } else if (!violations.empty()) {
    details = "Resource is not valid";
  } else if (code == 500) {
    details = "Internal Server Error";
    logger("api")->error("{} {}: {}", req.method, req.path, fromAbsl(status.message()));
  } else {
    details = std::string(fromAbsl(status.message()));
  }
  // Kuma 2.2's fields, plus AIP-193's `status` and `detail` that Kuma adds
  // from 2.3: the specific message even where `details` is Kuma's generic one.
  Json body = {{"title", std::string(title)}, {"details", details}};
  if (!causes.empty()) body["causes"] = std::move(causes);
  body["status"] = code;
  // An internal error's text may reveal internals: it stays in the log.
  body["detail"] = code == 500 ? details : std::string(fromAbsl(status.message()));
  return ok(req, code, body);
}

http::Response methodNotAllowed(std::string message, std::string allow) {
  http::Response r = http::Response::text(405, std::move(message));
  if (!allow.empty()) r.headers.emplace_back("Allow", std::move(allow));
  return r;
}

}  // namespace ursa::api
