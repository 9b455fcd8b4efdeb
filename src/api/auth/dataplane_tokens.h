#pragma once

// Dataplane tokens: JWTs (RS256) in Kuma 2.2's format that let a proxy act as
// a Dataplane. Claims: `Name` (optional: binds the token to one Dataplane),
// `Mesh`, `Tags` (map of tag -> allowed values: the Dataplane must carry each
// key and every value it has for that key must be allowed), `Type`
// (dataplane|ingress|egress; empty = dataplane), `jti`, `iat`, `nbf`
// (now - 5m), `exp`. Signed by the mesh's Secret
// `dataplane-token-signing-key-<mesh>-<serial>` (serial 1 created when the
// mesh is first used); header `kid` = serial. Revoked token ids are listed,
// comma-separated, in the Secret `dataplane-token-revocations-<mesh>`.
//
// Where they are checked: the data plane server's POST /bootstrap
// (`dataplaneToken`) and every ADS stream (gRPC metadata `authorization`,
// the raw token, exactly one value).
//
// Thread-safety: every method may be called from any thread.

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/time/time.h"
#include "ursa/common/status.h"
#include "ursa/model/resource.h"

namespace ursa::api {

struct DataplaneTokenRequest {
  std::string name;  // empty: any Dataplane of the mesh (subject to tags)
  std::string mesh;  // required
  std::map<std::string, std::set<std::string>> tags;
  std::string type;  // "", "dataplane", "ingress" or "egress"
  absl::Duration valid_for = absl::Hours(24 * 365 * 10);  // Kuma's legacy default: 10y
};

// What a valid token says about its bearer.
struct DataplaneIdentity {
  std::string name;
  std::string mesh;
  std::map<std::string, std::set<std::string>> tags;
  std::string type;
  std::string jti;
};

class DataplaneTokens {
 public:
  virtual ~DataplaneTokens() = default;
  // Signs a token with the mesh's newest signing key (creating key 1 if the
  // mesh has none). InvalidArgument for a missing mesh name or a bad type.
  virtual absl::StatusOr<std::string> issue(const DataplaneTokenRequest& request) const = 0;
  // Unauthenticated, naming the reason, for a bad, expired, revoked or
  // foreign token (signed for another mesh than `mesh`).
  virtual absl::StatusOr<DataplaneIdentity> validate(std::string_view token,
                                                     std::string_view mesh) const = 0;
};
using DataplaneTokensSharedPtr = std::shared_ptr<const DataplaneTokens>;

// PermissionDenied unless `identity` may act as `dataplane`: same mesh, same
// name when the token names one, the token's tags allow the Dataplane's tags,
// and the type (dataplane) matches.
absl::Status authorizeDataplane(const DataplaneIdentity& identity,
                                const model::Resource& dataplane);

}  // namespace ursa::api
