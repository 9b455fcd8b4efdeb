#include "src/ca/ca_backend.h"

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "src/model/validators/mesh_helpers.h"
#include "ursa/common/strings.h"
#include "ursa/system/v1alpha1/secret.pb.h"

namespace ursa::ca {

std::string_view PemSource::pem() const {
  return secret ? secretData(*secret) : std::string_view(bytes);
}

std::string_view secretData(const model::Resource& secret) {
  return static_cast<const ursa::system::v1alpha1::Secret&>(*secret.spec).data();
}

std::string backendFingerprint(std::string_view mesh, const CertificateAuthorityBackend& backend) {
  std::string out = strCat(mesh, '\0');
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);  // conf is a Struct: a map
    backend.SerializeToCodedStream(&coded);
  }
  return out;
}

std::string secretFingerprint(const model::Resource& secret) {
  // The data too: a version and a creation time could repeat (a mesh deleted
  // and created again within the clock's resolution, a restored database).
  std::string_view data = secretData(secret);
  return strCat('\0', secret.meta.name, '@', secret.meta.version, '/',
                absl::ToUnixNanos(secret.meta.creation_time), '/', data.size(), '\0', data);
}

absl::StatusOr<absl::Duration> certificateLifetime(const CertificateAuthorityBackend& backend) {
  const std::string& text = backend.dpcert().rotation().expiration();
  if (text.empty()) return kDefaultCertificateLifetime;
  auto lifetime = model::validators::parseKumaDuration(text);
  if (!lifetime || *lifetime <= absl::ZeroDuration()) {
    return absl::FailedPreconditionError(strCat("dpCert.rotation.expiration \"", text,
                                                "\" is not a positive duration such as \"1d\""));
  }
  return *lifetime;
}

absl::Status decodeConf(const CertificateAuthorityBackend& backend,
                        google::protobuf::Message& typed) {
  model::Violations problems;
  if (!model::validators::decodeBackendConf(backend.conf(), typed, model::FieldPath(), problems)) {
    return absl::FailedPreconditionError(strCat("conf: ", problems.toString()));
  }
  return absl::OkStatus();
}

}  // namespace ursa::ca
