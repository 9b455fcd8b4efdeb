#include "src/xds/sync/reconciler.h"

#include <algorithm>

#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/summary.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::xds {

using model::ResourceKey;

struct Reconciler::Proxy {
  std::string mesh;
  std::string name;
  gen::ClientCapabilities caps;
  std::vector<std::string> reached;  // services, for the consumers index
  std::shared_ptr<const ca::IssuedCertificate> cert;
  std::string cert_identity;  // the identity and CA the certificate was issued for
  absl::Time renew_at = absl::InfiniteFuture();
  SnapshotConstSharedPtr last;
};

struct Reconciler::KeptCertificate {
  std::shared_ptr<const ca::IssuedCertificate> cert;
  std::string identity;
  absl::Time renew_at;
};

// One proxy to regenerate. `ctx.dataplane` is null when there is nothing to
// configure yet (no mesh context, or the Dataplane is not registered).
struct Reconciler::Job {
  const std::string* node_id = nullptr;
  Proxy* proxy = nullptr;
  gen::ProxyContext ctx;
  absl::Time renew_before;  // the proxy's renewal time before prepare()
  std::vector<std::string> reached_before;
};

struct Reconciler::Batch {
  std::set<ResourceKey> changed;
  bool resync = false;
  std::set<std::string> added;
  std::set<std::string> removed;
  std::map<std::string, gen::ClientCapabilities> caps;
  absl::Time change_time = absl::InfinitePast();
  uint64_t request = 0;
};

class Reconciler::Metrics_ {
 public:
  explicit Metrics_(Metrics& m)
      : generation_(prometheus::BuildSummary()
                        .Name("xds_generation")
                        .Help("Time to generate one proxy's xDS configuration, in seconds")
                        .Labels(m.constantLabels())
                        .Register(m.registry())
                        .Add({}, prometheus::Summary::Quantiles{
                                     {0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}})),
        errors_(prometheus::BuildCounter()
                    .Name("xds_generation_errors")
                    .Help("Failed generations of a proxy's configuration")
                    .Labels(m.constantLabels())
                    .Register(m.registry())
                    .Add({})),
        proxies_(prometheus::BuildGauge()
                     .Name("xds_proxies")
                     .Help("Proxies whose configuration the control plane keeps up to date")
                     .Labels(m.constantLabels())
                     .Register(m.registry())
                     .Add({})) {}
  prometheus::Summary& generation_;
  prometheus::Counter& errors_;
  prometheus::Gauge& proxies_;
};

namespace {

// How soon a failed certificate issuance is tried again.
constexpr absl::Duration kIssueRetry = absl::Seconds(5);

// "<mesh>.<name>" split at the first dot.
std::pair<std::string, std::string> splitNodeId(const std::string& id) {
  size_t dot = id.find('.');
  return {id.substr(0, dot), dot == std::string::npos ? "" : id.substr(dot + 1)};
}

std::string consumerKey(const std::string& mesh, const std::string& service) {
  return strCat(mesh, "/", service);
}

bool sameSnapshot(const SnapshotConstSharedPtr& a, const SnapshotConstSharedPtr& b) {
  if (!a || !b) return false;
  for (TypeIndex t : kPushOrder) {
    if (a->version(t) != b->version(t)) return false;
  }
  return true;
}

ca::WorkloadIdentity identityOf(const model::Resource& dataplane) {
  ca::WorkloadIdentity id;
  id.mesh = dataplane.meta.mesh;
  const auto& net = static_cast<const ursa::mesh::v1alpha1::Dataplane&>(*dataplane.spec).networking();
  std::set<std::string> services;
  auto collect = [&](const google::protobuf::Map<std::string, std::string>& tags) {
    for (const auto& [k, v] : tags) {
      id.tags[k].insert(v);
      if (k == "kuma.io/service") services.insert(v);
    }
  };
  for (const auto& in : net.inbound()) collect(in.tags());
  if (net.has_gateway()) collect(net.gateway().tags());
  id.services.assign(services.begin(), services.end());
  return id;
}

std::string describe(const ca::WorkloadIdentity& id, const ca::MeshCa& ca) {
  std::string out = strCat(ca.backendName(), "|", ca.rootsPem().size(), "|");
  for (const auto& [k, vs] : id.tags) {
    for (const auto& v : vs) out += strCat(k, "=", v, ";");
  }
  return out + ca.rootsPem();
}

}  // namespace

Reconciler::Reconciler(store::ResourceCache& resources, SnapshotCache& snapshots, CaProvider ca,
                       Metrics& metrics, ClockSharedPtr clock, ReconcilerOptions options)
    : resources_(resources),
      snapshots_(snapshots),
      ca_(std::move(ca)),
      clock_(std::move(clock)),
      options_(options),
      metrics_(std::make_unique<Metrics_>(metrics)),
      pool_(options.generation_threads ? options.generation_threads : usableCpus()) {
  watch_ = resources_.subscribe([this](const store::ResourceChange& c) { onChange(c); });
  worker_ = std::thread([this] { run(); });
}

Reconciler::~Reconciler() {
  watch_.reset();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void Reconciler::onChange(const store::ResourceChange& change) {
  std::lock_guard lock(mu_);
  if (change.kind == store::ResourceChange::Kind::Resync) {
    resync_ = true;
  } else {
    // Proxies do not depend on insights: skip them here, cheaply.
    if (change.key.type->read_only) return;
    changed_.insert(change.key);
  }
  if (!first_event_) {
    first_event_ = std::chrono::steady_clock::now();
    first_event_time_ = clock_->now();
  }
  cv_.notify_all();
}

void Reconciler::addProxy(const std::string& node_id, gen::ClientCapabilities caps) {
  std::lock_guard lock(mu_);
  removed_.erase(node_id);
  added_.insert(node_id);
  caps_[node_id] = std::move(caps);
  cv_.notify_all();
}

void Reconciler::removeProxy(const std::string& node_id) {
  std::lock_guard lock(mu_);
  added_.erase(node_id);
  removed_.insert(node_id);
  cv_.notify_all();
}

void Reconciler::flushForTest() {
  std::unique_lock lock(mu_);
  uint64_t wanted = ++requested_;
  cv_.notify_all();
  cv_.wait(lock, [&] { return applied_ >= wanted || stopping_; });
}

void Reconciler::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    bool events = !changed_.empty() || resync_;
    bool connections = !added_.empty() || !removed_.empty();
    bool flush = requested_ > applied_;
    bool debounced = events && first_event_ &&
                     now - *first_event_ >= std::min(options_.debounce, options_.max_delay);
    // Certificates due for renewal (worker-owned state, read under mu_ too).
    absl::Time next_renewal = absl::InfiniteFuture();
    if (!renewals_.empty()) next_renewal = renewals_.begin()->first;
    bool renewal_due = next_renewal <= clock_->now();
    if (!(debounced || connections || flush || renewal_due)) {
      auto wake = now + std::chrono::hours(1);
      if (events && first_event_) wake = *first_event_ + options_.debounce;
      if (next_renewal != absl::InfiniteFuture()) {
        auto until = absl::ToChronoNanoseconds(next_renewal - clock_->now());
        wake = std::min(wake, now + std::max(until, std::chrono::nanoseconds(0)));
      }
      cv_.wait_until(lock, wake);
      continue;
    }
    Batch batch;
    batch.changed = std::exchange(changed_, {});
    batch.resync = std::exchange(resync_, false);
    batch.added = std::exchange(added_, {});
    batch.removed = std::exchange(removed_, {});
    batch.caps = std::exchange(caps_, {});
    batch.change_time = first_event_ ? first_event_time_ : clock_->now();
    batch.request = requested_;
    first_event_.reset();
    lock.unlock();
    reconcile(std::move(batch));
    lock.lock();
    applied_ = std::max(applied_, batch.request);
    cv_.notify_all();
  }
}

void Reconciler::reconcile(Batch batch) {
  auto current = resources_.current();
  if (!current.ok()) {
    logger("xds")->error("cannot read resources, keeping every proxy's configuration: {}",
                         fromAbsl(current.status().message()));
    std::lock_guard lock(mu_);
    resync_ = true;  // try again on the next event
    return;
  }
  const store::ResourceSnapshot& snap = **current;
  std::set<std::string> affected;
  for (const auto& node : batch.removed) {
    auto it = proxies_.find(node);
    if (it == proxies_.end()) continue;
    for (const auto& svc : it->second->reached) consumers_[consumerKey(it->second->mesh, svc)].erase(node);
    renewals_.erase({it->second->renew_at, node});
    keepCertificate(node, *it->second);
    proxies_.erase(it);
    snapshots_.clear(node);
  }
  for (const auto& node : batch.added) {
    auto& p = proxies_[node];
    if (!p) {
      p = std::make_unique<Proxy>();
      std::tie(p->mesh, p->name) = splitNodeId(node);
      restoreCertificate(node, *p);
    }
    p->caps = batch.caps[node];
    affected.insert(node);
  }
  metrics_->proxies_.Set(static_cast<double>(proxies_.size()));
  dropKeptCertificates(snap, batch);
  std::set<std::string> services_changed;  // "mesh/service"
  std::set<std::string> whole_meshes = updateMeshes(snap, batch, services_changed);
  // Only a whole-mesh change walks every proxy; the rest are found by index.
  if (batch.resync || !whole_meshes.empty()) {
    for (const auto& [node, p] : proxies_) {
      if (batch.resync || whole_meshes.contains(p->mesh)) affected.insert(node);
    }
  }
  const auto& dataplane_type = model::TypeRegistry::instance().dataplane();
  for (const auto& key : batch.changed) {
    if (key.type != &dataplane_type) continue;
    std::string node = strCat(key.mesh, ".", key.name);
    if (proxies_.contains(node)) affected.insert(std::move(node));
  }
  absl::Time now = clock_->now();
  for (auto it = renewals_.begin(); it != renewals_.end() && it->first <= now; ++it) {
    affected.insert(it->second);
  }
  for (const auto& key : services_changed) {
    auto it = consumers_.find(key);
    if (it != consumers_.end()) affected.insert(it->second.begin(), it->second.end());
  }
  regenerateAll(affected, snap, batch.change_time);
}

std::set<std::string> Reconciler::updateMeshes(const store::ResourceSnapshot& snap,
                                               const Batch& batch,
                                               std::set<std::string>& services_changed) {
  const auto& registry = model::TypeRegistry::instance();
  std::set<std::string> wanted;  // meshes with connected proxies
  for (const auto& [_, p] : proxies_) wanted.insert(p->mesh);
  std::map<std::string, std::set<std::string>> dataplanes;  // mesh -> changed DP names
  std::set<std::string> whole;
  for (const auto& key : batch.changed) {
    if (key.type == &registry.mesh()) {
      whole.insert(key.name);
    } else if (key.type == &registry.dataplane()) {
      dataplanes[key.mesh].insert(key.name);
    } else if (!key.mesh.empty()) {
      whole.insert(key.mesh);  // secrets (the CA), policies, external services
    }
  }
  std::set<std::string> result;
  for (auto it = meshes_.begin(); it != meshes_.end();) {
    it = wanted.contains(it->first) ? std::next(it) : meshes_.erase(it);
  }
  for (const auto& mesh : wanted) {
    auto& ctx = meshes_[mesh];
    model::ResourcePtr mesh_resource = snap.get({&registry.mesh(), "", mesh});
    ca::MeshCaConstSharedPtr ca;
    if (mesh_resource) {
      auto got = ca_(*mesh_resource);
      if (!got.ok()) {
        metrics_->errors_.Increment();
        logger("xds")->error("mesh {}: no CA: {}", mesh, fromAbsl(got.status().message()));
        continue;  // keep the previous context and every proxy's configuration
      }
      ca = *got;
    }
    bool rebuild = !ctx || batch.resync || whole.contains(mesh) || !mesh_resource ||
                   (ctx && ctx->ca() != ca);
    gen::MeshContextConstSharedPtr next;
    if (rebuild) {
      next = mesh_resource ? gen::MeshContext::build(snap, mesh, ca) : nullptr;
      result.insert(mesh);
    } else if (dataplanes.contains(mesh)) {
      gen::MeshContext::Changes changes;
      next = gen::MeshContext::update(ctx, snap, dataplanes[mesh], ca, &changes);
      // A service appearing or vanishing changes what "every service" means.
      if (changes.service_set_changed) result.insert(mesh);
      for (const auto& svc : changes.services) services_changed.insert(consumerKey(mesh, svc));
    } else {
      continue;
    }
    ctx = std::move(next);
  }
  return result;
}

std::shared_ptr<const ca::IssuedCertificate> Reconciler::certificateFor(
    const std::string& node_id, Proxy& proxy, const gen::ProxyContext& ctx) {
  const auto& ca = ctx.mesh->ca();
  if (!ca) {
    proxy.cert.reset();
    proxy.renew_at = absl::InfiniteFuture();
    return nullptr;
  }
  ca::WorkloadIdentity id = identityOf(*ctx.dataplane);
  std::string identity = describe(id, *ca);
  if (proxy.cert && proxy.cert_identity == identity && clock_->now() < proxy.renew_at) {
    return proxy.cert;
  }
  auto issued = ca->issue(id);
  if (!issued.ok()) {
    metrics_->errors_.Increment();
    logger("xds")->error("{}.{}: cannot issue a certificate: {}", proxy.mesh, proxy.name,
                         fromAbsl(issued.status().message()));
    // Keep the old one while it lasts; try again shortly.
    proxy.renew_at = clock_->now() + kIssueRetry;
    return proxy.cert;
  }
  proxy.cert = std::make_shared<const ca::IssuedCertificate>(std::move(*issued));
  proxy.cert_identity = std::move(identity);
  proxy.renew_at = ca::renewalTime(*proxy.cert);
  if (on_certificate_) on_certificate_(node_id, *proxy.cert);
  return proxy.cert;
}

void Reconciler::keepCertificate(const std::string& node_id, const Proxy& proxy) {
  if (!proxy.cert || proxy.renew_at <= clock_->now()) return;
  kept_[node_id] = {proxy.cert, proxy.cert_identity, proxy.renew_at};
  kept_until_.insert({proxy.renew_at, node_id});
}

void Reconciler::restoreCertificate(const std::string& node_id, Proxy& proxy) {
  auto it = kept_.find(node_id);
  if (it == kept_.end()) return;
  // certificateFor() still checks the identity, the CA and the renewal time.
  proxy.cert = std::move(it->second.cert);
  proxy.cert_identity = std::move(it->second.identity);
  proxy.renew_at = it->second.renew_at;
  kept_until_.erase({proxy.renew_at, node_id});
  kept_.erase(it);
}

void Reconciler::dropKeptCertificates(const store::ResourceSnapshot& snap, const Batch& batch) {
  absl::Time now = clock_->now();
  while (!kept_until_.empty() && kept_until_.begin()->first <= now) {
    kept_.erase(kept_until_.begin()->second);
    kept_until_.erase(kept_until_.begin());
  }
  const auto& dataplane_type = model::TypeRegistry::instance().dataplane();
  for (const auto& key : batch.changed) {
    if (key.type != &dataplane_type || snap.get(key)) continue;
    auto it = kept_.find(strCat(key.mesh, ".", key.name));
    if (it == kept_.end()) continue;
    kept_until_.erase({it->second.renew_at, it->first});
    kept_.erase(it);
  }
}

void Reconciler::regenerateAll(const std::set<std::string>& nodes,
                               const store::ResourceSnapshot& snap, absl::Time change_time) {
  std::vector<Job> jobs;
  jobs.reserve(nodes.size());
  for (const auto& node : nodes) {
    auto it = proxies_.find(node);
    if (it != proxies_.end()) jobs.push_back(prepare(it->first, *it->second, snap, change_time));
  }
  pool_.forEach(jobs.size(), [&](size_t i) { generate(jobs[i]); });
  for (const auto& job : jobs) finish(job);
}

Reconciler::Job Reconciler::prepare(const std::string& node_id, Proxy& proxy,
                                    const store::ResourceSnapshot& snap, absl::Time change_time) {
  Job job{.node_id = &node_id, .proxy = &proxy, .renew_before = proxy.renew_at,
          .reached_before = std::move(proxy.reached)};  // generate() sets it anew
  job.ctx.change_time = change_time;
  auto mesh = meshes_.find(proxy.mesh);
  model::ResourcePtr dp =
      snap.get({&model::TypeRegistry::instance().dataplane(), proxy.mesh, proxy.name});
  if (mesh == meshes_.end() || !mesh->second || !dp) {
    proxy.renew_at = absl::InfiniteFuture();
    return job;
  }
  job.ctx.dataplane = dp;
  job.ctx.mesh = mesh->second;
  job.ctx.client = proxy.caps;
  job.ctx.certificate = certificateFor(node_id, proxy, job.ctx);
  return job;
}

void Reconciler::generate(Job& job) {
  Proxy& proxy = *job.proxy;
  if (!job.ctx.dataplane) {
    SnapshotConstSharedPtr empty = SnapshotBuilder().setChangeTime(job.ctx.change_time).build();
    if (!sameSnapshot(empty, proxy.last)) snapshots_.set(*job.node_id, empty);
    proxy.last = empty;
    proxy.reached.clear();
    return;
  }
  auto start = std::chrono::steady_clock::now();
  SnapshotConstSharedPtr next = gen::generate(job.ctx);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  metrics_->generation_.Observe(took.count());
  proxy.reached = gen::reachableServices(job.ctx);
  if (sameSnapshot(next, proxy.last)) return;
  proxy.last = next;
  snapshots_.set(*job.node_id, std::move(next));
}

void Reconciler::finish(const Job& job) {
  const std::string& node_id = *job.node_id;
  Proxy& proxy = *job.proxy;
  // Keep the consumers index in step with what the proxy reaches now.
  for (const auto& svc : job.reached_before) consumers_[consumerKey(proxy.mesh, svc)].erase(node_id);
  for (const auto& svc : proxy.reached) consumers_[consumerKey(proxy.mesh, svc)].insert(node_id);
  if (proxy.renew_at != job.renew_before) {
    renewals_.erase({job.renew_before, node_id});
    if (proxy.renew_at != absl::InfiniteFuture()) renewals_.insert({proxy.renew_at, node_id});
  }
}

}  // namespace ursa::xds
