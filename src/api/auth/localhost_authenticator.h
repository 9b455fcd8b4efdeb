#pragma once

// Requests from loopback (127.0.0.0/8, ::1) are the admin user when
// apiServer.authn.localhostIsAdmin is set; any other request is passed to
// `next` (the user-token authenticator), or refused when there is none.

#include "src/api/auth/user.h"

namespace ursa::api {

class LocalhostAuthenticator : public Authenticator {
 public:
  LocalhostAuthenticator(bool localhost_is_admin, AuthenticatorSharedPtr next)
      : localhost_is_admin_(localhost_is_admin), next_(std::move(next)) {}
  absl::StatusOr<User> authenticate(const http::Request& request) const override;

  static bool isLoopback(std::string_view address);

 private:
  bool localhost_is_admin_;
  AuthenticatorSharedPtr next_;
};

}  // namespace ursa::api
