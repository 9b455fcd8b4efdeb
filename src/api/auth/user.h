#pragma once

// Who is calling the API, and what they may do.
//
// Identities follow Kuma: a request from loopback is the admin user
// (apiServer.authn.localhostIsAdmin); any other request must carry a user
// token (`Authorization: Bearer <JWT>`), whose groups decide its rights.
// Groups with meaning:
//   mesh-system:admin       everything, Secrets and token generation included
//   mesh-system:read-only   reads of every resource except Secrets
// Every other authenticated user may read and write all resources except
// Secrets/GlobalSecrets, as in Kuma's default static access control.

#include <memory>
#include <string>
#include <vector>

#include "src/http/server.h"
#include "ursa/common/status.h"
#include "ursa/model/resource.h"

namespace ursa::api {

inline constexpr std::string_view kAdminGroup = "mesh-system:admin";
inline constexpr std::string_view kReadOnlyGroup = "mesh-system:read-only";
inline constexpr std::string_view kAuthenticatedGroup = "mesh-system:authenticated";

struct User {
  std::string name;
  std::vector<std::string> groups;

  bool inGroup(std::string_view group) const;
  bool isAdmin() const { return inGroup(kAdminGroup); }
  bool isReadOnly() const { return !isAdmin() && inGroup(kReadOnlyGroup); }
  static User admin();
};

// Decides who sent a request. Unauthenticated (HTTP 401) when the request
// carries no acceptable credentials.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual absl::StatusOr<User> authenticate(const http::Request& request) const = 0;
};
using AuthenticatorSharedPtr = std::shared_ptr<const Authenticator>;

// What a user may do. PermissionDenied (HTTP 403) explains what is missing.
class AccessControl {
 public:
  virtual ~AccessControl() = default;
  virtual absl::Status checkRead(const User& user, const model::ResourceType& type) const = 0;
  virtual absl::Status checkWrite(const User& user, const model::ResourceType& type) const = 0;
  virtual absl::Status checkGenerateUserToken(const User& user) const = 0;
  virtual absl::Status checkGenerateDataplaneToken(const User& user) const = 0;
};
using AccessControlSharedPtr = std::shared_ptr<const AccessControl>;

}  // namespace ursa::api
