#include "src/api/auth/user_token_setup.h"

#include "src/api/auth/user_tokens.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"
#include "ursa/system/v1alpha1/secret.pb.h"

namespace ursa::api {

absl::StatusOr<bool> bootstrapAdminToken(core::ResourceManager& manager,
                                         const UserTokenIssuer& issuer) {
  const auto& type = model::TypeRegistry::instance().globalSecret();
  std::string name(kAdminUserTokenSecret);
  auto existing = manager.store().get({&type, "", name});
  if (existing.ok()) return false;
  if (!absl::IsNotFound(existing.status())) return existing.status();

  User admin = User::admin();
  URSA_ASSIGN_OR_RETURN(std::string token,
                        issuer.issue({admin.name, admin.groups, kAdminTokenValidity}));
  auto spec = std::make_shared<ursa::system::v1alpha1::Secret>();
  spec->set_data(token);
  model::Resource secret;
  secret.type = &type;
  secret.meta.name = name;
  secret.spec = std::move(spec);
  auto created = manager.create(secret);
  if (absl::IsAlreadyExists(created.status())) return false;  // another control plane's
  if (!created.ok()) return created.status();
  return true;
}

absl::StatusOr<UserTokens> startUserTokens(core::ResourceManager& manager,
                                           const UserTokenOptions& options) {
  auto log = logger("api");
  UserTokens out;
  out.keys = std::make_shared<SigningKeys>(manager, std::string(kUserTokenSigningKeyPrefix),
                                           options.rsa_bits);
  auto created = out.keys->ensureDefaultKey();
  if (!created.ok()) {
    return absl::Status(
        created.status().code(),
        strCat("cannot create the user-token signing key: ", fromAbsl(created.status().message())));
  }
  auto revocations =
      std::make_shared<RevocationList>(manager.store(), std::string(kUserTokenRevocations));
  auto validator =
      std::make_shared<UserTokenValidator>(out.keys, revocations, options.clock, options.leeway);
  out.authenticator = std::make_shared<UserTokenAuthenticator>(validator);
  if (options.enable_issuer) {
    out.issuer = std::make_shared<JwtUserTokenIssuer>(out.keys, options.clock);
  } else {
    out.issuer = std::make_shared<DisabledUserTokenIssuer>();
    log->info("user token issuer disabled (apiServer.authn.tokens.enableIssuer: false)");
  }
  if (!options.bootstrap_admin_token) return out;
  if (!options.enable_issuer) {
    // As in Kuma: with the issuer disabled the control plane issues no token,
    // not even its own admin token.
    log->warn("not bootstrapping the admin user token: the token issuer is disabled");
    return out;
  }
  auto stored = bootstrapAdminToken(manager, *out.issuer);
  if (!stored.ok()) {
    log->error("could not store the admin user token: {}", fromAbsl(stored.status().message()));
  } else if (*stored) {
    log->info(
        "bootstrap of the admin user token is enabled. To extract it, run on this host: "
        "'curl http://localhost:{}/global-secrets/{} | jq -r .data | base64 -d', then "
        "'ursactl config control-planes add --auth-type=tokens --auth-conf token=TOKEN'. To "
        "disable, set URSA_API_SERVER_AUTHN_TOKENS_BOOTSTRAP_ADMIN_TOKEN=false.",
        options.http_port, kAdminUserTokenSecret);
  }
  return out;
}

}  // namespace ursa::api
