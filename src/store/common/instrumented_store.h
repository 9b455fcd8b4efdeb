#pragma once

// A ResourceStore decorator that records Kuma's `store` metric: a histogram
// of operation latency in seconds, by operation (create, update, delete, get,
// list) and resource_type, plus `store_errors` by operation and code (NotFound
// is an answer, not an error, and is not counted).

#include "ursa/common/metrics.h"
#include "ursa/store/resource_store.h"

namespace prometheus {
template <typename T>
class Family;
class Histogram;
class Counter;
}  // namespace prometheus

namespace ursa::store {

class InstrumentedStore : public ResourceStore {
 public:
  InstrumentedStore(ResourceStorePtr inner, Metrics& metrics);

  absl::StatusOr<ResourcePtr> create(const Resource& r,
                                     const CreateOptions& options = {}) override;
  absl::StatusOr<ResourcePtr> update(const Resource& r) override;
  absl::Status remove(const ResourceKey& key, int64_t expected_version = 0) override;
  absl::StatusOr<ResourcePtr> get(const ResourceKey& key) const override;
  absl::StatusOr<ListResult> list(const ListQuery& query) const override;
  WatchHandlePtr watch(ChangeListener listener) override { return inner_->watch(std::move(listener)); }
  std::string_view backendName() const override { return inner_->backendName(); }

 private:
  template <typename Fn>
  auto timed(std::string_view op, const ResourceType* type, Fn&& fn) const;

  ResourceStorePtr inner_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& errors_;
};

}  // namespace ursa::store
