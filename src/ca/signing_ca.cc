#include "src/ca/signing_ca.h"

#include <chrono>

#include "ursa/common/strings.h"

namespace ursa::ca {

absl::StatusOr<IssuedCertificate> SigningCa::issue(const WorkloadIdentity& identity) const {
  if (identity.mesh != p_.mesh) {
    return absl::InvalidArgumentError(strCat("the CA of mesh \"", p_.mesh,
                                             "\" cannot sign an identity of mesh \"", identity.mesh,
                                             "\""));
  }
  auto start = std::chrono::steady_clock::now();
  LeafOptions options{.lifetime = p_.lifetime, .key = p_.leaf_key, .now = p_.clock->now()};
  auto issued = issueLeaf(p_.pair, identity, options, p_.backend);
  if (issued.ok() && p_.observer) {
    p_.observer(absl::FromChrono(std::chrono::steady_clock::now() - start));
  }
  return issued;
}

}  // namespace ursa::ca
