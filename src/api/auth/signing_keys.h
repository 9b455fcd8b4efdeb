#pragma once

// SigningKeys: the RSA keys that sign tokens, stored as secrets named
// `<prefix>-<serial>`, each holding a PEM RSA private key, as Kuma 2.2 keeps
// them. Two scopes:
//  - KeyScope::kGlobal: GlobalSecrets (user tokens: `user-token-signing-key-1`,
//    -2, ...); every method is called without a mesh.
//  - KeyScope::kPerMesh: in each mesh M, Secrets `<prefix>-M-<serial>`
//    (dataplane tokens: `dataplane-token-signing-key-default-1` in mesh
//    default); every method is called with the mesh. One object serves all
//    meshes.
//
//  - ensureDefaultKey(): creates `<prefix>-1` (RSA 2048) unless some key
//    exists. Safe when several control planes share a database: the store's
//    create is atomic, so AlreadyExists means another control plane made the
//    key first, and it is read back.
//  - latest(): the key with the highest serial signs new tokens (rotation:
//    add `<prefix>-2`, re-issue tokens, delete `<prefix>-1`).
//  - byKid(): verification looks a key up by the token's `kid` (its serial).
//    Parsed keys are cached; a miss reads the store again, so a key added by
//    another control plane is found, and a store watch drops a key from the
//    cache when it is changed or deleted, so a deleted key stops verifying
//    tokens at once.
//
// Calling a kGlobal object with a mesh, or a kPerMesh one without, is an
// InvalidArgument error.
//
// Thread-safety: every method may be called from any thread.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "src/api/auth/jwt.h"
#include "src/api/auth/secret_cache.h"
#include "src/core/resource_manager.h"

namespace ursa::api {

inline constexpr std::string_view kUserTokenSigningKeyPrefix = "user-token-signing-key";
inline constexpr std::string_view kDataplaneTokenSigningKeyPrefix = "dataplane-token-signing-key";

enum class KeyScope {
  kGlobal,   // GlobalSecrets `<prefix>-<serial>`
  kPerMesh,  // Secrets `<prefix>-<mesh>-<serial>` in their mesh
};

class SigningKeys {
 public:
  // `manager` (and its store) must outlive this object.
  SigningKeys(core::ResourceManager& manager, std::string prefix, int rsa_bits = 2048,
              KeyScope scope = KeyScope::kGlobal);

  // Creates `<prefix>-1` unless a signing key exists. True when this call
  // created it; false when it existed or another control plane won the race.
  // kPerMesh: FailedPrecondition when the mesh does not exist.
  absl::StatusOr<bool> ensureDefaultKey(std::string_view mesh = {});

  struct Key {
    std::string kid;  // the serial, as text
    jwt::KeyPtr key;
  };
  // The key with the highest serial; NotFound when there is none.
  absl::StatusOr<Key> latest(std::string_view mesh = {}) const;
  // The key whose serial is `kid`; NotFound (naming the secret) when it does
  // not exist, Internal when the secret does not hold an RSA key.
  absl::StatusOr<jwt::KeyPtr> byKid(std::string_view kid, std::string_view mesh = {}) const;

  // The secret holding key `kid`: `<prefix>-<kid>`, or `<prefix>-<mesh>-<kid>`
  // in `mesh`.
  SecretRef secretRef(std::string_view kid, std::string_view mesh = {}) const;
  std::string secretName(std::string_view kid, std::string_view mesh = {}) const {
    return secretRef(kid, mesh).name;
  }
  // True when the store forgets everything on exit (store.type: memory):
  // every restart then brings a new key, voiding earlier tokens.
  bool inMemory() const { return manager_.store().backendName() == "memory"; }

 private:
  absl::Status checkScope(std::string_view mesh) const;
  // `<prefix>-` or `<prefix>-<mesh>-`: the name of a key without its serial.
  std::string stem(std::string_view mesh) const;

  core::ResourceManager& manager_;
  std::string prefix_;
  int rsa_bits_;
  KeyScope scope_;
  SecretCache<jwt::KeyPtr> keys_;
  // Serializes key creation in this process: concurrent first token requests
  // for a mesh generate one RSA key, not one each.
  std::mutex create_mu_;
};

}  // namespace ursa::api
