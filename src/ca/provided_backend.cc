#include "src/ca/provided_backend.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ursa/common/files.h"
#include "ursa/common/strings.h"

namespace ursa::ca {
namespace {

using ursa::system::v1alpha1::DataSource;

// Small files only: a CA certificate chain or key.
constexpr size_t kMaxFileBytes = 1 << 20;

absl::Status sourceError(const std::string& description, std::string_view problem) {
  return absl::FailedPreconditionError(strCat(description, ": ", problem));
}

// Reads one DataSource; `field` is "conf.cert" or "conf.key". Appends to
// `fingerprint` what identifies the bytes read.
absl::StatusOr<PemSource> load(const SecretLookup& lookup, const std::string& mesh,
                               const std::string& field, const DataSource& ds,
                               std::string& fingerprint) {
  PemSource out;
  switch (ds.type_case()) {
    case DataSource::kSecret: {
      out.description = strCat(field, " (secret \"", ds.secret(), "\")");
      URSA_ASSIGN_OR_RETURN(out.secret, lookup(mesh, ds.secret()));
      if (!out.secret) {
        return sourceError(out.description, strCat("no such Secret in mesh \"", mesh, "\""));
      }
      fingerprint += secretFingerprint(*out.secret);
      break;
    }
    case DataSource::kFile: {
      out.description = strCat(field, " (file \"", ds.file(), "\")");
      auto data = readFile(ds.file(), kMaxFileBytes);
      if (!data.ok()) {
        return sourceError(out.description,
                           strCat("cannot read: ", fromAbsl(data.status().message())));
      }
      out.bytes = std::move(data).value();
      fingerprint += strCat('\0', out.bytes.size(), '\0', out.bytes);
      break;
    }
    case DataSource::kInline:
      out.description = strCat(field, " (inline)");
      out.bytes = ds.inline_().value();  // the backend's fingerprint covers it
      break;
    case DataSource::kInlineString:
      out.description = strCat(field, " (inlineString)");
      out.bytes = ds.inlinestring();
      break;
    case DataSource::TYPE_NOT_SET:
      return sourceError(field, "has to be defined (secret, file, inline or inlineString)");
  }
  if (out.pem().empty()) return sourceError(out.description, "is empty");
  return out;
}

}  // namespace

absl::StatusOr<ProvidedCertificateAuthorityConfig> providedConf(
    const CertificateAuthorityBackend& backend) {
  ProvidedCertificateAuthorityConfig conf;
  URSA_RETURN_IF_ERROR(decodeConf(backend, conf));
  return conf;
}

absl::StatusOr<CaMaterial> resolveProvided(const SecretLookup& lookup, const std::string& mesh,
                                           const ProvidedCertificateAuthorityConfig& conf) {
  CaMaterial out;
  URSA_ASSIGN_OR_RETURN(out.cert, load(lookup, mesh, "conf.cert", conf.cert(), out.fingerprint));
  URSA_ASSIGN_OR_RETURN(out.key, load(lookup, mesh, "conf.key", conf.key(), out.fingerprint));
  return out;
}

}  // namespace ursa::ca
