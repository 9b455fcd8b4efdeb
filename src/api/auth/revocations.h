#pragma once

// RevocationList: the ids (`jti`) of revoked tokens, listed comma-separated
// (spaces and a trailing newline ignored) in one secret, as Kuma 2.2 keeps
// them: the GlobalSecret `user-token-revocations` for user tokens, the Secret
// `dataplane-token-revocations-<mesh>` of each mesh for dataplane tokens
// (KeyScope::kPerMesh: `<name>-<mesh>` in that mesh). Most deployments never
// create the secret; its absence is cached, and any change to it is seen at
// once (store watch).
//
// Thread-safety: every method may be called from any thread.

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "src/api/auth/secret_cache.h"
#include "src/api/auth/signing_keys.h"

namespace ursa::api {

class RevocationList {
 public:
  // `store` must outlive this object.
  RevocationList(store::ResourceStore& store, std::string secret_name,
                 KeyScope scope = KeyScope::kGlobal);

  // Unavailable when the store cannot answer. kPerMesh needs a mesh, kGlobal
  // none (InvalidArgument otherwise).
  absl::StatusOr<bool> isRevoked(std::string_view jti, std::string_view mesh = {}) const;
  // Where the list of `mesh` lives.
  SecretRef secretRef(std::string_view mesh = {}) const;

 private:
  using IdSet = std::shared_ptr<const std::set<std::string, std::less<>>>;
  std::string secret_name_;
  KeyScope scope_;
  SecretCache<IdSet> ids_;
};

}  // namespace ursa::api
