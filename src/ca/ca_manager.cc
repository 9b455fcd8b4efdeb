#include "src/ca/ca_manager.h"

#include <optional>

#include "prometheus/counter.h"
#include "prometheus/summary.h"
#include "src/ca/builtin_backend.h"
#include "src/ca/provided_backend.h"
#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"
#include "ursa/model/registry.h"

namespace ursa::ca {

// What a backend's settings decide; recomputed only when they change.
struct BackendSettings {
  std::string fingerprint;  // backendFingerprint(): the mesh and the backend message
  absl::Duration lifetime;
  KeySpec leaf_key;
  std::optional<BuiltinSettings> builtin;
  std::optional<ProvidedCertificateAuthorityConfig> provided;
};

struct CaManager::Entry {
  std::shared_ptr<const BackendSettings> settings;
  std::string material_fingerprint;
  MeshCaConstSharedPtr ca;
};

namespace {

constexpr std::string_view kBuiltin = "builtin";
constexpr std::string_view kProvided = "provided";

// The same code, with the mesh and backend named first.
absl::Status inContext(const absl::Status& s, const std::string& mesh,
                       const CertificateAuthorityBackend& backend) {
  return absl::Status(s.code(), strCat("mesh \"", mesh, "\", CA backend \"", backend.name(), "\" (",
                                       backend.type(), "): ", fromAbsl(s.message())));
}

absl::StatusOr<std::shared_ptr<const BackendSettings>> settingsOf(
    const CertificateAuthorityBackend& backend, std::string fingerprint) {
  auto out = std::make_shared<BackendSettings>();
  out->fingerprint = std::move(fingerprint);
  if (backend.type() == kBuiltin) {
    URSA_ASSIGN_OR_RETURN(out->builtin, builtinSettings(backend));
    out->leaf_key = out->builtin->leaf_key;
  } else if (backend.type() == kProvided) {
    URSA_ASSIGN_OR_RETURN(out->provided, providedConf(backend));
  } else {
    return absl::FailedPreconditionError(strCat("unknown CA backend type \"", backend.type(),
                                                "\"; available: \"builtin\", \"provided\""));
  }
  URSA_ASSIGN_OR_RETURN(out->lifetime, certificateLifetime(backend));
  return out;
}

const CertificateAuthorityBackend* enabledBackend(const ursa::mesh::v1alpha1::Mesh& spec) {
  for (const auto& b : spec.mtls().backends()) {
    if (b.name() == spec.mtls().enabledbackend()) return &b;
  }
  return nullptr;
}

}  // namespace

CaManager::CaManager(Options options) : options_(std::move(options)) {
  if (options_.metrics) {
    Metrics& m = *options_.metrics;
    cert_generation_ = &prometheus::BuildCounter()
                            .Name("cert_generation")
                            .Help("Number of generated certificates")
                            .Labels(m.constantLabels())
                            .Register(m.registry());
    get_cert_ = &prometheus::BuildSummary()
                     .Name("ca_manager_get_cert")
                     .Help("Summary of CA manager get certificate latencies, in seconds")
                     .Labels(m.constantLabels())
                     .Register(m.registry());
  }
}

absl::StatusOr<MeshCaConstSharedPtr> CaManager::forMesh(const model::Resource& mesh) {
  if (options_.cache == nullptr) return forMesh(mesh, nullptr);
  auto snapshot = options_.cache->current();
  // Without a snapshot the store answers alone.
  return forMesh(mesh, snapshot.ok() ? snapshot->get() : nullptr);
}

absl::StatusOr<MeshCaConstSharedPtr> CaManager::forMesh(const model::Resource& mesh,
                                                        const store::ResourceSnapshot* snapshot) {
  if (mesh.type != &model::TypeRegistry::instance().mesh() || !mesh.spec) {
    return absl::InvalidArgumentError("CaManager::forMesh needs a Mesh resource");
  }
  const auto& spec = static_cast<const ursa::mesh::v1alpha1::Mesh&>(*mesh.spec);
  if (spec.mtls().enabledbackend().empty()) {
    forget(mesh.meta.name);
    return MeshCaConstSharedPtr();
  }
  const CertificateAuthorityBackend* backend = enabledBackend(spec);
  if (backend == nullptr) {
    return absl::FailedPreconditionError(
        strCat("mesh \"", mesh.meta.name, "\": mtls.enabledBackend \"",
               spec.mtls().enabledbackend(), "\" names no backend"));
  }
  auto ca = resolve(mesh.meta.name, *backend, snapshot);
  if (!ca.ok()) return inContext(ca.status(), mesh.meta.name, *backend);
  return ca;
}

absl::StatusOr<MeshCaConstSharedPtr> CaManager::resolve(const std::string& mesh,
                                                        const CertificateAuthorityBackend& backend,
                                                        const store::ResourceSnapshot* snapshot) {
  auto entry = std::make_shared<Entry>();
  std::string fingerprint = backendFingerprint(mesh, backend);
  EntryConstPtr last = entryOf(mesh);
  if (last && last->settings->fingerprint == fingerprint) {
    entry->settings = last->settings;
  } else {
    URSA_ASSIGN_OR_RETURN(entry->settings, settingsOf(backend, std::move(fingerprint)));
  }
  const BackendSettings& settings = *entry->settings;
  SecretLookup lookup = [&](const std::string& m, const std::string& name) {
    return readSecret(snapshot, m, name);
  };
  CaMaterial material;
  if (settings.builtin) {
    BuiltinContext ctx{*options_.store, lookup, *settings.builtin, options_.clock->now()};
    URSA_ASSIGN_OR_RETURN(material, resolveBuiltin(ctx, mesh, backend.name()));
  } else {
    URSA_ASSIGN_OR_RETURN(material, resolveProvided(lookup, mesh, *settings.provided));
  }
  if (last && last->settings == entry->settings &&
      last->material_fingerprint == material.fingerprint) {
    return last->ca;
  }

  // A miss: parse and check the pair, and build the CA.
  auto pair = loadSigningPair(material.cert.pem(), material.key.pem(), material.cert.description,
                              material.key.description);
  if (!pair.ok()) return absl::FailedPreconditionError(pair.status().message());
  entry->material_fingerprint = std::move(material.fingerprint);
  entry->ca = std::make_shared<SigningCa>(SigningCa::Params{
      .mesh = mesh,
      .backend = backend.name(),
      .pair = std::move(pair).value(),
      .lifetime = settings.lifetime,
      .leaf_key = settings.leaf_key,
      .clock = options_.clock,
      .observer = observerFor(mesh, backend.name()),
  });
  MeshCaConstSharedPtr ca = entry->ca;
  std::lock_guard lock(mu_);
  entries_[mesh] = std::move(entry);
  return ca;
}

absl::StatusOr<model::ResourcePtr> CaManager::readSecret(const store::ResourceSnapshot* snapshot,
                                                         const std::string& mesh,
                                                         const std::string& name) const {
  model::ResourceKey key{&model::TypeRegistry::instance().secret(), mesh, name};
  if (snapshot != nullptr) {
    if (model::ResourcePtr r = snapshot->get(key)) return r;
  }
  auto r = options_.store->get(key);
  if (absl::IsNotFound(r.status())) return model::ResourcePtr();
  return r;
}

SigningCa::IssueObserver CaManager::observerFor(const std::string& mesh,
                                                const std::string& backend) {
  if (cert_generation_ == nullptr) return nullptr;
  static const prometheus::Summary::Quantiles kQuantiles = {
      {0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}};  // Kuma's DefaultObjectives
  prometheus::Counter* generated = &cert_generation_->Add({{"mesh", mesh}});
  prometheus::Summary* latency = &get_cert_->Add({{"backend_name", backend}}, kQuantiles);
  // The metrics live in the registry; holding it keeps them alive as long
  // as the CA.
  return [metrics = options_.metrics, generated, latency](absl::Duration took) {
    generated->Increment();
    latency->Observe(absl::ToDoubleSeconds(took));
  };
}

CaManager::EntryConstPtr CaManager::entryOf(const std::string& mesh) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(mesh);
  return it == entries_.end() ? nullptr : it->second;
}

void CaManager::forget(const std::string& mesh) {
  std::lock_guard lock(mu_);
  entries_.erase(mesh);
}

}  // namespace ursa::ca
