#pragma once

// Builders for Meshes with mTLS backends, and a store decorator that counts
// reads, for the CaManager tests.

#include <atomic>
#include <optional>
#include <string>

#include "google/protobuf/struct.pb.h"
#include "src/ca/ca_manager.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"
#include "ursa/model/registry.h"
#include "ursa/store/resource_store.h"
#include "ursa/system/v1alpha1/secret.pb.h"

namespace ursa::ca::testing {

using ursa::mesh::v1alpha1::CertificateAuthorityBackend;
using ursa::mesh::v1alpha1::Mesh;

// A Mesh whose only mTLS backend is `backend`, enabled unless `enabled` is false.
inline model::Resource meshWith(const std::string& name,
                                std::optional<CertificateAuthorityBackend> backend,
                                bool enabled = true) {
  auto spec = std::make_shared<Mesh>();
  if (backend) {
    *spec->mutable_mtls()->add_backends() = *backend;
    if (enabled) spec->mutable_mtls()->set_enabledbackend(backend->name());
  }
  model::Resource r;
  r.type = &model::TypeRegistry::instance().mesh();
  r.meta.name = name;
  r.spec = spec;
  return r;
}

inline CertificateAuthorityBackend builtinBackend(const std::string& name = "ca-1") {
  CertificateAuthorityBackend b;
  b.set_name(name);
  b.set_type("builtin");
  return b;
}

// conf.<object>.<field> = value (a string, or a number when `number`).
inline void setConf(CertificateAuthorityBackend& b, const std::string& object,
                    const std::string& field, const std::string& value) {
  auto& inner = *(*b.mutable_conf()->mutable_fields())[object].mutable_struct_value();
  (*inner.mutable_fields())[field].set_string_value(value);
}
inline void setConfNumber(CertificateAuthorityBackend& b, const std::string& object,
                          const std::string& field, double value) {
  auto& inner = *(*b.mutable_conf()->mutable_fields())[object].mutable_struct_value();
  (*inner.mutable_fields())[field].set_number_value(value);
}

// A provided backend whose cert and key DataSources are of kind `kind`
// (secret, file, inline, inlineString) with the given values.
inline CertificateAuthorityBackend providedBackend(const std::string& kind, const std::string& cert,
                                                   const std::string& key) {
  CertificateAuthorityBackend b;
  b.set_name("ca-1");
  b.set_type("provided");
  setConf(b, "cert", kind, cert);
  setConf(b, "key", kind, key);
  return b;
}

inline model::Resource secretOf(const std::string& mesh, const std::string& name,
                                const std::string& data) {
  auto spec = std::make_shared<ursa::system::v1alpha1::Secret>();
  spec->set_data(data);
  model::Resource r;
  r.type = &model::TypeRegistry::instance().secret();
  r.meta.mesh = mesh;
  r.meta.name = name;
  r.spec = spec;
  return r;
}

inline model::ResourceKey secretKey(const std::string& mesh, const std::string& name) {
  return {&model::TypeRegistry::instance().secret(), mesh, name};
}

inline std::string secretDataOf(store::ResourceStore& s, const std::string& mesh,
                                const std::string& name) {
  auto r = s.get(secretKey(mesh, name));
  if (!r.ok()) return "<" + r.status().ToString() + ">";
  return static_cast<const ursa::system::v1alpha1::Secret&>(*(*r)->spec).data();
}

// Forwards to another store and counts get() calls.
class CountingStore : public store::ResourceStore {
 public:
  explicit CountingStore(store::ResourceStore& inner) : inner_(inner) {}
  absl::StatusOr<model::ResourcePtr> create(const model::Resource& r,
                                            const store::CreateOptions& o = {}) override {
    return inner_.create(r, o);
  }
  absl::StatusOr<model::ResourcePtr> update(const model::Resource& r) override {
    return inner_.update(r);
  }
  absl::Status remove(const model::ResourceKey& key, int64_t v = 0) override {
    return inner_.remove(key, v);
  }
  absl::StatusOr<model::ResourcePtr> get(const model::ResourceKey& key) const override {
    ++gets;
    return inner_.get(key);
  }
  absl::StatusOr<store::ListResult> list(const store::ListQuery& q) const override {
    return inner_.list(q);
  }
  store::WatchHandlePtr watch(store::ChangeListener l) override {
    return inner_.watch(std::move(l));
  }
  std::string_view backendName() const override { return inner_.backendName(); }

  mutable std::atomic<int> gets{0};

 private:
  store::ResourceStore& inner_;
};

}  // namespace ursa::ca::testing
