#include "src/api/auth/user_tokens.h"

#include <algorithm>
#include <cctype>

#include "src/api/auth/jwt.h"
#include "ursa/common/strings.h"

namespace ursa::api {
namespace {

using Json = nlohmann::json;

absl::Status unauthenticated(std::string_view why) {
  return absl::UnauthenticatedError(std::string(why));
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// The claims a user token must carry besides the times: Name, Groups, jti.
struct UserClaims {
  User user;
  std::string jti;
};

absl::StatusOr<UserClaims> readClaims(const Json& claims) {
  UserClaims out;
  auto name = claims.find("Name");
  if (name == claims.end() || !name->is_string() || name->get<std::string>().empty()) {
    return unauthenticated("the token has no user name (`Name`)");
  }
  out.user.name = name->get<std::string>();
  if (auto groups = claims.find("Groups"); groups != claims.end() && !groups->is_null()) {
    if (!groups->is_array()) return unauthenticated("malformed token: `Groups` is not a list");
    for (const auto& g : *groups) {
      if (!g.is_string()) return unauthenticated("malformed token: `Groups` holds a non-string");
      out.user.groups.push_back(g.get<std::string>());
    }
  }
  auto jti = claims.find("jti");
  if (jti == claims.end() || !jti->is_string() || jti->get<std::string>().empty()) {
    return unauthenticated("the token has no id (`jti`)");
  }
  out.jti = jti->get<std::string>();
  return out;
}

}  // namespace

absl::StatusOr<std::string> JwtUserTokenIssuer::issue(const UserTokenRequest& request) const {
  if (request.name.empty()) return absl::InvalidArgumentError("a user token needs a name");
  if (request.valid_for <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("a user token needs a positive validity");
  }
  auto key = keys_->latest();
  if (!key.ok()) {
    if (!absl::IsNotFound(key.status())) return key.status();
    return absl::FailedPreconditionError(
        strCat("cannot sign a user token: ", fromAbsl(key.status().message())));
  }
  absl::Time now = clock_->now();
  // Kuma's claims, in the order its Go struct serialises them.
  nlohmann::ordered_json claims = {
      {"Name", request.name},
      {"Groups", request.groups},
      {"exp", absl::ToUnixSeconds(now + request.valid_for)},
      {"nbf", absl::ToUnixSeconds(now - kNotBeforeSkew)},
      {"iat", absl::ToUnixSeconds(now)},
      {"jti", jwt::newUuid()},
  };
  return jwt::signRs256(claims, key->kid, key->key.get());
}

absl::StatusOr<std::string> DisabledUserTokenIssuer::issue(const UserTokenRequest&) const {
  return absl::FailedPreconditionError(
      "issuing tokens using the control plane is disabled "
      "(apiServer.authn.tokens.enableIssuer: false)");
}

absl::StatusOr<User> UserTokenValidator::validate(std::string_view token) const {
  auto user = validateOrExplain(token);
  if (!absl::IsUnauthenticated(user.status())) return user;
  std::string why(fromAbsl(user.status().message()));
  bool key_related = why.find("bad signature") != std::string::npos ||
                     why.find("no signing key") != std::string::npos;
  if (key_related && keys_->inMemory()) {
    // As Kuma explains: a memory store forgets its signing key on restart.
    why += "; the control plane keeps its state in memory (store.type: memory), so tokens "
           "issued before it restarted are no longer valid";
  }
  return absl::UnauthenticatedError(strCat("invalid user token: ", why));
}

absl::StatusOr<User> UserTokenValidator::validateOrExplain(std::string_view token) const {
  URSA_ASSIGN_OR_RETURN(jwt::Decoded decoded, jwt::decode(token));
  std::string kid = decoded.kid();
  if (kid.empty()) return unauthenticated("the token has no `kid` header naming its signing key");
  auto key = keys_->byKid(kid);
  if (absl::IsNotFound(key.status())) return unauthenticated(fromAbsl(key.status().message()));
  if (!key.ok()) return key.status();
  URSA_RETURN_IF_ERROR(jwt::verifySignature(decoded, key->get()));
  URSA_RETURN_IF_ERROR(jwt::checkTimes(decoded.claims, clock_->now(), leeway_));
  URSA_ASSIGN_OR_RETURN(UserClaims claims, readClaims(decoded.claims));
  URSA_ASSIGN_OR_RETURN(bool revoked, revocations_->isRevoked(claims.jti));
  if (revoked) {
    return unauthenticated(strCat("token revoked (its id ", claims.jti,
                                  " is listed in GlobalSecret \"", kUserTokenRevocations, "\")"));
  }
  return claims.user;
}

absl::StatusOr<User> UserTokenAuthenticator::authenticate(const http::Request& request) const {
  std::string header = request.header("authorization");
  if (header.empty()) {
    return unauthenticated(
        "requests from outside the control plane's host need a user token "
        "(Authorization: Bearer <token>; see `ursactl generate user-token`)");
  }
  std::string_view value = trim(header);
  constexpr std::string_view kScheme = "bearer ";
  bool bearer = value.size() > kScheme.size() &&
                std::equal(kScheme.begin(), kScheme.end(), value.begin(), [](char a, char b) {
                  return a == std::tolower(static_cast<unsigned char>(b));
                });
  if (!bearer) {
    return unauthenticated("the Authorization header must be \"Bearer <user token>\"");
  }
  URSA_ASSIGN_OR_RETURN(User user, validator_->validate(trim(value.substr(kScheme.size()))));
  if (!user.inGroup(kAuthenticatedGroup)) user.groups.emplace_back(kAuthenticatedGroup);
  return user;
}

}  // namespace ursa::api
