#include "src/api/auth/localhost_authenticator.h"

namespace ursa::api {

bool LocalhostAuthenticator::isLoopback(std::string_view address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address.rfind("::ffff:127.", 0) == 0;
}

absl::StatusOr<User> LocalhostAuthenticator::authenticate(const http::Request& request) const {
  // A loopback caller that presents a token is that token's user: this is how
  // an admin checks what a token may do from the control plane's own host.
  bool has_token = !request.header("authorization").empty();
  if (localhost_is_admin_ && !has_token && isLoopback(request.remote_address)) {
    return User::admin();
  }
  if (next_) return next_->authenticate(request);
  return absl::UnauthenticatedError(
      "requests from outside the control plane's host need a user token "
      "(Authorization: Bearer <token>; see `ursactl generate user-token`)");
}

}  // namespace ursa::api
