#pragma once

// User tokens (see user_token.h for the format): the issuer, the revocation
// list, the validator and the `Authorization: Bearer` authenticator.
//
// Validation, in order: structure and `alg` (RS256 only), `kid` -> signing
// key, signature, `exp`/`nbf` (with `leeway` for clock skew), claims
// (`Name` a non-empty string, `Groups` strings), revocation. The user is
// {Name, Groups + mesh-system:authenticated}.
//
// Every refusal of a token is Unauthenticated (HTTP 401) with the reason;
// a store that cannot answer is Unavailable (503), never a refusal.
//
// Thread-safety: every class here may be used from any thread.

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "src/api/auth/revocations.h"
#include "src/api/auth/signing_keys.h"
#include "src/api/auth/user.h"
#include "src/api/auth/user_token.h"
#include "ursa/common/clock.h"

namespace ursa::api {

inline constexpr std::string_view kUserTokenRevocations = "user-token-revocations";
// Kuma's nbf: tokens are valid from five minutes before they were issued.
inline constexpr absl::Duration kNotBeforeSkew = absl::Minutes(5);

// Signs tokens with the newest signing key.
class JwtUserTokenIssuer : public UserTokenIssuer {
 public:
  JwtUserTokenIssuer(std::shared_ptr<const SigningKeys> keys, ClockSharedPtr clock)
      : keys_(std::move(keys)), clock_(std::move(clock)) {}
  absl::StatusOr<std::string> issue(const UserTokenRequest& request) const override;

 private:
  std::shared_ptr<const SigningKeys> keys_;
  ClockSharedPtr clock_;
};

// apiServer.authn.tokens.enableIssuer: false. Refuses with
// FailedPrecondition (HTTP 400, as Kuma answers).
class DisabledUserTokenIssuer : public UserTokenIssuer {
 public:
  absl::StatusOr<std::string> issue(const UserTokenRequest& request) const override;
};

class UserTokenValidator {
 public:
  UserTokenValidator(std::shared_ptr<const SigningKeys> keys,
                     std::shared_ptr<const RevocationList> revocations, ClockSharedPtr clock,
                     absl::Duration leeway = absl::Minutes(1))
      : keys_(std::move(keys)),
        revocations_(std::move(revocations)),
        clock_(std::move(clock)),
        leeway_(leeway) {}

  // The token's user, without the mesh-system:authenticated group.
  absl::StatusOr<User> validate(std::string_view token) const;

 private:
  absl::StatusOr<User> validateOrExplain(std::string_view token) const;

  std::shared_ptr<const SigningKeys> keys_;
  std::shared_ptr<const RevocationList> revocations_;
  ClockSharedPtr clock_;
  absl::Duration leeway_;
};

// `Authorization: Bearer <token>` -> the token's user plus
// mesh-system:authenticated. No header, another scheme or a bad token: 401.
class UserTokenAuthenticator : public Authenticator {
 public:
  explicit UserTokenAuthenticator(std::shared_ptr<const UserTokenValidator> validator)
      : validator_(std::move(validator)) {}
  absl::StatusOr<User> authenticate(const http::Request& request) const override;

 private:
  std::shared_ptr<const UserTokenValidator> validator_;
};

}  // namespace ursa::api
