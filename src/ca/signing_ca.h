#pragma once

// SigningCa: the MeshCa of one mesh backend, builtin or provided alike once
// its pair is loaded. Immutable; issue() may run on many threads at once.

#include <functional>
#include <string>

#include "src/ca/certificates.h"
#include "ursa/ca/certificate_authority.h"
#include "ursa/common/clock.h"

namespace ursa::ca {

class SigningCa final : public MeshCa {
 public:
  // Called after every certificate issued, with the time issuing took.
  using IssueObserver = std::function<void(absl::Duration took)>;

  struct Params {
    std::string mesh;
    std::string backend;
    SigningPair pair;
    absl::Duration lifetime = kDefaultCertificateLifetime;
    KeySpec leaf_key;
    ClockSharedPtr clock = SystemClock::shared();
    IssueObserver observer;  // may be empty
  };
  explicit SigningCa(Params params) : p_(std::move(params)) {}

  const std::string& rootsPem() const override { return p_.pair.chainPem(); }
  const std::string& backendName() const override { return p_.backend; }
  // InvalidArgument when `identity` is of another mesh or cannot be written
  // as URIs (see identityUris).
  absl::StatusOr<IssuedCertificate> issue(const WorkloadIdentity& identity) const override;
  absl::Duration certificateLifetime() const override { return p_.lifetime; }

  const std::string& mesh() const { return p_.mesh; }
  const KeySpec& leafKey() const { return p_.leaf_key; }

 private:
  Params p_;
};

}  // namespace ursa::ca
