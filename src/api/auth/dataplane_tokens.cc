#include "src/api/auth/dataplane_tokens.h"

#include <algorithm>
#include <array>

#include "src/api/auth/jwt.h"
#include "src/api/auth/jwt_dataplane_tokens.h"
#include "src/api/auth/user_tokens.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::api {
namespace {

using Json = nlohmann::json;
using TagValues = std::map<std::string, std::set<std::string>>;

constexpr std::array<std::string_view, 3> kProxyTypes = {"dataplane", "ingress", "egress"};

absl::Status unauthenticated(std::string_view why) {
  return absl::UnauthenticatedError(std::string(why));
}

// A claim that must be a string when present; absent or null reads as "".
absl::StatusOr<std::string> optionalString(const Json& claims, const char* key) {
  auto it = claims.find(key);
  if (it == claims.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return unauthenticated(strCat("malformed token: `", key, "` is not a string"));
  }
  return it->get<std::string>();
}

// `Tags`: {"tag": ["value", ...]}; absent or null reads as no tags.
absl::StatusOr<TagValues> readTags(const Json& claims) {
  TagValues tags;
  auto it = claims.find("Tags");
  if (it == claims.end() || it->is_null()) return tags;
  auto bad = [] { return unauthenticated("malformed token: `Tags` is not a map of string lists"); };
  if (!it->is_object()) return bad();
  for (const auto& [key, values] : it->items()) {
    if (values.is_null()) continue;
    if (!values.is_array()) return bad();
    for (const auto& v : values) {
      if (!v.is_string()) return bad();
      tags[key].insert(v.get<std::string>());
    }
  }
  return tags;
}

absl::StatusOr<DataplaneIdentity> readClaims(const Json& claims) {
  DataplaneIdentity id;
  URSA_ASSIGN_OR_RETURN(id.name, optionalString(claims, "Name"));
  URSA_ASSIGN_OR_RETURN(id.mesh, optionalString(claims, "Mesh"));
  URSA_ASSIGN_OR_RETURN(id.type, optionalString(claims, "Type"));
  URSA_ASSIGN_OR_RETURN(id.tags, readTags(claims));
  if (!id.type.empty() &&
      std::find(kProxyTypes.begin(), kProxyTypes.end(), id.type) == kProxyTypes.end()) {
    return unauthenticated(strCat("malformed token: `Type` \"", id.type, "\" is no proxy type"));
  }
  URSA_ASSIGN_OR_RETURN(id.jti, optionalString(claims, "jti"));
  if (id.jti.empty()) return unauthenticated("the token has no id (`jti`)");
  return id;
}

// The claims in the order of Kuma's Go struct (Name, Mesh, Tags, Type, then
// the registered claims). Tags without values are dropped, as Kuma drops them.
nlohmann::ordered_json claimsOf(const DataplaneTokenRequest& r, absl::Time now) {
  nlohmann::ordered_json tags = nlohmann::ordered_json::object();
  for (const auto& [key, values] : r.tags) {
    if (!values.empty()) tags[key] = std::vector<std::string>(values.begin(), values.end());
  }
  return {
      {"Name", r.name},
      {"Mesh", r.mesh},
      {"Tags", std::move(tags)},
      {"Type", r.type},
      {"exp", absl::ToUnixSeconds(now + r.valid_for)},
      {"nbf", absl::ToUnixSeconds(now - kNotBeforeSkew)},
      {"iat", absl::ToUnixSeconds(now)},
      {"jti", jwt::newUuid()},
  };
}

// Every value a Dataplane has for each tag: its inbounds' and its gateway's.
TagValues tagsOf(const model::Resource& dataplane) {
  TagValues out;
  if (dataplane.type->tags == nullptr || !dataplane.spec) return out;
  for (const auto& set : dataplane.type->tags(*dataplane.spec)) {
    for (const auto& [key, value] : set) out[key].insert(value);
  }
  return out;
}

absl::Status denied(std::string why) { return absl::PermissionDeniedError(std::move(why)); }

// Kuma's rule: the Dataplane carries every tag of the token, and each value
// it has for such a tag is one the token allows.
absl::Status checkTags(const TagValues& allowed, const model::Resource& dataplane) {
  TagValues has = tagsOf(dataplane);
  for (const auto& [key, values] : allowed) {
    auto it = has.find(key);
    if (it == has.end()) {
      return denied(strCat("the Dataplane has no tag \"", key, "\", which the token requires"));
    }
    for (const auto& value : it->second) {
      if (!values.contains(value)) {
        return denied(strCat("the Dataplane has tag \"", key, "\" with value \"", value,
                             "\", which the token does not allow (allowed: ",
                             strJoin(values, ", "), ")"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status checkDataplaneTokenRequest(const DataplaneTokenRequest& request) {
  if (request.mesh.empty()) return absl::InvalidArgumentError("a dataplane token needs a mesh");
  if (!request.type.empty() &&
      std::find(kProxyTypes.begin(), kProxyTypes.end(), request.type) == kProxyTypes.end()) {
    return absl::InvalidArgumentError(strCat(request.type, " is not a valid proxy type"));
  }
  if (request.valid_for <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("a dataplane token needs a positive validity");
  }
  return absl::OkStatus();
}

JwtDataplaneTokens::JwtDataplaneTokens(core::ResourceManager& manager,
                                       DataplaneTokenOptions options)
    : options_(std::move(options)),
      keys_(manager, std::string(kDataplaneTokenSigningKeyPrefix), options_.rsa_bits,
            KeyScope::kPerMesh),
      revocations_(manager.store(), std::string(kDataplaneTokenRevocations), KeyScope::kPerMesh) {}

absl::StatusOr<SigningKeys::Key> JwtDataplaneTokens::signingKey(const std::string& mesh) const {
  auto key = keys_.latest(mesh);
  if (!absl::IsNotFound(key.status())) return key;
  auto created = keys_.ensureDefaultKey(mesh);
  if (absl::IsFailedPrecondition(created.status())) {
    // The store refuses a Secret in a mesh that does not exist.
    return absl::NotFoundError(strCat("cannot issue a dataplane token for mesh \"", mesh,
                                      "\": ", fromAbsl(created.status().message())));
  }
  if (!created.ok()) return created.status();
  return keys_.latest(mesh);
}

absl::StatusOr<std::string> JwtDataplaneTokens::issue(const DataplaneTokenRequest& request) const {
  URSA_RETURN_IF_ERROR(checkDataplaneTokenRequest(request));
  URSA_ASSIGN_OR_RETURN(SigningKeys::Key key, signingKey(request.mesh));
  return jwt::signRs256(claimsOf(request, options_.clock->now()), key.kid, key.key.get());
}

absl::StatusOr<DataplaneIdentity> JwtDataplaneTokens::validate(std::string_view token,
                                                               std::string_view mesh) const {
  auto identity = validateOrExplain(token, mesh);
  if (!absl::IsUnauthenticated(identity.status())) return identity;
  std::string why(fromAbsl(identity.status().message()));
  bool key_related = why.find("bad signature") != std::string::npos ||
                     why.find("no signing key") != std::string::npos;
  if (key_related && keys_.inMemory()) {
    why += "; the control plane keeps its state in memory (store.type: memory), so tokens "
           "issued before it restarted are no longer valid";
  }
  return absl::UnauthenticatedError(strCat("invalid dataplane token: ", why));
}

absl::StatusOr<DataplaneIdentity> JwtDataplaneTokens::validateOrExplain(
    std::string_view token, std::string_view mesh) const {
  if (mesh.empty()) return unauthenticated("the proxy names no mesh");
  URSA_ASSIGN_OR_RETURN(jwt::Decoded decoded, jwt::decode(token));
  // Read before the signature is checked, only to name the reason: another
  // mesh's key signed it, so it would fail as a bad signature.
  auto claimed = optionalString(decoded.claims, "Mesh");
  if (claimed.ok() && !claimed->empty() && *claimed != mesh) {
    return unauthenticated(
        strCat("the token is for mesh \"", *claimed, "\", not for mesh \"", mesh, "\""));
  }
  std::string kid = decoded.kid();
  if (kid.empty()) return unauthenticated("the token has no `kid` header naming its signing key");
  auto key = keys_.byKid(kid, mesh);
  if (absl::IsNotFound(key.status())) return unauthenticated(fromAbsl(key.status().message()));
  if (!key.ok()) return key.status();
  URSA_RETURN_IF_ERROR(jwt::verifySignature(decoded, key->get()));
  URSA_RETURN_IF_ERROR(jwt::checkTimes(decoded.claims, options_.clock->now(), options_.leeway));
  URSA_ASSIGN_OR_RETURN(DataplaneIdentity identity, readClaims(decoded.claims));
  URSA_ASSIGN_OR_RETURN(bool revoked, revocations_.isRevoked(identity.jti, mesh));
  if (revoked) {
    return unauthenticated(strCat("token revoked (its id ", identity.jti, " is listed in ",
                                  revocations_.secretRef(mesh).describe(), ")"));
  }
  return identity;
}

absl::Status authorizeDataplane(const DataplaneIdentity& identity,
                                const model::Resource& dataplane) {
  if (dataplane.type != &model::TypeRegistry::instance().dataplane()) {
    return denied(strCat("a dataplane token cannot authorize a ",
                         dataplane.type ? dataplane.type->name : "resource of no type"));
  }
  std::string_view type = identity.type;
  if (type.empty()) type = "dataplane";
  if (type != "dataplane") {
    return denied(strCat("the token is for a proxy of type \"", type, "\", not \"dataplane\""));
  }
  if (!identity.mesh.empty() && identity.mesh != dataplane.meta.mesh) {
    return denied(strCat("the token is for mesh \"", identity.mesh, "\", the Dataplane is in \"",
                         dataplane.meta.mesh, "\""));
  }
  if (!identity.name.empty() && identity.name != dataplane.meta.name) {
    return denied(strCat("the token is for the Dataplane \"", identity.name, "\", not \"",
                         dataplane.meta.name, "\""));
  }
  return checkTags(identity.tags, dataplane);
}

}  // namespace ursa::api
