#include "src/dp/envoy_admin.h"

#include "src/dp/http_post.h"
#include "ursa/common/strings.h"

namespace ursa::dp {

absl::Status failEnvoyHealthChecks(uint32_t admin_port, absl::Duration timeout) {
  std::string url = strCat("http://127.0.0.1:", admin_port, "/healthcheck/fail");
  auto answer = post(url, "", "", timeout);
  if (!answer.ok()) {
    return absl::UnavailableError(strCat(url, ": ", fromAbsl(answer.status().message())));
  }
  if (answer->status != 200) {
    return absl::InternalError(strCat(url, ": HTTP ", answer->status));
  }
  return absl::OkStatus();
}

}  // namespace ursa::dp
