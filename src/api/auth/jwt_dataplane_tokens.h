#pragma once

// The control plane's DataplaneTokens (see dataplane_tokens.h): Kuma 2.2's
// dataplane tokens over the store's Secrets, for every mesh at once.
//
// Keys: Secrets `dataplane-token-signing-key-<mesh>-<serial>` of each mesh
// (SigningKeys, KeyScope::kPerMesh). issue() creates key 1 of a mesh the first
// time it signs for that mesh; control planes racing to do so agree on one
// key. Rotation as for user tokens: add `...-<mesh>-2`, re-issue, delete `-1`.
//
// Validation, in order: the claimed `Mesh` (a token of another mesh is
// refused by name), structure and `alg` (RS256 only), `kid` -> the mesh's
// key, signature, `exp`/`nbf` (with `leeway`), claims (types; `jti`
// required), revocation (Secret `dataplane-token-revocations-<mesh>`).
// Refusals are Unauthenticated("invalid dataplane token: <reason>"); a store
// that cannot answer is Unavailable, a corrupt key Internal.
//
// Unlike Kuma 2.2, tokens without `kid` (Kuma 1.x, HS256) are refused.

#include <memory>
#include <string>
#include <string_view>

#include "src/api/auth/dataplane_tokens.h"
#include "src/api/auth/revocations.h"
#include "src/api/auth/signing_keys.h"
#include "src/core/resource_manager.h"
#include "ursa/common/clock.h"

namespace ursa::api {

inline constexpr std::string_view kDataplaneTokenRevocations = "dataplane-token-revocations";

struct DataplaneTokenOptions {
  ClockSharedPtr clock = SystemClock::shared();
  absl::Duration leeway = absl::Minutes(1);  // clock skew tolerated on exp and nbf
  int rsa_bits = 2048;
};

class JwtDataplaneTokens : public DataplaneTokens {
 public:
  // `manager` (and its store) must outlive this object.
  explicit JwtDataplaneTokens(core::ResourceManager& manager, DataplaneTokenOptions options = {});

  absl::StatusOr<std::string> issue(const DataplaneTokenRequest& request) const override;
  absl::StatusOr<DataplaneIdentity> validate(std::string_view token,
                                             std::string_view mesh) const override;

  const SigningKeys& keys() const { return keys_; }

 private:
  // The newest key of `mesh`, creating key 1 when the mesh has none.
  absl::StatusOr<SigningKeys::Key> signingKey(const std::string& mesh) const;
  absl::StatusOr<DataplaneIdentity> validateOrExplain(std::string_view token,
                                                      std::string_view mesh) const;

  DataplaneTokenOptions options_;
  mutable SigningKeys keys_;  // ensureDefaultKey() is the one non-const use
  RevocationList revocations_;
};

// Checks a request as issue() does: InvalidArgument naming what is wrong.
absl::Status checkDataplaneTokenRequest(const DataplaneTokenRequest& request);

}  // namespace ursa::api
