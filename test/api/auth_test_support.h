#pragma once

// Helpers for the API authentication tests: forging tokens with any header,
// decoding a token's parts, and writing GlobalSecrets.

#include <openssl/evp.h>

#include <memory>
#include <string>

#include "nlohmann/json.hpp"
#include "src/api/auth/jwt.h"
#include "src/core/resource_manager.h"
#include "ursa/model/registry.h"
#include "ursa/system/v1alpha1/secret.pb.h"

namespace ursa::api::test {

using Json = nlohmann::json;

// `header.claims.signature` with the given header, RS256-signed by `key`
// whatever the header says (nullptr: an empty signature, as `alg: none` has).
inline std::string forgeToken(const Json& header, const Json& claims, EVP_PKEY* key) {
  std::string input =
      jwt::base64UrlEncode(header.dump()) + "." + jwt::base64UrlEncode(claims.dump());
  if (key == nullptr) return input + ".";
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(ctx);
  sig.resize(len);
  return input + "." + jwt::base64UrlEncode(sig);
}

// Part `i` (0: header, 1: claims) of a token, parsed.
inline Json tokenPart(const std::string& token, int i) {
  size_t start = 0;
  for (int k = 0; k < i; ++k) start = token.find('.', start) + 1;
  size_t end = token.find('.', start);
  auto bytes = jwt::base64UrlDecode(std::string_view(token).substr(start, end - start));
  return bytes.ok() ? Json::parse(*bytes) : Json();
}

// Claims a valid user token would carry at `now`.
inline Json userClaims(absl::Time now, const std::string& name = "alice",
                       std::vector<std::string> groups = {"team-a"},
                       const std::string& jti = "3f0b2a9c-0000-4000-8000-000000000001") {
  int64_t t = absl::ToUnixSeconds(now);
  return Json{{"Name", name},   {"Groups", groups}, {"exp", t + 3600},
              {"nbf", t - 300}, {"iat", t},         {"jti", jti}};
}

inline Json rs256Header(const std::string& kid = "1") {
  return Json{{"alg", "RS256"}, {"kid", kid}, {"typ", "JWT"}};
}

// Creates or replaces GlobalSecret `name` holding `data`.
inline absl::Status putGlobalSecret(core::ResourceManager& manager, const std::string& name,
                                    const std::string& data) {
  auto spec = std::make_shared<ursa::system::v1alpha1::Secret>();
  spec->set_data(data);
  model::Resource r;
  r.type = &model::TypeRegistry::instance().globalSecret();
  r.meta.name = name;
  r.spec = std::move(spec);
  return manager.upsert(r).status();
}

inline std::string globalSecretData(core::ResourceManager& manager, const std::string& name) {
  auto r = manager.store().get({&model::TypeRegistry::instance().globalSecret(), "", name});
  if (!r.ok()) return "";
  return static_cast<const ursa::system::v1alpha1::Secret&>(*(*r)->spec).data();
}

}  // namespace ursa::api::test
