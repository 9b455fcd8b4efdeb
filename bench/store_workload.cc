#include "bench/store_workload.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <random>

#include "src/store/cache/resource_cache.h"
#include "src/store/common/store_support.h"
#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"
#include "ursa/model/registry.h"

namespace ursa::bench {

using store::ListQuery;
using store::Resource;
using store::ResourceChange;
using store::ResourceKey;
using store::ResourceStore;

namespace {

constexpr const char* kMesh = "default";

Resource dataplane(size_t i, std::string_view version_tag) {
  using ursa::mesh::v1alpha1::Dataplane;
  auto spec = std::make_shared<Dataplane>();
  auto* net = spec->mutable_networking();
  net->set_address(strCat("10.", (i >> 16) & 0xff, ".", (i >> 8) & 0xff, ".", i & 0xff));
  auto* in = net->add_inbound();
  in->set_port(20001);
  in->set_serviceport(8080);
  auto& tags = *in->mutable_tags();
  tags["kuma.io/service"] = strCat("svc-", i % 100);
  tags["kuma.io/protocol"] = "http";
  tags["kuma.io/zone"] = "zone-1";
  tags["version"] = std::string(version_tag);
  auto* out = net->add_outbound();
  out->set_port(10001);
  (*out->mutable_tags())["kuma.io/service"] = strCat("svc-", (i + 1) % 100);
  Resource r;
  r.type = &model::TypeRegistry::instance().dataplane();
  r.meta.mesh = kMesh;
  r.meta.name = strCat("dp-", i);
  r.meta.labels = {{"team", "bench"}};
  r.spec = std::move(spec);
  return r;
}

absl::Status failed(std::string_view what, const absl::Status& s) {
  return absl::Status(s.code(), strCat(what, ": ", fromAbsl(s.message())));
}

absl::Status wrong(std::string_view what) {
  return absl::InternalError(strCat("wrong answer: ", what));
}

// Counts the change events a store or cache announces, from any thread.
class EventCounter {
 public:
  store::ChangeListener listener() {
    return [this](const ResourceChange& c) {
      std::lock_guard lock(mu_);
      ++count_;
      if (c.kind == ResourceChange::Kind::Resync) ++resyncs_;
      cv_.notify_all();
    };
  }
  uint64_t count() const {
    std::lock_guard lock(mu_);
    return count_;
  }
  uint64_t resyncs() const {
    std::lock_guard lock(mu_);
    return resyncs_;
  }
  // Waits until at least `target` events were counted; false on timeout.
  bool waitFor(uint64_t target, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return count_ >= target; });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t count_ = 0;
  uint64_t resyncs_ = 0;
};

double secondsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// One run's state: the store, what it should hold, and the figures so far.
class Run {
 public:
  Run(ResourceStore& store, const Workload& w, const PhaseSettings& settings,
      const ProgressFn& progress)
      : store_(store), w_(w), settings_(settings), progress_(progress),
        versions_(w.created.size(), 0) {
    watch_ = store_.watch(store_events_.listener());
  }

  absl::StatusOr<RunResult> run() {
    URSA_RETURN_IF_ERROR(createMesh());
    URSA_RETURN_IF_ERROR(createAll());
    URSA_RETURN_IF_ERROR(updateAll());
    URSA_RETURN_IF_ERROR(getAll());
    URSA_RETURN_IF_ERROR(listAll());
    URSA_RETURN_IF_ERROR(listPages());
    URSA_RETURN_IF_ERROR(cachePhases());
    URSA_RETURN_IF_ERROR(deleteAll());
    if (store_events_.resyncs() > 0) {
      return absl::InternalError(strCat("the store announced ", store_events_.resyncs(),
                                        " Resync events: figures are suspect"));
    }
    return result_;
  }

 private:
  size_t n() const { return w_.created.size(); }

  void record(Op op, const Recorder& rec) {
    Summary s = summarize(rec);
    result_.ops[static_cast<size_t>(op)] = s;
    progress_(strCat(opLabel(op, n(), settings_), ": ", s.ops, " in ", formatDuration(s.total_s),
                     ", p50 ", formatDuration(s.p50_s), ", p99 ", formatDuration(s.p99_s)));
  }

  // Waits until watchers have heard of `writes` more changes, and records
  // how long that took after the phase ended.
  absl::Status awaitAnnouncements(WritePhase phase, uint64_t writes) {
    expected_events_ += writes;
    auto t0 = SteadyClock::now();
    if (!store_events_.waitFor(expected_events_, settings_.announce_timeout)) {
      return absl::DeadlineExceededError(
          strCat("the store announced ", store_events_.count(), " changes of ", expected_events_,
                 " within ", settings_.announce_timeout.count(), " ms"));
    }
    result_.announce_lag_s[static_cast<size_t>(phase)] = secondsSince(t0);
    return absl::OkStatus();
  }

  absl::Status createMesh() {
    Resource mesh;
    mesh.type = &model::TypeRegistry::instance().mesh();
    mesh.meta.name = kMesh;
    mesh.spec = std::shared_ptr<const google::protobuf::Message>(mesh.type->newSpec());
    auto r = store_.create(mesh);
    if (!r.ok()) return failed("create Mesh", r.status());
    ++expected_events_;
    if (!store_events_.waitFor(expected_events_, settings_.announce_timeout)) {
      return absl::DeadlineExceededError("the store never announced the Mesh");
    }
    return absl::OkStatus();
  }

  absl::Status createAll() {
    Recorder rec(n());
    rec.start();
    for (size_t i = 0; i < n(); ++i) {
      auto r = rec.time([&] { return store_.create(w_.created[i]); });
      if (!r.ok()) return failed(strCat("create ", w_.keys[i].toString()), r.status());
      if ((*r)->meta.version != 1) return wrong("a create did not return version 1");
      versions_[i] = 1;
    }
    rec.stop();
    record(Op::Create, rec);
    return awaitAnnouncements(WritePhase::Create, n());
  }

  // Stores the other of the two specs of resource i, at its current version.
  absl::StatusOr<store::ResourcePtr> flip(size_t i) {
    Resource r = versions_[i] % 2 == 1 ? w_.updated[i] : w_.created[i];
    r.meta.version = versions_[i];
    auto stored = store_.update(r);
    if (stored.ok()) versions_[i] = (*stored)->meta.version;
    return stored;
  }

  absl::Status updateAll() {
    Recorder rec(n());
    rec.start();
    for (size_t i = 0; i < n(); ++i) {
      Resource r = w_.updated[i];
      r.meta.version = versions_[i];
      auto stored = rec.time([&] { return store_.update(r); });
      if (!stored.ok()) return failed(strCat("update ", w_.keys[i].toString()), stored.status());
      versions_[i] = (*stored)->meta.version;
    }
    rec.stop();
    if (!std::all_of(versions_.begin(), versions_.end(), [](int64_t v) { return v == 2; })) {
      return wrong("an update did not return version 2");
    }
    record(Op::Update, rec);
    return awaitAnnouncements(WritePhase::Update, n());
  }

  absl::Status getAll() {
    Recorder rec(n());
    rec.start();
    for (size_t i : w_.get_order) {
      auto r = rec.time([&] { return store_.get(w_.keys[i]); });
      if (!r.ok()) return failed(strCat("get ", w_.keys[i].toString()), r.status());
      if ((*r)->meta.version != versions_[i]) return wrong("a get returned a stale version");
    }
    rec.stop();
    record(Op::Get, rec);
    return absl::OkStatus();
  }

  ListQuery dataplanes() const {
    return ListQuery{.type = &model::TypeRegistry::instance().dataplane(), .mesh = kMesh};
  }

  absl::Status listAll() {
    Recorder rec(settings_.list_samples);
    rec.start();
    for (size_t s = 0; s < settings_.list_samples; ++s) {
      auto r = rec.time([&] { return store_.list(dataplanes()); });
      if (!r.ok()) return failed("list", r.status());
      if (r->items.size() != n() || r->total != n() || r->next_offset) {
        return wrong(strCat("a list of all returned ", r->items.size(), " of ", r->total));
      }
    }
    rec.stop();
    record(Op::ListAll, rec);
    return absl::OkStatus();
  }

  absl::Status listPages() {
    Recorder rec(n() / settings_.page_size + 1);
    ListQuery q = dataplanes();
    q.limit = settings_.page_size;
    size_t seen = 0;
    rec.start();
    while (true) {
      auto r = rec.time([&] { return store_.list(q); });
      if (!r.ok()) return failed(strCat("list from offset ", q.offset), r.status());
      seen += r->items.size();
      if (r->total != n()) return wrong(strCat("a paged list's total is ", r->total));
      if (!r->next_offset) break;
      q.offset = *r->next_offset;
    }
    rec.stop();
    if (seen != n()) return wrong(strCat("the pages held ", seen, " items"));
    record(Op::ListPage, rec);
    return absl::OkStatus();
  }

  absl::Status cachePhases() {
    const model::ResourceType& type = model::TypeRegistry::instance().dataplane();
    std::unique_ptr<store::ResourceCache> cache;
    {
      // The loop also destroys the previous cache: total is the sum of loads.
      Recorder rec(settings_.list_samples);
      for (size_t s = 0; s < settings_.list_samples; ++s) {
        cache.reset();
        auto c = rec.time([&] { return store::ResourceCache::start(store_); });
        if (!c.ok()) return failed("ResourceCache::start", c.status());
        cache = std::move(*c);
      }
      auto snap = cache->current();
      if (!snap.ok()) return failed("ResourceCache::current", snap.status());
      if ((*snap)->count(type) != n()) return wrong("the cache did not load every Dataplane");
      record(Op::CacheLoad, rec);
    }
    EventCounter cache_events;
    auto subscription = cache->subscribe(cache_events.listener());
    Recorder rec(settings_.change_samples);
    for (size_t s = 0; s < settings_.change_samples; ++s) {
      size_t i = w_.get_order[s % n()];
      uint64_t target = cache_events.count() + 1;
      auto stored = flip(i);
      if (!stored.ok()) return failed(strCat("update ", w_.keys[i].toString()), stored.status());
      ++expected_events_;
      if (!cache_events.waitFor(target, settings_.announce_timeout)) {
        return absl::DeadlineExceededError("the cache never heard of an update");
      }
      auto snap = rec.time([&] { return cache->current(); });
      if (!snap.ok()) return failed("ResourceCache::current", snap.status());
      auto r = (*snap)->get(w_.keys[i]);
      if (!r || r->meta.version != versions_[i]) return wrong("the cache missed an update");
    }
    record(Op::CacheCurrent, rec);
    subscription.reset();
    cache.reset();
    // The updates above were announced one by one; nothing is outstanding.
    return absl::OkStatus();
  }

  absl::Status deleteAll() {
    Recorder rec(n());
    rec.start();
    for (size_t i = 0; i < n(); ++i) {
      auto s = rec.time([&] { return store_.remove(w_.keys[i], versions_[i]); });
      if (!s.ok()) return failed(strCat("delete ", w_.keys[i].toString()), s);
    }
    rec.stop();
    record(Op::Delete, rec);
    URSA_RETURN_IF_ERROR(awaitAnnouncements(WritePhase::Delete, n()));
    auto left = store_.list(dataplanes());
    if (!left.ok()) return failed("list", left.status());
    if (left->total != 0) return wrong(strCat(left->total, " Dataplanes left after deleting all"));
    return absl::OkStatus();
  }

  ResourceStore& store_;
  const Workload& w_;
  const PhaseSettings& settings_;
  const ProgressFn& progress_;
  std::vector<int64_t> versions_;  // each resource's version in the store
  EventCounter store_events_;
  uint64_t expected_events_ = 0;  // changes made since the watch began
  store::WatchHandlePtr watch_;   // last: unsubscribes before the counter dies
  RunResult result_;
};

}  // namespace

absl::StatusOr<Workload> buildWorkload(size_t n, uint64_t seed) {
  Workload w;
  w.created.reserve(n);
  w.updated.reserve(n);
  w.keys.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    w.created.push_back(dataplane(i, "v1"));
    w.updated.push_back(dataplane(i, "v2"));
    w.keys.push_back(ResourceKey::of(w.created.back()));
  }
  if (n > 0) {
    model::Violations v = model::validateResource(w.created.front());
    if (!v.empty()) return absl::InvalidArgumentError(strCat("invalid Dataplane: ", v.toString()));
    w.spec_bytes = store::serializeSpec(*w.created.front().spec).size();
  }
  w.get_order.resize(n);
  std::iota(w.get_order.begin(), w.get_order.end(), size_t{0});
  std::shuffle(w.get_order.begin(), w.get_order.end(), std::mt19937_64(seed));
  return w;
}

std::string opLabel(Op op, size_t n, const PhaseSettings& settings) {
  switch (op) {
    case Op::Create: return "create";
    case Op::Update: return "update";
    case Op::Get: return "get (random order)";
    case Op::ListAll: return strCat("list all (", n, " items)");
    case Op::ListPage:
      return strCat("list one page (", settings.page_size, " items, every offset)");
    case Op::CacheLoad: return strCat("cache: load ", n);
    case Op::CacheCurrent: return "cache: current() after 1 change";
    case Op::Delete: return "delete";
  }
  return "unknown";
}

absl::StatusOr<RunResult> runWorkload(ResourceStore& store, const Workload& workload,
                                      const PhaseSettings& settings, const ProgressFn& progress) {
  Run run(store, workload, settings, progress);
  return run.run();
}

}  // namespace ursa::bench
