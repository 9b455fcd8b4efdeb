#pragma once

// Assembles user-token authentication at control-plane start, as Kuma 2.2's
// `tokens` authn plugin does:
//  1. ensures the signing key `user-token-signing-key-1` exists;
//  2. builds the issuer (or a disabled one: apiServer.authn.tokens.enableIssuer)
//     and the Bearer-token authenticator;
//  3. with apiServer.authn.tokens.bootstrapAdminToken (and the issuer
//     enabled), stores a 10-year admin
//     token as GlobalSecret `admin-user-token` unless it exists, so an
//     operator on the control plane's host can fetch it
//     (`curl localhost:5681/global-secrets/admin-user-token`) and use it
//     from anywhere.

#include <memory>

#include "src/api/auth/signing_keys.h"
#include "src/api/auth/user.h"
#include "src/api/auth/user_token.h"
#include "src/core/resource_manager.h"
#include "ursa/common/clock.h"

namespace ursa::api {

inline constexpr std::string_view kAdminUserTokenSecret = "admin-user-token";
inline constexpr absl::Duration kAdminTokenValidity = absl::Hours(24 * 365 * 10);

struct UserTokenOptions {
  bool enable_issuer = true;          // apiServer.authn.tokens.enableIssuer
  bool bootstrap_admin_token = true;  // apiServer.authn.tokens.bootstrapAdminToken
  int http_port = 5681;               // for the hint logged with the admin token
  ClockSharedPtr clock = SystemClock::shared();
  absl::Duration leeway = absl::Minutes(1);  // clock skew tolerated on exp and nbf
  int rsa_bits = 2048;
};

struct UserTokens {
  std::shared_ptr<SigningKeys> keys;
  std::shared_ptr<UserTokenIssuer> issuer;  // never null; refuses when disabled
  AuthenticatorSharedPtr authenticator;     // `Authorization: Bearer <token>`
};

// Steps 1 to 3. Fails when the signing key cannot be created or read; a
// failure to store the admin token is only logged (as Kuma does), since the
// API works without it. `manager` must outlive the returned objects.
absl::StatusOr<UserTokens> startUserTokens(core::ResourceManager& manager,
                                           const UserTokenOptions& options);

// Stores a 10-year token of the admin user as GlobalSecret admin-user-token
// unless that secret exists. True when this call stored it; false when it
// existed (or another control plane stored it first).
absl::StatusOr<bool> bootstrapAdminToken(core::ResourceManager& manager,
                                         const UserTokenIssuer& issuer);

}  // namespace ursa::api
