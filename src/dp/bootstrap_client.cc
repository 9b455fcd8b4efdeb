#include "src/dp/bootstrap_client.h"

#include <mutex>
#include <thread>

#include "absl/strings/escaping.h"
#include "src/dp/http_post.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"

namespace ursa::dp {
namespace {

std::string firstLine(std::string_view body) {
  std::string_view line = body.substr(0, body.find('\n'));
  if (line.size() > 500) line = line.substr(0, 500);
  return std::string(line);
}

// Sleeps `d`, waking early when `*stop` is set. False when stopped.
bool sleepUnlessStopped(absl::Duration d, const std::atomic<bool>* stop) {
  absl::Time until = absl::Now() + d;
  while (absl::Now() < until) {
    if (stop != nullptr && stop->load()) return false;
    absl::Duration left = until - absl::Now();
    std::this_thread::sleep_for(
        absl::ToChronoMilliseconds(std::min(left, absl::Milliseconds(100))));
  }
  return stop == nullptr || !stop->load();
}

}  // namespace

std::string bootstrapRequestBody(const BootstrapParams& p) {
  model::Json req = {
      {"mesh", p.dataplane.mesh},
      {"name", p.dataplane.name},
      {"proxyType", "dataplane"},
      {"dataplaneToken", p.token},
      {"version", {{"kumaDp", {{"version", URSA_VERSION}}}, {"envoy", model::Json::object()}}},
      {"caCert", p.ca_pem},
      {"adminPort", p.admin_port},
      {"ursa",
       {{"proxy", p.proxy}, {"xdsServerUri", p.xds_server_uri}, {"certificateDir", p.certificate_dir}}},
  };
  // Without a template the control plane looks the Dataplane up by name.
  if (!p.dataplane.json.is_null()) req["dataplaneResource"] = p.dataplane.json.dump();
  return req.dump();
}

absl::StatusOr<BootstrapResult> parseBootstrapResponse(int http_status,
                                                       const std::string& content_type,
                                                       const std::string& body) {
  std::string why = strCat("the control plane answered ", http_status, ": ", firstLine(body));
  switch (http_status) {
    case 200:
      break;
    case 400:
    case 422:
      return absl::InvalidArgumentError(why);
    case 401:
      return absl::UnauthenticatedError(why);
    case 403:
      return absl::PermissionDeniedError(why);
    case 404:
      return absl::UnavailableError(strCat(why, " (the Dataplane is not registered yet)"));
    default:
      if (http_status >= 500) return absl::UnavailableError(why);
      return absl::InvalidArgumentError(why);
  }
  BootstrapResult out;
  if (content_type.find("application/json") == std::string::npos) {
    out.bootstrap = body;  // the legacy answer: the bootstrap itself
    return out;
  }
  auto json = model::parseJson(body);
  auto encoded = json.ok() && json->is_object() ? json->find("bootstrap") : model::Json::iterator();
  if (!json.ok() || !json->is_object() || encoded == json->end() || !encoded->is_string()) {
    // A JSON content type but no envelope: a gRPC bootstrap sent as itself.
    if (json.ok() && json->is_object() && json->contains("xds_servers")) {
      out.bootstrap = body;
      return out;
    }
    return absl::InternalError(strCat("the control plane's bootstrap answer has no \"bootstrap\": ",
                                      firstLine(body)));
  }
  std::string decoded;
  if (!absl::Base64Unescape(toAbsl(encoded->get_ref<const std::string&>()), &decoded)) {
    return absl::InternalError("the control plane's bootstrap is not valid base64");
  }
  out.bootstrap = std::move(decoded);
  if (auto sidecar = json->find("kumaSidecarConfiguration"); sidecar != json->end()) {
    out.sidecar = *sidecar;
  }
  return out;
}

absl::StatusOr<BootstrapResult> fetchBootstrap(const CpAddress& cp, const std::string& ca_cert_file,
                                               const BootstrapParams& params,
                                               const RetryPolicy& retry,
                                               const std::atomic<bool>* stop) {
  const std::string url = cp.baseUrl() + "/bootstrap";
  const std::string body = bootstrapRequestBody(params);
  const absl::Time deadline = absl::Now() + retry.max_duration;
  for (int attempt = 1;; ++attempt) {
    absl::Status problem;
    auto answer = post(url, body, ca_cert_file, retry.request_timeout);
    if (answer.ok()) {
      auto result = parseBootstrapResponse(answer->status, answer->content_type, answer->body);
      if (result.ok() || !absl::IsUnavailable(result.status())) return result;
      problem = result.status();
    } else {
      problem = absl::UnavailableError(strCat("could not reach the control plane at ", cp.baseUrl(),
                                              ": ", fromAbsl(answer.status().message())));
    }
    if (absl::Now() + retry.backoff > deadline) {
      return absl::DeadlineExceededError(
          strCat("no bootstrap from the control plane at ", cp.baseUrl(), " after ", attempt,
                 " attempts in ", fromAbsl(absl::FormatDuration(retry.max_duration)),
                 "; last problem: ", fromAbsl(problem.message())));
    }
    logger("dp")->info("bootstrap: {}; retrying in {}", fromAbsl(problem.message()),
                       fromAbsl(absl::FormatDuration(retry.backoff)));
    if (!sleepUnlessStopped(retry.backoff, stop)) {
      return absl::CancelledError("stopped while waiting for the control plane");
    }
  }
}

}  // namespace ursa::dp
