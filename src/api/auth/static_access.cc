#include "src/api/auth/static_access.h"

#include "ursa/common/strings.h"

namespace ursa::api {
namespace {

absl::Status denied(const User& user, std::string_view what) {
  return absl::PermissionDeniedError(
      strCat("user \"", user.name, "\" may not ", what, "; it needs the group ", kAdminGroup));
}

}  // namespace

absl::Status StaticAccessControl::checkRead(const User& user,
                                            const model::ResourceType& type) const {
  if (type.admin_only && !user.isAdmin()) return denied(user, strCat("read ", type.name));
  return absl::OkStatus();
}

absl::Status StaticAccessControl::checkWrite(const User& user,
                                             const model::ResourceType& type) const {
  if (type.admin_only && !user.isAdmin()) return denied(user, strCat("change ", type.name));
  if (user.isReadOnly()) {
    return absl::PermissionDeniedError(strCat("user \"", user.name, "\" is in ", kReadOnlyGroup,
                                              " and may only read"));
  }
  return absl::OkStatus();
}

absl::Status StaticAccessControl::checkGenerateUserToken(const User& user) const {
  return user.isAdmin() ? absl::OkStatus() : denied(user, "generate user tokens");
}

absl::Status StaticAccessControl::checkGenerateDataplaneToken(const User& user) const {
  return user.isAdmin() ? absl::OkStatus() : denied(user, "generate dataplane tokens");
}

}  // namespace ursa::api
