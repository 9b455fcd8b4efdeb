#pragma once

// SecretCache<T>: values derived from GlobalSecrets and Secrets (a parsed
// signing key, a revocation list), read from the store once and kept exact by
// a store watch: an entry is dropped as soon as the store announces a change
// to its secret (from this control plane or, on PostgreSQL, from another one;
// deleting a Mesh announces each of its Secrets), and every entry on a
// Resync. A deleted signing key therefore stops verifying tokens at once,
// without waiting for a timeout.
//
// A secret is named by SecretRef: an empty mesh means the GlobalSecret
// `name`, any other mesh the Secret `name` of that mesh. One cache (and one
// store watch) serves every mesh.
//
// `cache_absence`: remember that a secret does not exist (revocations: most
// deployments never create one, and each API request asks). Without it a
// missing secret is looked up in the store again on every call.
//
// Thread-safety: get() may be called from any thread; T must be cheap to
// copy (a shared_ptr). The store must outlive the cache.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "ursa/common/status.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"
#include "ursa/store/resource_store.h"
#include "ursa/system/v1alpha1/secret.pb.h"

namespace ursa::api {

struct SecretRef {
  std::string mesh;  // empty: a GlobalSecret
  std::string name;
  auto operator<=>(const SecretRef&) const = default;

  const model::ResourceType& type() const {
    const auto& registry = model::TypeRegistry::instance();
    return mesh.empty() ? registry.globalSecret() : registry.secret();
  }
  // `GlobalSecret "n"` or `Secret "n" of mesh "m"`, for messages.
  std::string describe() const {
    if (mesh.empty()) return strCat("GlobalSecret \"", name, "\"");
    return strCat("Secret \"", name, "\" of mesh \"", mesh, "\"");
  }
};

template <typename T>
class SecretCache {
 public:
  // Turns a secret's data into the cached value; its error is returned by
  // get() (and cached until the secret changes).
  using Parse = std::function<absl::StatusOr<T>(const SecretRef& ref, const std::string& data)>;

  SecretCache(store::ResourceStore& store, Parse parse, bool cache_absence)
      : store_(store), parse_(std::move(parse)), cache_absence_(cache_absence) {
    watch_ = store_.watch([this](const store::ResourceChange& c) { onChange(c); });
  }
  SecretCache(const SecretCache&) = delete;
  SecretCache& operator=(const SecretCache&) = delete;

  // The value of the secret `ref`: NotFound when there is no such secret,
  // the parse error when its data does not parse, Unavailable when the store
  // cannot answer (never cached).
  absl::StatusOr<T> get(const SecretRef& ref) const {
    uint64_t generation;
    {
      std::lock_guard lock(mu_);
      if (auto it = entries_.find(ref); it != entries_.end()) return it->second;
      generation = generation_;
    }
    Loaded loaded = load(ref);
    std::lock_guard lock(mu_);
    // A change announced while we read may be newer than what we read.
    if (loaded.cacheable && generation == generation_) {
      entries_.insert_or_assign(ref, loaded.value);
    }
    return loaded.value;
  }

 private:
  struct Loaded {
    absl::StatusOr<T> value;
    bool cacheable;  // store failures are retried, never remembered
  };

  Loaded load(const SecretRef& ref) const {
    auto r = store_.get({&ref.type(), ref.mesh, ref.name});
    if (absl::IsNotFound(r.status())) {
      return {absl::NotFoundError(strCat(ref.describe(), " does not exist")), cache_absence_};
    }
    if (!r.ok()) return {r.status(), false};
    const auto& secret = static_cast<const ursa::system::v1alpha1::Secret&>(*(*r)->spec);
    return {parse_(ref, secret.data()), true};
  }

  void onChange(const store::ResourceChange& c) {
    const auto& registry = model::TypeRegistry::instance();
    bool resync = c.kind == store::ResourceChange::Kind::Resync;
    bool secret = c.key.type == &registry.globalSecret() || c.key.type == &registry.secret();
    if (!resync && !secret) return;
    std::lock_guard lock(mu_);
    ++generation_;
    if (resync) {
      entries_.clear();
    } else {
      entries_.erase(SecretRef{c.key.mesh, c.key.name});
    }
  }

  store::ResourceStore& store_;
  Parse parse_;
  bool cache_absence_;
  mutable std::mutex mu_;
  mutable std::map<SecretRef, absl::StatusOr<T>> entries_;  // guarded by mu_
  uint64_t generation_ = 0;      // guarded by mu_; bumped by every relevant change
  store::WatchHandlePtr watch_;  // declared last: unsubscribed first on destruction
};

}  // namespace ursa::api
