#include "src/api/auth/signing_keys.h"

#include <algorithm>
#include <cstdint>

#include "ursa/common/logging.h"
#include "ursa/model/registry.h"
#include "ursa/system/v1alpha1/secret.pb.h"

namespace ursa::api {
namespace {

// Serials are 1 to 9 decimal digits: anything else is no key of ours.
bool isSerial(std::string_view s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

absl::StatusOr<jwt::KeyPtr> parseKey(const SecretRef& ref, const std::string& data) {
  auto key = jwt::parseRsaPrivateKey(data);
  if (!key.ok()) {
    return absl::InternalError(strCat(ref.describe(), " does not hold an RSA private key: ",
                                      fromAbsl(key.status().message())));
  }
  return key;
}

}  // namespace

SigningKeys::SigningKeys(core::ResourceManager& manager, std::string prefix, int rsa_bits,
                         KeyScope scope)
    : manager_(manager),
      prefix_(std::move(prefix)),
      rsa_bits_(rsa_bits),
      scope_(scope),
      keys_(manager.store(), parseKey, /*cache_absence=*/false) {}

absl::Status SigningKeys::checkScope(std::string_view mesh) const {
  if (scope_ == KeyScope::kGlobal && !mesh.empty()) {
    return absl::InvalidArgumentError(
        strCat("the signing keys \"", prefix_, "-<serial>\" are global, not per mesh"));
  }
  if (scope_ == KeyScope::kPerMesh && mesh.empty()) {
    return absl::InvalidArgumentError(
        strCat("the signing keys \"", prefix_, "-<mesh>-<serial>\" need a mesh"));
  }
  return absl::OkStatus();
}

std::string SigningKeys::stem(std::string_view mesh) const {
  return mesh.empty() ? strCat(prefix_, "-") : strCat(prefix_, "-", mesh, "-");
}

SecretRef SigningKeys::secretRef(std::string_view kid, std::string_view mesh) const {
  return SecretRef{std::string(mesh), strCat(stem(mesh), kid)};
}

absl::StatusOr<jwt::KeyPtr> SigningKeys::byKid(std::string_view kid, std::string_view mesh) const {
  URSA_RETURN_IF_ERROR(checkScope(mesh));
  if (!isSerial(kid)) {
    return absl::NotFoundError(strCat("there is no signing key with kid \"", kid, "\""));
  }
  SecretRef ref = secretRef(kid, mesh);
  auto key = keys_.get(ref);
  if (absl::IsNotFound(key.status())) {
    return absl::NotFoundError(strCat("there is no signing key with kid ", kid, " (",
                                      ref.describe(),
                                      " does not exist); if the signing key was rotated, "
                                      "generate a new token"));
  }
  return key;
}

absl::StatusOr<SigningKeys::Key> SigningKeys::latest(std::string_view mesh) const {
  URSA_RETURN_IF_ERROR(checkScope(mesh));
  std::string prefix = stem(mesh);
  SecretRef any{std::string(mesh), ""};
  store::ListQuery query{.type = &any.type(), .name_contains = prefix};
  if (!mesh.empty()) query.mesh = std::string(mesh);
  auto list = manager_.store().list(query);
  if (!list.ok()) return list.status();
  int64_t best = -1;
  for (const auto& r : list->items) {
    std::string_view name = r->meta.name;
    if (!name.starts_with(prefix) || !isSerial(name.substr(prefix.size()))) continue;
    best = std::max<int64_t>(best, std::stoll(std::string(name.substr(prefix.size()))));
  }
  if (best < 0) {
    return absl::NotFoundError(strCat("there is no signing key (no ", any.type().name, " named \"",
                                      prefix, "<serial>\"",
                                      mesh.empty() ? "" : strCat(" in mesh \"", mesh, "\""), ")"));
  }
  std::string kid = std::to_string(best);
  auto key = byKid(kid, mesh);
  if (!key.ok()) return key.status();
  return Key{kid, *key};
}

absl::StatusOr<bool> SigningKeys::ensureDefaultKey(std::string_view mesh) {
  auto existing = latest(mesh);
  if (existing.ok()) return false;
  if (!absl::IsNotFound(existing.status())) return existing.status();
  std::lock_guard lock(create_mu_);
  existing = latest(mesh);  // another request may have created it meanwhile
  if (existing.ok()) return false;
  if (!absl::IsNotFound(existing.status())) return existing.status();

  URSA_ASSIGN_OR_RETURN(jwt::KeyPtr key, jwt::generateRsaKey(rsa_bits_));
  URSA_ASSIGN_OR_RETURN(std::string pem, jwt::rsaPrivateKeyToPem(key.get()));
  auto spec = std::make_shared<ursa::system::v1alpha1::Secret>();
  spec->set_data(pem);
  SecretRef ref = secretRef("1", mesh);
  model::Resource secret;
  secret.type = &ref.type();
  secret.meta.name = ref.name;
  secret.meta.mesh = ref.mesh;
  secret.spec = std::move(spec);
  auto created = manager_.create(secret);
  if (!created.ok() && !absl::IsAlreadyExists(created.status())) return created.status();
  // Read back what is stored: when another control plane won the race, its
  // key is the one every control plane must use.
  auto stored = latest(mesh);
  if (!stored.ok()) return stored.status();
  if (created.ok()) logger("api")->info("created the signing key {}", ref.describe());
  return created.ok();
}

}  // namespace ursa::api
