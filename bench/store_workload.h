#pragma once

// The workload of ursa-store-bench: N Dataplanes in one Mesh, and the timed
// phases run against one fresh store. Each phase checks what the store
// returns (counts, versions), so a figure never comes from a store that
// answered wrongly; a wrong answer ends the run with an error.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_support.h"
#include "ursa/common/status.h"
#include "ursa/store/resource_store.h"

namespace ursa::bench {

// Built once and shared by every run: the resources are immutable.
struct Workload {
  std::vector<store::Resource> created;  // as created: inbound tag version=v1
  std::vector<store::Resource> updated;  // the same resources with version=v2 (meta.version unset)
  std::vector<store::ResourceKey> keys;
  std::vector<size_t> get_order;  // a seeded permutation of 0..N-1
  size_t spec_bytes = 0;          // the serialised spec of the first Dataplane
};

// N Dataplanes "dp-<i>" in Mesh "default", each with one inbound (4 tags)
// and one outbound, and one label. InvalidArgument if they fail validation.
absl::StatusOr<Workload> buildWorkload(size_t n, uint64_t seed);

struct PhaseSettings {
  size_t list_samples = 10;     // lists of all N, and ResourceCache loads
  size_t page_size = 100;       // paged lists walk every page once
  size_t change_samples = 100;  // ResourceCache::current() after one change
  // How long to wait for a store to announce the changes of a phase.
  std::chrono::milliseconds announce_timeout{120'000};
};

enum class Op { Create, Update, Get, ListAll, ListPage, CacheLoad, CacheCurrent, Delete };
inline constexpr size_t kOpCount = 8;
// The table's operation label, e.g. "list page (100 items)".
std::string opLabel(Op op, size_t n, const PhaseSettings& settings);

// Writes whose announcement to watchers is waited for after a phase.
enum class WritePhase { Create, Update, Delete };
inline constexpr size_t kWritePhaseCount = 3;

struct RunResult {
  std::array<std::optional<Summary>, kOpCount> ops;
  // Per write phase: time from the phase's last write returning to its last
  // change reaching a watcher (0 for stores that notify on the writer's
  // thread; PostgreSQL's listener reads each changed row back).
  std::array<double, kWritePhaseCount> announce_lag_s{};
};

// Progress lines for stderr: "create: 10000 in 35.2 s".
using ProgressFn = std::function<void(std::string_view line)>;

// Creates the Mesh "default" in `store`, which must be empty, then runs
// every phase in order: create, update, get, list all, list pages, cache
// load, cache current, delete. Only the Mesh is left on success.
absl::StatusOr<RunResult> runWorkload(store::ResourceStore& store, const Workload& workload,
                                      const PhaseSettings& settings, const ProgressFn& progress);

}  // namespace ursa::bench
