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

const model::ResourceType& globalSecretType() {
  return model::TypeRegistry::instance().globalSecret();
}

}  // namespace

SigningKeys::SigningKeys(core::ResourceManager& manager, std::string prefix, int rsa_bits)
    : manager_(manager),
      prefix_(std::move(prefix)),
      rsa_bits_(rsa_bits),
      keys_(
          manager.store(),
          [](const std::string& name, const std::string& data) -> absl::StatusOr<jwt::KeyPtr> {
            auto key = jwt::parseRsaPrivateKey(data);
            if (!key.ok()) {
              return absl::InternalError(strCat(
                  "GlobalSecret \"", name,
                  "\" does not hold an RSA private key: ", fromAbsl(key.status().message())));
            }
            return key;
          },
          /*cache_absence=*/false) {}

std::string SigningKeys::secretName(std::string_view kid) const {
  return strCat(prefix_, "-", kid);
}

absl::StatusOr<jwt::KeyPtr> SigningKeys::byKid(std::string_view kid) const {
  if (!isSerial(kid)) {
    return absl::NotFoundError(strCat("there is no signing key with kid \"", kid, "\""));
  }
  auto key = keys_.get(secretName(kid));
  if (absl::IsNotFound(key.status())) {
    return absl::NotFoundError(strCat("there is no signing key with kid ", kid, " (GlobalSecret \"",
                                      secretName(kid),
                                      "\" does not exist); if the signing key was rotated, "
                                      "generate a new token"));
  }
  return key;
}

absl::StatusOr<SigningKeys::Key> SigningKeys::latest() const {
  std::string stem = strCat(prefix_, "-");
  auto list = manager_.store().list({.type = &globalSecretType(), .name_contains = stem});
  if (!list.ok()) return list.status();
  int64_t best = -1;
  for (const auto& r : list->items) {
    std::string_view name = r->meta.name;
    if (!name.starts_with(stem) || !isSerial(name.substr(stem.size()))) continue;
    best = std::max<int64_t>(best, std::stoll(std::string(name.substr(stem.size()))));
  }
  if (best < 0) {
    return absl::NotFoundError(
        strCat("there is no signing key (no GlobalSecret named \"", stem, "<serial>\")"));
  }
  std::string kid = std::to_string(best);
  auto key = byKid(kid);
  if (!key.ok()) return key.status();
  return Key{kid, *key};
}

absl::StatusOr<bool> SigningKeys::ensureDefaultKey() {
  auto existing = latest();
  if (existing.ok()) return false;
  if (!absl::IsNotFound(existing.status())) return existing.status();

  URSA_ASSIGN_OR_RETURN(jwt::KeyPtr key, jwt::generateRsaKey(rsa_bits_));
  URSA_ASSIGN_OR_RETURN(std::string pem, jwt::rsaPrivateKeyToPem(key.get()));
  auto spec = std::make_shared<ursa::system::v1alpha1::Secret>();
  spec->set_data(pem);
  model::Resource secret;
  secret.type = &globalSecretType();
  secret.meta.name = secretName("1");
  secret.spec = std::move(spec);
  auto created = manager_.create(secret);
  if (!created.ok() && !absl::IsAlreadyExists(created.status())) return created.status();
  // Read back what is stored: when another control plane won the race, its
  // key is the one every control plane must use.
  auto stored = latest();
  if (!stored.ok()) return stored.status();
  if (created.ok()) {
    logger("api")->info("created the signing key GlobalSecret \"{}\"", secret.meta.name);
  }
  return created.ok();
}

}  // namespace ursa::api
