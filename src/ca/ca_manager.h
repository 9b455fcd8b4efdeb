#pragma once

// CaManager: the certificate authority of each mesh, from the mesh's enabled
// mTLS backend (Mesh.mtls.enabledBackend): `builtin` (builtin_backend.h) or
// `provided` (provided_backend.h). See docs/mtls.md.
//
// forMesh() resolves the backend's material on every call (for a builtin
// root: its two Secrets, created on first use) and returns the CA it built
// last time when nothing changed: the cache key is the mesh, the backend's
// settings, and the version and creation time of every Secret read (the
// bytes of every file). With a snapshot (given, or the ResourceCache's), a
// repeated call costs two snapshot lookups and a comparison of short
// strings, about 1 µs; without one, Secrets are read from the store on every
// call. A new CA object therefore means new CA material: callers may compare
// pointers to decide when identity certificates must be reissued.
//
// Cost of issuing (MeshCa::issue, RelWithDebInfo, one core of this build
// machine, bench/ca_bench.cc): an ECDSA P-256 identity certificate from an
// ECDSA root about 60 µs; an RSA 2048 one from an RSA 2048 root about 60 ms
// (RSA key generation dominates). Generating a builtin root happens once per
// mesh backend.
//
// Metrics (Kuma's names, kuma-surface.md §7): `cert_generation{mesh}`
// counts identity certificates issued; `ca_manager_get_cert{backend_name}`
// is a summary (quantiles 0.5, 0.9, 0.99) of seconds per issue. (Kuma 2.2
// observes milliseconds under that name; ursa observes seconds.)
//
// Errors from forMesh keep their code (Unavailable when the store is
// unreachable) and name the mesh and backend: FailedPrecondition for an
// unusable backend (unknown type, malformed conf, a provided DataSource that
// is missing or does not hold a CA, a key that does not match).
//
// Thread-safety: every method may be called from any thread. Two threads
// that miss together both build the CA; the last one is kept.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "src/ca/ca_backend.h"
#include "src/ca/signing_ca.h"
#include "src/store/cache/resource_cache.h"
#include "ursa/ca/certificate_authority.h"
#include "ursa/common/clock.h"
#include "ursa/common/metrics.h"
#include "ursa/model/resource.h"
#include "ursa/store/resource_snapshot.h"
#include "ursa/store/resource_store.h"

namespace prometheus {
class Counter;
class Summary;
template <typename T>
class Family;
}  // namespace prometheus

namespace ursa::ca {

class CaManager {
 public:
  struct Options {
    // Required: where builtin roots are created, and Secrets read when no
    // snapshot has them. Must outlive the manager.
    store::ResourceStore* store = nullptr;
    // Optional: Secrets are read from its current snapshot first.
    store::ResourceCache* cache = nullptr;
    MetricsSharedPtr metrics;  // optional
    ClockSharedPtr clock = SystemClock::shared();
  };
  explicit CaManager(Options options);

  // The CA of `mesh` (a Mesh resource): nullptr when mTLS is off (no
  // enabled backend), otherwise the enabled backend's CA.
  absl::StatusOr<MeshCaConstSharedPtr> forMesh(const model::Resource& mesh);
  // The same, reading Secrets from `snapshot` first (the store when it lacks
  // them, for example right after a root was created).
  absl::StatusOr<MeshCaConstSharedPtr> forMesh(const model::Resource& mesh,
                                               const store::ResourceSnapshot* snapshot);

  // Drops what is cached for `mesh` (call when a mesh is deleted).
  void forget(const std::string& mesh);

 private:
  struct Entry;
  using EntryConstPtr = std::shared_ptr<const Entry>;

  absl::StatusOr<MeshCaConstSharedPtr> resolve(const std::string& mesh,
                                               const CertificateAuthorityBackend& backend,
                                               const store::ResourceSnapshot* snapshot);
  absl::StatusOr<model::ResourcePtr> readSecret(const store::ResourceSnapshot* snapshot,
                                                const std::string& mesh,
                                                const std::string& name) const;
  SigningCa::IssueObserver observerFor(const std::string& mesh, const std::string& backend);
  EntryConstPtr entryOf(const std::string& mesh) const;

  const Options options_;
  prometheus::Family<prometheus::Counter>* cert_generation_ = nullptr;
  prometheus::Family<prometheus::Summary>* get_cert_ = nullptr;

  mutable std::mutex mu_;
  std::map<std::string, EntryConstPtr, std::less<>> entries_;  // by mesh; guarded by mu_
};

}  // namespace ursa::ca
