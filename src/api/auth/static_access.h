#pragma once

// AccessControl with Kuma's static rules (see user.h): admins may do
// everything; Secrets, GlobalSecrets and token generation are for admins
// only; members of mesh-system:read-only may only read; everyone else may read
// and write the other resources.

#include "src/api/auth/user.h"

namespace ursa::api {

class StaticAccessControl : public AccessControl {
 public:
  absl::Status checkRead(const User& user, const model::ResourceType& type) const override;
  absl::Status checkWrite(const User& user, const model::ResourceType& type) const override;
  absl::Status checkGenerateUserToken(const User& user) const override;
  absl::Status checkGenerateDataplaneToken(const User& user) const override;
};

}  // namespace ursa::api
