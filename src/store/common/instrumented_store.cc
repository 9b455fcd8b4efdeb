#include "src/store/common/instrumented_store.h"

#include <chrono>

#include "absl/status/status.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"

namespace ursa::store {
namespace {

const prometheus::Histogram::BucketBoundaries& buckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return kBuckets;
}

template <typename T>
absl::Status statusOf(const absl::StatusOr<T>& s) {
  return s.status();
}
absl::Status statusOf(const absl::Status& s) { return s; }

}  // namespace

InstrumentedStore::InstrumentedStore(ResourceStorePtr inner, Metrics& metrics)
    : inner_(std::move(inner)),
      latency_(prometheus::BuildHistogram()
                   .Name("store")
                   .Help("Latency of resource store operations, in seconds")
                   .Labels(metrics.constantLabels())
                   .Register(metrics.registry())),
      errors_(prometheus::BuildCounter()
                  .Name("store_errors")
                  .Help("Resource store operations that failed, by status code")
                  .Labels(metrics.constantLabels())
                  .Register(metrics.registry())) {}

template <typename Fn>
auto InstrumentedStore::timed(std::string_view op, const ResourceType* type, Fn&& fn) const {
  auto start = std::chrono::steady_clock::now();
  auto result = fn();
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::string type_name = type ? std::string(type->name) : "";
  latency_.Add({{"operation", std::string(op)}, {"resource_type", type_name}}, buckets())
      .Observe(took.count());
  absl::Status s = statusOf(result);
  // NotFound answers a question ("is it there?"); it is not a failure.
  if (!s.ok() && !absl::IsNotFound(s)) {
    errors_.Add({{"operation", std::string(op)}, {"code", absl::StatusCodeToString(s.code())}})
        .Increment();
  }
  return result;
}

absl::StatusOr<ResourcePtr> InstrumentedStore::create(const Resource& r,
                                                      const CreateOptions& options) {
  return timed("create", r.type, [&] { return inner_->create(r, options); });
}

absl::StatusOr<ResourcePtr> InstrumentedStore::update(const Resource& r) {
  return timed("update", r.type, [&] { return inner_->update(r); });
}

absl::Status InstrumentedStore::remove(const ResourceKey& key, int64_t expected_version) {
  return timed("delete", key.type, [&] { return inner_->remove(key, expected_version); });
}

absl::StatusOr<ResourcePtr> InstrumentedStore::get(const ResourceKey& key) const {
  return timed("get", key.type, [&] { return inner_->get(key); });
}

absl::StatusOr<ListResult> InstrumentedStore::list(const ListQuery& query) const {
  return timed("list", query.type, [&] { return inner_->list(query); });
}

}  // namespace ursa::store
