#pragma once

// GlobalSecretCache<T>: values derived from GlobalSecrets (a parsed signing
// key, a revocation list), read from the store once and kept exact by a store
// watch: an entry is dropped as soon as the store announces a change to its
// secret (from this control plane or, on PostgreSQL, from another one), and
// every entry on a Resync. A deleted signing key therefore stops verifying
// tokens at once, without waiting for a timeout.
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

template <typename T>
class GlobalSecretCache {
 public:
  // Turns a secret's data into the cached value; its error is returned by
  // get() (and cached until the secret changes).
  using Parse = std::function<absl::StatusOr<T>(const std::string& name, const std::string& data)>;

  GlobalSecretCache(store::ResourceStore& store, Parse parse, bool cache_absence)
      : store_(store), parse_(std::move(parse)), cache_absence_(cache_absence) {
    watch_ = store_.watch([this](const store::ResourceChange& c) { onChange(c); });
  }
  GlobalSecretCache(const GlobalSecretCache&) = delete;
  GlobalSecretCache& operator=(const GlobalSecretCache&) = delete;

  // The value of GlobalSecret `name`: NotFound when there is no such secret,
  // the parse error when its data does not parse, Unavailable when the store
  // cannot answer (never cached).
  absl::StatusOr<T> get(const std::string& name) const {
    uint64_t generation;
    {
      std::lock_guard lock(mu_);
      if (auto it = entries_.find(name); it != entries_.end()) return it->second;
      generation = generation_;
    }
    Loaded loaded = load(name);
    std::lock_guard lock(mu_);
    // A change announced while we read may be newer than what we read.
    if (loaded.cacheable && generation == generation_) {
      entries_.insert_or_assign(name, loaded.value);
    }
    return loaded.value;
  }

 private:
  struct Loaded {
    absl::StatusOr<T> value;
    bool cacheable;  // store failures are retried, never remembered
  };

  Loaded load(const std::string& name) const {
    const auto& type = model::TypeRegistry::instance().globalSecret();
    auto r = store_.get({&type, "", name});
    if (absl::IsNotFound(r.status())) {
      return {absl::NotFoundError(strCat("GlobalSecret \"", name, "\" does not exist")),
              cache_absence_};
    }
    if (!r.ok()) return {r.status(), false};
    const auto& secret = static_cast<const ursa::system::v1alpha1::Secret&>(*(*r)->spec);
    return {parse_(name, secret.data()), true};
  }

  void onChange(const store::ResourceChange& c) {
    const auto* type = &model::TypeRegistry::instance().globalSecret();
    bool resync = c.kind == store::ResourceChange::Kind::Resync;
    if (!resync && c.key.type != type) return;
    std::lock_guard lock(mu_);
    ++generation_;
    if (resync) {
      entries_.clear();
    } else {
      entries_.erase(c.key.name);
    }
  }

  store::ResourceStore& store_;
  Parse parse_;
  bool cache_absence_;
  mutable std::mutex mu_;
  mutable std::map<std::string, absl::StatusOr<T>> entries_;  // guarded by mu_
  uint64_t generation_ = 0;      // guarded by mu_; bumped by every relevant change
  store::WatchHandlePtr watch_;  // declared last: unsubscribed first on destruction
};

}  // namespace ursa::api
