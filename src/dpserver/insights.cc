#include "src/dpserver/insights.h"

#include "google/protobuf/timestamp.pb.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::dpserver {

namespace {

using ursa::mesh::v1alpha1::DiscoveryServiceStats;
using ursa::mesh::v1alpha1::DiscoverySubscription;

constexpr int kSubscriptionLimit = 2;  // Kuma's metrics.dataplane.subscriptionLimit

void setTime(google::protobuf::Timestamp& ts, absl::Time t) {
  int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
}

std::pair<std::string, std::string> splitNodeId(const std::string& id) {
  size_t dot = id.find('.');
  return {id.substr(0, dot), dot == std::string::npos ? "" : id.substr(dot + 1)};
}

DiscoveryServiceStats* statsFor(ursa::mesh::v1alpha1::DiscoverySubscriptionStatus& s,
                                xds::TypeIndex t) {
  switch (t) {
    case xds::TypeIndex::Cluster: return s.mutable_cds();
    case xds::TypeIndex::Endpoint: return s.mutable_eds();
    case xds::TypeIndex::Listener: return s.mutable_lds();
    case xds::TypeIndex::Route: return s.mutable_rds();
    default: return nullptr;
  }
}

}  // namespace

InsightRecorder::InsightRecorder(store::ResourceStore& store, std::string control_plane_id,
                                 ClockSharedPtr clock, absl::Duration flush_interval)
    : store_(store),
      control_plane_id_(std::move(control_plane_id)),
      clock_(std::move(clock)),
      flush_interval_(flush_interval) {
  worker_ = std::thread([this] { run(); });
}

InsightRecorder::~InsightRecorder() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

DiscoverySubscription* InsightRecorder::subscription(const std::string& node, uint64_t id) {
  auto& insight = insights_[node];
  std::string sid = std::to_string(id);
  for (auto& s : *insight.mutable_subscriptions()) {
    if (s.id() == strCat(control_plane_id_, "-", sid)) return &s;
  }
  return nullptr;
}

void InsightRecorder::connected(const xds::StreamInfo& info) {
  std::lock_guard lock(mu_);
  auto& insight = insights_[info.node_id];
  auto* subs = insight.mutable_subscriptions();
  while (subs->size() >= kSubscriptionLimit) subs->erase(subs->begin());
  auto* s = subs->Add();
  s->set_id(strCat(control_plane_id_, "-", info.id));
  s->set_control_plane_instance_id(control_plane_id_);
  setTime(*s->mutable_connect_time(), clock_->now());
  setTime(*s->mutable_status()->mutable_last_update_time(), clock_->now());
  s->mutable_status()->mutable_total();
  if (!info.node.user_agent_name().empty()) {
    s->mutable_version()->mutable_envoy()->set_version(
        strCat(info.node.user_agent_name(), " ", info.node.user_agent_version()));
  }
  dirty_.insert(info.node_id);
  urgent_ = true;
  cv_.notify_all();
}

void InsightRecorder::disconnected(const xds::StreamInfo& info) {
  std::lock_guard lock(mu_);
  if (auto* s = subscription(info.node_id, info.id)) {
    setTime(*s->mutable_disconnect_time(), clock_->now());
    dirty_.insert(info.node_id);
    urgent_ = true;
    cv_.notify_all();
  }
}

void InsightRecorder::request(const xds::StreamInfo& info, xds::TypeIndex type,
                              xds::RequestKind kind) {
  if (kind == xds::RequestKind::Initial) return;
  std::lock_guard lock(mu_);
  auto* s = subscription(info.node_id, info.id);
  if (!s) return;
  auto* status = s->mutable_status();
  for (auto* stats : {status->mutable_total(), statsFor(*status, type)}) {
    if (!stats) continue;
    if (kind == xds::RequestKind::Ack) {
      stats->set_responses_acknowledged(stats->responses_acknowledged() + 1);
    } else {
      stats->set_responses_rejected(stats->responses_rejected() + 1);
    }
  }
  setTime(*status->mutable_last_update_time(), clock_->now());
  dirty_.insert(info.node_id);
}

void InsightRecorder::response(const xds::StreamInfo& info, xds::TypeIndex type) {
  std::lock_guard lock(mu_);
  auto* s = subscription(info.node_id, info.id);
  if (!s) return;
  auto* status = s->mutable_status();
  for (auto* stats : {status->mutable_total(), statsFor(*status, type)}) {
    if (stats) stats->set_responses_sent(stats->responses_sent() + 1);
  }
  dirty_.insert(info.node_id);
}

void InsightRecorder::certificate(const std::string& node_id, const ca::IssuedCertificate& cert) {
  std::lock_guard lock(mu_);
  auto* mtls = insights_[node_id].mutable_mtls();
  setTime(*mtls->mutable_certificate_expiration_time(), cert.not_after);
  setTime(*mtls->mutable_last_certificate_regeneration(), cert.not_before);
  mtls->set_certificate_regenerations(mtls->certificate_regenerations() + 1);
  mtls->set_issuedbackend(cert.backend);
  mtls->clear_supportedbackends();
  mtls->add_supportedbackends(cert.backend);
  dirty_.insert(node_id);
}

void InsightRecorder::flushForTest() {
  std::unique_lock lock(mu_);
  uint64_t wanted = ++flush_requests_;
  urgent_ = true;
  cv_.notify_all();
  cv_.wait(lock, [&] { return flushed_ >= wanted || stopping_; });
}

void InsightRecorder::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, absl::ToChronoMilliseconds(flush_interval_),
                 [&] { return urgent_ || stopping_; });
    uint64_t requested = flush_requests_;
    urgent_ = false;
    std::set<std::string> nodes = std::exchange(dirty_, {});
    lock.unlock();
    flush(nodes);
    lock.lock();
    flushed_ = std::max(flushed_, requested);
    cv_.notify_all();
  }
}

void InsightRecorder::flush(const std::set<std::string>& nodes) {
  for (const auto& node : nodes) {
    Insight copy;
    {
      std::lock_guard lock(mu_);
      auto it = insights_.find(node);
      if (it == insights_.end()) continue;
      copy = it->second;
    }
    write(node, copy);
  }
}

void InsightRecorder::write(const std::string& node_id, const Insight& insight) {
  const auto& registry = model::TypeRegistry::instance();
  const auto* type = registry.byName("DataplaneInsight");
  auto [mesh, name] = splitNodeId(node_id);
  model::Resource r;
  r.type = type;
  r.meta.mesh = mesh;
  r.meta.name = name;
  r.spec = std::make_shared<Insight>(insight);
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto current = store_.get({type, mesh, name});
    absl::Status s;
    if (current.ok()) {
      r.meta.version = (*current)->meta.version;
      s = store_.update(r).status();
    } else if (absl::IsNotFound(current.status())) {
      store::CreateOptions owned{.owner = model::ResourceKey{&registry.dataplane(), mesh, name}};
      s = store_.create(r, owned).status();
    } else {
      s = current.status();
    }
    if (s.ok() || absl::IsFailedPrecondition(s)) return;  // no Dataplane (any more): nothing to record
    if (!absl::IsAborted(s) && !absl::IsAlreadyExists(s)) {
      logger("xds")->warn("cannot record the insight of {}: {}", node_id, fromAbsl(s.message()));
      return;
    }
  }
}

}  // namespace ursa::dpserver
