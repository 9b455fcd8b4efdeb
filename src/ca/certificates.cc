#include "src/ca/certificates.h"

#include <openssl/err.h>

#include <cctype>
#include <set>

#include "ursa/common/strings.h"

namespace ursa::ca {
namespace {

using tls::opensslError;

// --- identity URIs -------------------------------------------------------------

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return isLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

// SPIFFE trust domain: lowercase letters, digits, '.', '-', '_'.
bool isTrustDomain(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!isLowerAlnum(c) && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

// SPIFFE path segment: letters, digits, '.', '-', '_'; not "." or "..".
bool isPathSegment(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s) {
    if (!isAlnum(c) && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

// Characters a URI carries literally: unreserved, sub-delims, ':', '@', '/'.
bool isUriText(std::string_view s) {
  static constexpr std::string_view kExtra = "-._~!$&'()*+,;=:@/";
  for (char c : s) {
    if (!isAlnum(c) && kExtra.find(c) == std::string_view::npos) return false;
  }
  return true;
}

// --- certificate building ------------------------------------------------------

absl::Status addNameEntry(X509_NAME* name, const char* field, std::string_view value) {
  // A UTF8String set directly: OpenSSL's 64-character limit for CN would
  // refuse long mesh names, which Kuma accepts.
  if (X509_NAME_add_entry_by_txt(name, field, V_ASN1_UTF8STRING,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    return opensslError(strCat("cannot set the subject ", field));
  }
  return absl::OkStatus();
}

absl::Status addUriSans(X509* cert, const std::vector<std::string>& uris, bool critical) {
  tls::GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return opensslError("cannot allocate subject alternative names");
  for (const auto& uri : uris) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    if (gn == nullptr || text == nullptr ||
        ASN1_STRING_set(text, uri.data(), static_cast<int>(uri.size())) != 1) {
      GENERAL_NAME_free(gn);
      ASN1_IA5STRING_free(text);
      return opensslError("cannot encode a URI SAN");
    }
    GENERAL_NAME_set0_value(gn, GEN_URI, text);
    if (sk_GENERAL_NAME_push(names.get(), gn) == 0) {
      GENERAL_NAME_free(gn);
      return opensslError("cannot encode a URI SAN");
    }
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), critical ? 1 : 0,
                        X509V3_ADD_DEFAULT) != 1) {
    return opensslError("cannot add the subject alternative names");
  }
  return absl::OkStatus();
}

// A version 3 certificate with a random 128-bit serial, `key`'s public key
// and the validity [now - skew, now + lifetime].
absl::StatusOr<tls::X509Ptr> newCertificate(EVP_PKEY* key, absl::Time now,
                                            absl::Duration lifetime) {
  tls::X509Ptr cert(X509_new());
  if (!cert) return opensslError("cannot allocate a certificate");
  if (X509_set_version(cert.get(), 2) != 1) return opensslError("cannot set the version");
  URSA_RETURN_IF_ERROR(tls::setPublicKey(cert.get(), key));
  URSA_RETURN_IF_ERROR(tls::setRandomSerial(cert.get(), 128));
  URSA_RETURN_IF_ERROR(tls::setValidity(cert.get(), now - kAllowedClockSkew, now + lifetime));
  return cert;
}

absl::Status sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, tls::signingDigest(key)) == 0) {
    return opensslError("cannot sign the certificate");
  }
  return absl::OkStatus();
}

std::string serialHex(X509* cert) {
  tls::BnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) return "";
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// --- CA checks -----------------------------------------------------------------

// Kuma's provided-CA rules for one certificate of the chain; empty when it passes.
std::vector<std::string> caViolations(X509* cert) {
  std::vector<std::string> out;
  uint32_t flags = X509_get_extension_flags(cert);
  if ((flags & EXFLAG_INVALID) != 0) out.push_back("has malformed extensions");
  if ((flags & EXFLAG_CA) == 0 || (flags & EXFLAG_BCONS) == 0) {
    out.push_back(
        "basic constraint 'CA' must be set to 'true' (see X509-SVID: 4.1. Basic Constraints)");
  }
  // Without the extension OpenSSL allows every usage; Kuma, like Go, reads
  // that as none.
  uint32_t usage = (flags & EXFLAG_KUSAGE) != 0 ? X509_get_key_usage(cert) : 0;
  if ((usage & KU_KEY_CERT_SIGN) == 0) {
    out.push_back("key usage extension 'keyCertSign' must be set (see X509-SVID: 4.3. Key Usage)");
  }
  if ((usage & KU_KEY_AGREEMENT) != 0) {
    out.push_back(
        "key usage extension 'keyAgreement' must NOT be set (see X509-SVID: Appendix A. X.509 "
        "Field Reference)");
  }
  return out;
}

}  // namespace

std::string KeySpec::describe() const {
  return algorithm == Algorithm::Rsa ? strCat("RSA ", rsa_bits) : std::string("ECDSA P-256");
}

absl::StatusOr<tls::PkeyPtr> generateKey(const KeySpec& spec) {
  if (spec.algorithm == KeySpec::Algorithm::EcdsaP256) return tls::generateEcP256Key();
  if (spec.rsa_bits < kMinRsaBits || spec.rsa_bits > kMaxRsaBits) {
    return absl::InvalidArgumentError(strCat("RSA key size ", spec.rsa_bits, " is outside [",
                                             kMinRsaBits, ", ", kMaxRsaBits, "]"));
  }
  return tls::generateRsaKey(spec.rsa_bits);
}

absl::StatusOr<std::string> makeRootCertPem(std::string_view mesh, EVP_PKEY* key,
                                            absl::Duration validity, absl::Time now) {
  if (!isTrustDomain(mesh)) {
    return absl::InvalidArgumentError(
        strCat("mesh name \"", mesh, "\" is not a valid SPIFFE trust domain"));
  }
  URSA_ASSIGN_OR_RETURN(tls::X509Ptr cert, newCertificate(key, now, validity));
  X509_NAME* name = X509_get_subject_name(cert.get());
  URSA_RETURN_IF_ERROR(addNameEntry(name, "O", "Kuma"));
  URSA_RETURN_IF_ERROR(addNameEntry(name, "OU", "Mesh"));
  URSA_RETURN_IF_ERROR(addNameEntry(name, "CN", mesh));
  if (X509_set_issuer_name(cert.get(), name) != 1) return opensslError("cannot set the issuer");
  X509* self = cert.get();
  URSA_RETURN_IF_ERROR(tls::addExtension(self, self, NID_basic_constraints, "critical,CA:TRUE"));
  URSA_RETURN_IF_ERROR(
      tls::addExtension(self, self, NID_key_usage, "critical,keyCertSign,cRLSign"));
  URSA_RETURN_IF_ERROR(tls::addExtension(self, self, NID_subject_key_identifier, "hash"));
  URSA_RETURN_IF_ERROR(addUriSans(self, {strCat("spiffe://", mesh)}, /*critical=*/false));
  URSA_RETURN_IF_ERROR(sign(self, key));
  return tls::certToPem(self);
}

absl::StatusOr<PemPair> generateRoot(std::string_view mesh, const KeySpec& spec,
                                     absl::Duration validity, absl::Time now) {
  URSA_ASSIGN_OR_RETURN(tls::PkeyPtr key, generateKey(spec));
  PemPair out;
  URSA_ASSIGN_OR_RETURN(out.cert_pem, makeRootCertPem(mesh, key.get(), validity, now));
  URSA_ASSIGN_OR_RETURN(out.key_pem, tls::keyToPkcs8Pem(key.get()));
  return out;
}

absl::StatusOr<SigningPair> loadSigningPair(std::string_view cert_pem, std::string_view key_pem,
                                            std::string_view cert_source,
                                            std::string_view key_source) {
  SigningPair pair;
  auto chain = tls::parseCertificatesPem(cert_pem);
  if (!chain.ok()) {
    return absl::InvalidArgumentError(
        strCat(cert_source, ": ", fromAbsl(chain.status().message())));
  }
  pair.chain_ = std::move(chain).value();
  auto key = tls::parsePrivateKeyPem(key_pem);
  if (!key.ok()) {
    return absl::InvalidArgumentError(strCat(key_source, ": ", fromAbsl(key.status().message())));
  }
  pair.key_ = std::move(key).value();

  std::vector<std::string> problems;
  for (size_t i = 0; i < pair.chain_.size(); ++i) {
    for (auto& p : caViolations(pair.chain_[i].get())) {
      problems.push_back(pair.chain_.size() == 1 ? p : strCat("certificate #", i + 1, ": ", p));
    }
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(
        strCat(cert_source, ": not a CA certificate: ", strJoin(problems, "; ")));
  }
  if (X509_check_private_key(pair.cert(), pair.key()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(strCat(key_source, ": the private key does not match the ",
                                             "certificate of ", cert_source));
  }
  for (const auto& cert : pair.chain_) {
    URSA_ASSIGN_OR_RETURN(std::string pem, tls::certToPem(cert.get()));
    pair.chain_pem_ += pem;
  }
  return pair;
}

absl::StatusOr<std::vector<std::string>> identityUris(const WorkloadIdentity& identity) {
  if (!isTrustDomain(identity.mesh)) {
    return absl::InvalidArgumentError(
        strCat("mesh name \"", identity.mesh, "\" is not a valid SPIFFE trust domain"));
  }
  std::vector<std::string> uris;
  std::set<std::string> services(identity.services.begin(), identity.services.end());
  for (const auto& service : services) {
    if (!isPathSegment(service)) {
      return absl::InvalidArgumentError(
          strCat("service \"", service,
                 "\" cannot be a SPIFFE ID path segment (letters, digits, '.', "
                 "'-' and '_' only)"));
    }
    uris.push_back(strCat("spiffe://", identity.mesh, "/", service));
  }
  for (const auto& [tag, values] : identity.tags) {
    for (const auto& value : values) {
      if (tag.empty() || !isUriText(tag) || !isUriText(value)) {
        return absl::InvalidArgumentError(
            strCat("tag \"", tag, "\"=\"", value, "\" cannot be written as a kuma:// URI"));
      }
      uris.push_back(strCat("kuma://", tag, "/", value));
    }
  }
  if (uris.empty()) {
    return absl::InvalidArgumentError("an identity needs at least one service or tag");
  }
  return uris;
}

absl::StatusOr<IssuedCertificate> issueLeaf(const SigningPair& ca, const WorkloadIdentity& identity,
                                            const LeafOptions& options, std::string_view backend) {
  URSA_ASSIGN_OR_RETURN(std::vector<std::string> uris, identityUris(identity));
  URSA_ASSIGN_OR_RETURN(tls::PkeyPtr key, generateKey(options.key));
  URSA_ASSIGN_OR_RETURN(tls::X509Ptr cert,
                        newCertificate(key.get(), options.now, options.lifetime));
  X509* leaf = cert.get();
  // The subject stays empty (Kuma's choice), so the SANs are critical (RFC 5280 4.2.1.6).
  if (X509_set_issuer_name(leaf, X509_get_subject_name(ca.cert())) != 1) {
    return opensslError("cannot set the issuer");
  }
  URSA_RETURN_IF_ERROR(
      tls::addExtension(leaf, ca.cert(), NID_basic_constraints, "critical,CA:FALSE"));
  URSA_RETURN_IF_ERROR(tls::addExtension(leaf, ca.cert(), NID_key_usage,
                                         "critical,digitalSignature,keyEncipherment,keyAgreement"));
  URSA_RETURN_IF_ERROR(
      tls::addExtension(leaf, ca.cert(), NID_ext_key_usage, "serverAuth,clientAuth"));
  URSA_RETURN_IF_ERROR(tls::addExtension(leaf, ca.cert(), NID_authority_key_identifier, "keyid"));
  URSA_RETURN_IF_ERROR(addUriSans(leaf, uris, /*critical=*/true));
  URSA_RETURN_IF_ERROR(sign(leaf, ca.key()));

  IssuedCertificate out;
  URSA_ASSIGN_OR_RETURN(out.cert_pem, tls::certToPem(leaf));
  URSA_ASSIGN_OR_RETURN(out.key_pem, tls::keyToPkcs8Pem(key.get()));
  out.not_before = tls::asn1TimeToAbsl(X509_get0_notBefore(leaf));
  out.not_after = tls::asn1TimeToAbsl(X509_get0_notAfter(leaf));
  out.backend = std::string(backend);
  out.serial_hex = serialHex(leaf);
  return out;
}

}  // namespace ursa::ca
