// ursactl generate signing-key [--format pem-base64|pem]
// ursactl generate public-key --signing-key-path FILE
//
// Offline, as kumactl 2.2's: a signing key is an RSA 2048 key in PKCS#1 PEM
// ("RSA PRIVATE KEY"), printed base64-encoded by default so that it can be
// passed straight to `apply --var key=...` as a Secret's data; its public
// key is PKCS#1 PEM ("RSA PUBLIC KEY"). Output carries no extra newline.

#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/pem.h>

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "src/cli/commands.h"
#include "src/common/openssl.h"
#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

constexpr char kRsaPrivateKeyPem[] = "-----BEGIN RSA PRIVATE KEY-----";

// `key` encoded by OpenSSL's PEM encoder in `structure` ("type-specific":
// PKCS#1 for RSA) for its `selection` (private or public part).
absl::StatusOr<std::string> encodePem(EVP_PKEY* key, int selection) {
  std::unique_ptr<OSSL_ENCODER_CTX, decltype(&OSSL_ENCODER_CTX_free)> ctx(
      OSSL_ENCODER_CTX_new_for_pkey(key, selection, "PEM", "type-specific", nullptr),
      OSSL_ENCODER_CTX_free);
  unsigned char* data = nullptr;
  size_t size = 0;
  if (!ctx || OSSL_ENCODER_to_data(ctx.get(), &data, &size) != 1) {
    return tls::opensslError("cannot encode the key");
  }
  std::string pem(reinterpret_cast<char*>(data), size);
  OPENSSL_free(data);
  return pem;
}

absl::Status runSigningKey(Session& session, const std::string& format) {
  if (format != "pem-base64" && format != "pem") {
    return absl::InvalidArgumentError(
        strCat("--format \"", format, "\" is invalid: it must be pem-base64 or pem"));
  }
  URSA_ASSIGN_OR_RETURN(tls::PkeyPtr key, tls::generateRsaKey(2048));
  URSA_ASSIGN_OR_RETURN(std::string pem, encodePem(key.get(), OSSL_KEYMGMT_SELECT_KEYPAIR));
  session.out() << (format == "pem" ? pem : absl::Base64Escape(pem));
  return absl::OkStatus();
}

absl::Status runPublicKey(Session& session, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(strCat("--signing-key-path: could not read a signing key file ",
                                      path));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string pem = text.str();
  auto key = tls::parsePrivateKeyPem(pem);
  if (pem.find(kRsaPrivateKeyPem) == std::string::npos || !key.ok() ||
      EVP_PKEY_get_base_id(key->get()) != EVP_PKEY_RSA) {
    return absl::InvalidArgumentError(strCat(
        "--signing-key-path: ", path, " is not a PEM-encoded signing key (RSA PRIVATE KEY)"));
  }
  URSA_ASSIGN_OR_RETURN(std::string public_pem,
                        encodePem(key->get(), OSSL_KEYMGMT_SELECT_PUBLIC_KEY));
  session.out() << public_pem;
  return absl::OkStatus();
}

}  // namespace

void addGenerateKeyCommands(CLI::App& generate, Session& session) {
  auto format = std::make_shared<std::string>("pem-base64");
  auto* signing = generate.add_subcommand("signing-key", "Generate a key for signing tokens");
  signing->footer(
      "Example (a new user token signing key):\n"
      "  echo 'type: GlobalSecret\n  name: user-token-signing-key-0002\n  data: {{ key }}' |\n"
      "    ursactl apply --var key=$(ursactl generate signing-key) -f -");
  signing->add_option("--format", *format, "format of the key: pem-base64 or pem")
      ->capture_default_str();
  signing->callback([&session, format] {
    session.action = [&session, format] { return runSigningKey(session, *format); };
  });

  auto path = std::make_shared<std::string>();
  auto* pub = generate.add_subcommand("public-key", "Print the public key of a signing key");
  pub->footer(
      "Example:\n  ursactl generate signing-key --format=pem > /tmp/key.pem\n"
      "  ursactl generate public-key --signing-key-path=/tmp/key.pem");
  pub->add_option("--signing-key-path", *path, "file holding a PEM-encoded signing key")
      ->required();
  pub->callback([&session, path] {
    session.action = [&session, path] { return runPublicKey(session, *path); };
  });
}

}  // namespace ursa::cli
