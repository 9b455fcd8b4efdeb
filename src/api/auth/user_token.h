#pragma once

// User tokens: JWTs (RS256) in Kuma's format, signed by a key the control
// plane generates at first start and keeps as the GlobalSecret
// `user-token-signing-key-<serial>`; claims `Name`, `Groups`, `jti`, `iat`,
// `nbf` (now - 5m), `exp`; header `kid` = serial. Revoked token ids are listed
// in the GlobalSecret `user-token-revocations` (comma-separated jti).

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ursa/common/status.h"

namespace ursa::api {

struct UserTokenRequest {
  std::string name;
  std::vector<std::string> groups;
  absl::Duration valid_for;
};

class UserTokenIssuer {
 public:
  virtual ~UserTokenIssuer() = default;
  // A signed token. InvalidArgument for an empty name or a non-positive validity.
  virtual absl::StatusOr<std::string> issue(const UserTokenRequest& request) const = 0;
};

}  // namespace ursa::api
