#include "src/dpserver/xds_callbacks.h"

#include <array>
#include <atomic>
#include <map>

#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/summary.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::dpserver {

class XdsCallbacks::Metrics_ {
 public:
  explicit Metrics_(Metrics& m)
      : requests(prometheus::BuildCounter()
                     .Name("xds_requests_received")
                     .Help("xDS requests received, by type URL and confirmation (ACK or NACK)")
                     .Labels(m.constantLabels())
                     .Register(m.registry())),
        responses(prometheus::BuildCounter()
                      .Name("xds_responses_sent")
                      .Help("xDS responses sent, by type URL")
                      .Labels(m.constantLabels())
                      .Register(m.registry())),
        streams(prometheus::BuildGauge()
                    .Name("xds_streams_active")
                    .Help("Open ADS streams")
                    .Labels(m.constantLabels())
                    .Register(m.registry())
                    .Add({})),
        delivery(prometheus::BuildSummary()
                     .Name("xds_delivery")
                     .Help("Time from a change to the proxy's ACK of the configuration it "
                           "produced, in seconds")
                     .Labels(m.constantLabels())
                     .Register(m.registry())
                     .Add({}, prometheus::Summary::Quantiles{
                                  {0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}})) {}
  // The counter of (type, ACK or NACK) requests / of a type's responses:
  // Family::Add() looked up once per label set, then kept.
  prometheus::Counter& request(xds::TypeIndex type, bool ack) {
    auto& slot = request_counters[static_cast<size_t>(type)][ack ? 1 : 0];
    return counter(slot, requests, {{"type_url", std::string(xds::typeUrl(type))},
                                    {"confirmation", ack ? "ACK" : "NACK"}});
  }
  prometheus::Counter& response(xds::TypeIndex type) {
    return counter(response_counters[static_cast<size_t>(type)], responses,
                   {{"type_url", std::string(xds::typeUrl(type))}});
  }
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Counter>& responses;
  prometheus::Gauge& streams;
  prometheus::Summary& delivery;

 private:
  static prometheus::Counter& counter(std::atomic<prometheus::Counter*>& slot,
                                      prometheus::Family<prometheus::Counter>& family,
                                      const std::map<std::string, std::string>& labels) {
    prometheus::Counter* c = slot.load(std::memory_order_acquire);
    if (c == nullptr) {
      c = &family.Add(labels);  // the same Counter for the same labels, whoever asks
      slot.store(c, std::memory_order_release);
    }
    return *c;
  }
  std::array<std::array<std::atomic<prometheus::Counter*>, 2>, xds::kTypeCount> request_counters{};
  std::array<std::atomic<prometheus::Counter*>, xds::kTypeCount> response_counters{};
};

namespace {

std::pair<std::string, std::string> splitNodeId(const std::string& id) {
  size_t dot = id.find('.');
  return {id.substr(0, dot), dot == std::string::npos ? "" : id.substr(dot + 1)};
}

std::string metadataString(const envoy::config::core::v3::Node& node, const char* key) {
  auto it = node.metadata().fields().find(key);
  return it != node.metadata().fields().end() && it->second.has_string_value()
             ? it->second.string_value()
             : "";
}

}  // namespace

XdsCallbacks::XdsCallbacks(store::ResourceStore& store, xds::Reconciler& reconciler,
                           InsightRecorder& insights, api::DataplaneTokensSharedPtr tokens,
                           Metrics& metrics, XdsCallbacksOptions options)
    : store_(store),
      reconciler_(reconciler),
      insights_(insights),
      tokens_(std::move(tokens)),
      options_(options),
      metrics_(std::make_unique<Metrics_>(metrics)) {
  deregistration_ = std::thread([this] { deregistrationLoop(); });
}

XdsCallbacks::~XdsCallbacks() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  deregistration_.join();
}

void XdsCallbacks::markSelfRegistered(const std::string& node_id) {
  std::lock_guard lock(mu_);
  self_registered_.insert(node_id);
}

absl::Status XdsCallbacks::authenticate(const xds::StreamInfo& info,
                                        const model::Resource& dataplane) const {
  if (!options_.require_tokens) return absl::OkStatus();
  auto [begin, end] = info.metadata.equal_range("authorization");
  if (begin == end) {
    return absl::UnauthenticatedError("the stream carries no dataplane token (metadata "
                                      "\"authorization\")");
  }
  if (std::next(begin) != end) {
    return absl::UnauthenticatedError("the stream carries several \"authorization\" values");
  }
  if (!tokens_) return absl::UnauthenticatedError("dataplane tokens are not available");
  std::string token = begin->second;
  if (token.rfind("Bearer ", 0) == 0) token = token.substr(7);
  URSA_ASSIGN_OR_RETURN(auto identity, tokens_->validate(token, dataplane.meta.mesh));
  return api::authorizeDataplane(identity, dataplane);
}

absl::Status XdsCallbacks::onStreamOpen(const xds::StreamInfo& info) {
  auto [mesh, name] = splitNodeId(info.node_id);
  auto dataplane = store_.get({&model::TypeRegistry::instance().dataplane(), mesh, name});
  if (absl::IsNotFound(dataplane.status())) {
    return absl::FailedPreconditionError(
        strCat("Dataplane \"", name, "\" does not exist in mesh \"", mesh,
               "\"; register it through POST /bootstrap or the API"));
  }
  if (!dataplane.ok()) return dataplane.status();
  URSA_RETURN_IF_ERROR(authenticate(info, **dataplane));
  auto caps = xds::gen::capabilitiesOf(info.node.user_agent_name(), info.node.user_agent_version(),
                                       metadataString(info.node, "ursa.proxy"));
  {
    std::lock_guard lock(mu_);
    ++streams_[info.node_id];
    leaving_.erase(info.node_id);
    if (!xds::gen::isAgentClient(info.node.user_agent_name())) {
      app_caps_[info.node_id] = caps;
    } else if (auto it = app_caps_.find(info.node_id); it != app_caps_.end()) {
      caps = it->second;
    }
  }
  metrics_->streams.Increment();
  insights_.connected(info);
  std::string described = xds::gen::describe(caps);
  reconciler_.addProxy(info.node_id, std::move(caps));
  logger("xds")->info("{} connected ({} {} {}; {}; stream {} from {})", info.node_id,
                      info.delta ? "delta" : "sotw", info.node.user_agent_name(),
                      info.node.user_agent_version(), described, info.id, info.peer);
  return absl::OkStatus();
}

void XdsCallbacks::onStreamClosed(const xds::StreamInfo& info) {
  metrics_->streams.Decrement();
  insights_.disconnected(info);
  bool last = false;
  {
    std::lock_guard lock(mu_);
    last = --streams_[info.node_id] <= 0;
    if (last) {
      streams_.erase(info.node_id);
      app_caps_.erase(info.node_id);
      if (self_registered_.contains(info.node_id)) {
        leaving_[info.node_id] = absl::Now() + options_.deregistration_delay;
        cv_.notify_all();
      }
    }
  }
  if (last) reconciler_.removeProxy(info.node_id);
  logger("xds")->info("{} disconnected (stream {})", info.node_id, info.id);
}

void XdsCallbacks::deregistrationLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    absl::Time next = absl::InfiniteFuture();
    for (const auto& [_, at] : leaving_) next = std::min(next, at);
    if (next == absl::InfiniteFuture()) {
      cv_.wait(lock);
      continue;
    }
    if (absl::Now() < next) {
      cv_.wait_for(lock, absl::ToChronoMilliseconds(next - absl::Now()));
      continue;
    }
    std::vector<std::string> due;
    for (auto it = leaving_.begin(); it != leaving_.end();) {
      if (it->second <= absl::Now()) {
        due.push_back(it->first);
        self_registered_.erase(it->first);
        it = leaving_.erase(it);
      } else {
        ++it;
      }
    }
    lock.unlock();
    for (const auto& node : due) {
      auto [mesh, name] = splitNodeId(node);
      absl::Status s = store_.remove({&model::TypeRegistry::instance().dataplane(), mesh, name});
      if (s.ok()) logger("xds")->info("{} deregistered: its proxy is gone", node);
    }
    lock.lock();
  }
}

void XdsCallbacks::onRequest(const xds::StreamInfo& info, xds::TypeIndex type,
                             xds::RequestKind kind, std::string_view, std::string_view,
                             std::optional<absl::Duration> since_change) {
  insights_.request(info, type, kind);
  if (kind == xds::RequestKind::Initial) return;
  metrics_->request(type, kind == xds::RequestKind::Ack).Increment();
  if (since_change) metrics_->delivery.Observe(absl::ToDoubleSeconds(*since_change));
}

void XdsCallbacks::onResponse(const xds::StreamInfo& info, xds::TypeIndex type, std::string_view,
                              size_t, size_t) {
  insights_.response(info, type);
  metrics_->response(type).Increment();
}

}  // namespace ursa::dpserver
