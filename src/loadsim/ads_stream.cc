#include "src/loadsim/ads_stream.h"

#include <array>
#include <set>

#include "google/protobuf/struct.pb.h"

namespace ursa::loadsim {
namespace {

using envoy::service::discovery::v3::DeltaDiscoveryRequest;
using envoy::service::discovery::v3::DeltaDiscoveryResponse;
using envoy::service::discovery::v3::DiscoveryRequest;
using envoy::service::discovery::v3::DiscoveryResponse;
using xds::TypeIndex;

constexpr std::array<TypeIndex, 3> kNamedTypes = {TypeIndex::Secret, TypeIndex::Endpoint,
                                                  TypeIndex::Route};

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The node an Envoy started by kuma-dp (ursa-dp) announces.
envoy::config::core::v3::Node envoyNode(const ProxyIdentity& id, const StreamSettings& s) {
  envoy::config::core::v3::Node node;
  node.set_id(id.node_id);
  node.set_cluster(id.service);
  node.set_user_agent_name("envoy");
  node.set_user_agent_version(s.envoy_version);
  auto& md = *node.mutable_metadata()->mutable_fields();
  md["dataplane.admin.port"].set_string_value("9901");
  md["dataplane.admin.address"].set_string_value("127.0.0.1");
  md["dataplane.proxyType"].set_string_value("dataplane");
  md["ursa.proxy"].set_string_value("envoy");
  return node;
}

// The request/ write-queue/ lifecycle half shared by both protocols.
template <typename Req, typename Res>
class StreamBase : public AdsStream, public grpc::ClientBidiReactor<Req, Res> {
 public:
  StreamBase(size_t proxy, const ProxyIdentity& identity, const StreamSettings& settings,
             StreamHooks& hooks)
      : proxy_(proxy), identity_(identity), settings_(settings), hooks_(hooks) {
    if (!identity.token.empty()) context_.AddMetadata("authorization", identity.token);
  }

  void cancel() override { context_.TryCancel(); }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream is ending; OnDone follows
    {
      std::lock_guard lock(mu_);
      handle(response_);
    }
    pumpWrites();
    this->StartRead(&response_);
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard lock(mu_);
      queue_.pop_front();
      writing_ = false;
      if (!ok) {
        queue_.clear();  // the stream broke: nothing more goes out
        broken_ = true;
      }
    }
    pumpWrites();
  }

  void OnDone(const grpc::Status& status) override { hooks_.onStreamDone(proxy_, status); }

 protected:
  // REQUIRES: mu_ held. Reacts to one response (queueing requests with send()).
  virtual void handle(const Res& res) = 0;

  // REQUIRES: mu_ held. Queues a request (pumpWrites() sends it); the node
  // goes with the stream's first one only.
  void send(Req req) {
    if (broken_) return;
    if (!node_sent_) {
      *req.mutable_node() = envoyNode(identity_, settings_);
      node_sent_ = true;
    }
    queue_.push_back(std::move(req));
  }

  // REQUIRES: mu_ not held (a write may complete inline). Starts the next
  // queued write unless one is in flight.
  void pumpWrites() {
    Req* next = nullptr;
    {
      std::lock_guard lock(mu_);
      if (writing_ || queue_.empty() || broken_) return;
      writing_ = true;
      next = &queue_.front();  // stays put until OnWriteDone pops it
    }
    this->StartWrite(next);
  }

  // REQUIRES: mu_ not held. Sends what start() queued and starts the call.
  void startCall() {
    pumpWrites();
    this->StartRead(&response_);
    this->StartCall();
  }

  // Whether to reject this response: a seeded draw, never for a type's first.
  bool drawNack(bool first_of_type) {
    ++responses_;
    if (first_of_type || settings_.nack_fraction <= 0) return false;
    uint64_t r = splitmix(settings_.seed ^ splitmix(proxy_) ^ (responses_ * 0x2545F4914F6CDD1DULL));
    return static_cast<double>(r >> 11) * 0x1.0p-53 < settings_.nack_fraction;
  }

  // Records the probe's verdict on the resource `name` (bytes null: absent).
  void checkProbe(TypeIndex type, const std::string& name, const std::string* bytes, bool nack) {
    auto probe = hooks_.probe();
    if (probe && probe->type() == type && probe->resource(proxy_) == name && probe->holds(bytes)) {
      probe->record(proxy_, nack);
    }
  }

  void reportProgress(size_t bytes, bool nack) {
    hooks_.onResponse(proxy_, bytes, nack);
    if (!complete_ && config_.complete()) {
      complete_ = true;
      hooks_.onComplete(proxy_);
    }
  }

  grpc::ClientContext context_;
  const size_t proxy_;
  const ProxyIdentity& identity_;
  const StreamSettings& settings_;
  StreamHooks& hooks_;

  std::mutex mu_;
  ProxyConfig config_;  // guarded by mu_
  std::array<bool, xds::kTypeCount> accepted_once_{};

 private:
  Res response_;  // the buffer of the outstanding read
  std::deque<Req> queue_;
  bool writing_ = false;
  bool broken_ = false;
  bool node_sent_ = false;
  bool complete_ = false;
  uint64_t responses_ = 0;
};

std::optional<TypeIndex> typeOf(const std::string& url) { return xds::typeIndexOf(url); }

class SotwStream final : public StreamBase<DiscoveryRequest, DiscoveryResponse> {
 public:
  using StreamBase::StreamBase;

  void start(AggregatedDiscoveryService::Stub& stub) override {
    stub.async()->StreamAggregatedResources(&context_, this);
    {
      std::lock_guard lock(mu_);
      for (TypeIndex t : {TypeIndex::Cluster, TypeIndex::Listener}) {
        types_[static_cast<size_t>(t)].subscribed = true;
        send(request(t));
      }
    }
    startCall();
  }

 private:
  struct TypeState {
    bool subscribed = false;
    std::set<std::string> names;
    std::string version;  // last accepted
    std::string nonce;    // last received
  };

  DiscoveryRequest request(TypeIndex t) const {
    const TypeState& s = types_[static_cast<size_t>(t)];
    DiscoveryRequest r;
    r.set_type_url(std::string(xds::typeUrl(t)));
    r.set_version_info(s.version);
    r.set_response_nonce(s.nonce);
    for (const auto& n : s.names) r.add_resource_names(n);
    return r;
  }

  void handle(const DiscoveryResponse& res) override {
    auto type = typeOf(res.type_url());
    if (!type) return;
    size_t index = static_cast<size_t>(*type);
    TypeState& s = types_[index];
    s.nonce = res.nonce();
    bool nack = drawNack(!accepted_once_[index]);
    std::vector<Inspected> items;
    items.reserve(res.resources_size());
    for (const auto& any : res.resources()) items.push_back(inspect(*type, any.value()));
    probeResponse(*type, res, items, nack);
    DiscoveryRequest reply;
    if (nack) {
      reply = request(*type);
      reply.mutable_error_detail()->set_code(3);
      reply.mutable_error_detail()->set_message("ursa-xds-load: simulated NACK");
    } else {
      config_.replace(*type, items);
      accepted_once_[index] = true;
      s.version = res.version_info();
      resubscribe();
      reply = request(*type);
    }
    send(std::move(reply));
    reportProgress(res.ByteSizeLong(), nack);
  }

  void probeResponse(TypeIndex type, const DiscoveryResponse& res,
                     const std::vector<Inspected>& items, bool nack) {
    auto probe = hooks_.probe();
    if (!probe || probe->type() != type) return;
    const std::string* bytes = nullptr;
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].name == probe->resource(proxy_)) bytes = &res.resources(static_cast<int>(i)).value();
    }
    checkProbe(type, probe->resource(proxy_), bytes, nack);
  }

  // Sends a request for every named type whose wanted names changed.
  void resubscribe() {
    for (TypeIndex t : kNamedTypes) {
      TypeState& s = types_[static_cast<size_t>(t)];
      auto want = config_.wanted(t);
      if (want == s.names && (s.subscribed || want.empty())) continue;
      s.names = std::move(want);
      s.subscribed = true;
      send(request(t));
    }
  }

  std::array<TypeState, xds::kTypeCount> types_;
};

class DeltaStream final : public StreamBase<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
 public:
  using StreamBase::StreamBase;

  void start(AggregatedDiscoveryService::Stub& stub) override {
    stub.async()->DeltaAggregatedResources(&context_, this);
    {
      std::lock_guard lock(mu_);
      for (TypeIndex t : {TypeIndex::Cluster, TypeIndex::Listener}) {
        DeltaDiscoveryRequest r;
        r.set_type_url(std::string(xds::typeUrl(t)));  // nothing named: wildcard
        send(std::move(r));
      }
    }
    startCall();
  }

 private:
  void handle(const DeltaDiscoveryResponse& res) override {
    auto type = typeOf(res.type_url());
    if (!type) return;
    size_t index = static_cast<size_t>(*type);
    bool nack = drawNack(!accepted_once_[index]);
    std::vector<Inspected> items;
    items.reserve(res.resources_size());
    for (const auto& r : res.resources()) {
      items.push_back(inspect(*type, r.resource().value()));
      items.back().name = r.name();
    }
    std::vector<std::string> removed(res.removed_resources().begin(),
                                     res.removed_resources().end());
    probeResponse(*type, res, removed, nack);
    DeltaDiscoveryRequest ack;
    ack.set_type_url(res.type_url());
    ack.set_response_nonce(res.nonce());
    if (nack) {
      ack.mutable_error_detail()->set_code(3);
      ack.mutable_error_detail()->set_message("ursa-xds-load: simulated NACK");
    } else {
      config_.update(*type, items, removed);
      accepted_once_[index] = true;
      resubscribe();
    }
    send(std::move(ack));
    reportProgress(res.ByteSizeLong(), nack);
  }

  void probeResponse(TypeIndex type, const DeltaDiscoveryResponse& res,
                     const std::vector<std::string>& removed, bool nack) {
    auto probe = hooks_.probe();
    if (!probe || probe->type() != type) return;
    for (const auto& r : res.resources()) {
      if (r.name() == probe->resource(proxy_)) return checkProbe(type, r.name(), &r.resource().value(), nack);
    }
    for (const auto& name : removed) {
      if (name == probe->resource(proxy_)) return checkProbe(type, name, nullptr, nack);
    }
  }

  // Sends the subscription changes of every named type.
  void resubscribe() {
    for (TypeIndex t : kNamedTypes) {
      auto& names = names_[static_cast<size_t>(t)];
      auto want = config_.wanted(t);
      if (want == names) continue;
      DeltaDiscoveryRequest r;
      r.set_type_url(std::string(xds::typeUrl(t)));
      for (const auto& n : want) {
        if (!names.contains(n)) r.add_resource_names_subscribe(n);
      }
      for (const auto& n : names) {
        if (!want.contains(n)) r.add_resource_names_unsubscribe(n);
      }
      names = std::move(want);
      send(std::move(r));
    }
  }

  std::array<std::set<std::string>, xds::kTypeCount> names_;
};

}  // namespace

std::unique_ptr<AdsStream> makeAdsStream(size_t proxy, const ProxyIdentity& identity,
                                         const StreamSettings& settings, StreamHooks& hooks) {
  if (settings.delta) return std::make_unique<DeltaStream>(proxy, identity, settings, hooks);
  return std::make_unique<SotwStream>(proxy, identity, settings, hooks);
}

}  // namespace ursa::loadsim
