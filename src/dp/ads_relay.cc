#include "src/dp/ads_relay.h"

#include <condition_variable>
#include <mutex>
#include <optional>

#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"

namespace ursa::dp {

using envoy::service::discovery::v3::AggregatedDiscoveryService;
using envoy::service::discovery::v3::DeltaDiscoveryRequest;
using envoy::service::discovery::v3::DeltaDiscoveryResponse;
using envoy::service::discovery::v3::DiscoveryRequest;
using envoy::service::discovery::v3::DiscoveryResponse;

struct AdsRelay::Shared {
  std::unique_ptr<AggregatedDiscoveryService::Stub> stub;
  TokenSource token;
  ProxyIdentity identity;
  std::mutex mu;
  std::condition_variable cv;
  uint64_t started = 0;  // guarded by mu
  uint64_t open = 0;     // guarded by mu
};

namespace {

// One relayed stream: the application's (downstream, a server reactor) and
// the control plane's (upstream, a client reactor), owned together and
// deleted once both reactors are done.
//
// Lifetimes: operations on the upstream call are started from downstream
// reactions, so the upstream reactor holds a hold (AddHold) while the
// downstream may still start one; the hold goes once the upstream stream is
// over (its read failed, or the downstream broke) and no start is under
// way. Downstream operations are started from upstream reactions, which all
// run before the upstream's OnDone, which is where the downstream is
// finished: they never race with Finish. Start* calls are never made under
// mu_ (gRPC may run a reaction inline).
template <typename Req, typename Res>
class RelayCall {
 public:
  using Opener = void (*)(AggregatedDiscoveryService::Stub&, grpc::ClientContext*,
                          grpc::ClientBidiReactor<Req, Res>*);

  RelayCall(std::shared_ptr<AdsRelay::Shared> shared, const char* kind)
      : shared_(std::move(shared)), kind_(kind) {
    std::lock_guard lock(shared_->mu);
    id_ = ++shared_->started;
    ++shared_->open;
  }

  grpc::ServerBidiReactor<Req, Res>* downstream() { return &down_; }

  // Opens the upstream stream and starts relaying. Call once, before the
  // downstream reactor is returned to gRPC.
  void begin(Opener open) {
    auto token = shared_->token();
    if (!token.ok()) {
      logger("dp")->error("relay: cannot read the dataplane token: {}",
                          fromAbsl(token.status().message()));
      {
        std::lock_guard lock(mu_);
        live_ = 1;  // the upstream reactor never starts
        finish_called_ = true;
      }
      down_.Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                strCat("ursa-dp: ", fromAbsl(token.status().message()))));
      return;
    }
    up_context_.AddMetadata(kAuthorizationKey, *token);
    open(*shared_->stub, &up_context_, &up_);  // binds up_ to its call
    up_.AddHold();  // only valid once bound
    up_.StartRead(&up_res_);
    up_.StartCall();
    down_.StartRead(&down_req_);
  }

 private:
  struct Down : grpc::ServerBidiReactor<Req, Res> {
    explicit Down(RelayCall* c) : call(c) {}
    void OnReadDone(bool ok) override { call->downRead(ok); }
    void OnWriteDone(bool ok) override { call->downWritten(ok); }
    void OnCancel() override { call->up_context_.TryCancel(); }
    void OnDone() override { call->release(); }
    RelayCall* call;
  };
  struct Up : grpc::ClientBidiReactor<Req, Res> {
    explicit Up(RelayCall* c) : call(c) {}
    void OnReadDone(bool ok) override { call->upRead(ok); }
    void OnWriteDone(bool ok) override { call->upWritten(ok); }
    void OnDone(const grpc::Status& s) override { call->upDone(s); }
    RelayCall* call;
  };

  // --- application -> control plane ------------------------------------------

  void downRead(bool ok) {
    if (!ok) {  // the application half-closed (or went away)
      startUp([this] { up_.StartWritesDone(); });
      return;
    }
    if (first_ || down_req_.has_node()) stampNode(*down_req_.mutable_node(), shared_->identity);
    first_ = false;
    startUp([this] { up_.StartWrite(&down_req_); });
  }

  void upWritten(bool ok) {
    // On failure the upstream stream is over: its read fails and upDone follows.
    if (ok) down_.StartRead(&down_req_);
  }

  // --- control plane -> application ------------------------------------------

  void upRead(bool ok) {
    if (!ok) {
      closeUp();
      return;
    }
    {
      std::lock_guard lock(mu_);
      down_writing_ = true;
    }
    down_.StartWrite(&up_res_);
  }

  void downWritten(bool ok) {
    std::optional<grpc::Status> finish;
    {
      std::lock_guard lock(mu_);
      down_writing_ = false;
      finish.swap(pending_finish_);
    }
    if (finish) {
      down_.Finish(*finish);
    } else if (ok) {
      startUp([this] { up_.StartRead(&up_res_); });
    } else {  // the application's stream broke
      up_context_.TryCancel();
      closeUp();
    }
  }

  void upDone(const grpc::Status& status) {
    if (!status.ok()) {
      logger("dp")->info("relay: {} stream {} ended by the control plane: {} {}", kind_, id_,
                         static_cast<int>(status.error_code()), status.error_message());
    }
    bool now;
    {
      std::lock_guard lock(mu_);
      now = !down_writing_;
      if (!now) pending_finish_ = status;
      finish_called_ = true;
    }
    if (now) down_.Finish(status);
    release();
  }

  // --- bookkeeping --------------------------------------------------------------

  // Runs `start` (an operation on the upstream call) unless the upstream
  // stream is over; the hold keeps the call alive meanwhile.
  template <typename F>
  void startUp(F start) {
    {
      std::lock_guard lock(mu_);
      if (up_over_) return;
      ++up_starting_;
    }
    start();
    bool release_hold;
    {
      std::lock_guard lock(mu_);
      --up_starting_;
      release_hold = takeHold();
    }
    if (release_hold) up_.RemoveHold();
  }

  // The upstream stream needs no more operations from the downstream side.
  void closeUp() {
    bool release_hold;
    {
      std::lock_guard lock(mu_);
      up_over_ = true;
      release_hold = takeHold();
    }
    if (release_hold) up_.RemoveHold();
  }

  // REQUIRES: mu_ held. True once, when the hold may go.
  bool takeHold() {
    if (!up_over_ || up_starting_ > 0 || hold_released_) return false;
    hold_released_ = true;
    return true;
  }

  void release() {
    bool last;
    {
      std::lock_guard lock(mu_);
      last = --live_ == 0;
    }
    if (!last) return;
    auto shared = shared_;
    delete this;
    std::lock_guard lock(shared->mu);
    --shared->open;
    shared->cv.notify_all();
  }

  std::shared_ptr<AdsRelay::Shared> shared_;
  const char* kind_;
  uint64_t id_ = 0;
  Down down_{this};
  Up up_{this};
  grpc::ClientContext up_context_;
  Req down_req_;  // the request being relayed (one at a time)
  Res up_res_;    // the response being relayed (one at a time)
  bool first_ = true;  // touched by downstream read reactions only (serialized)

  std::mutex mu_;
  // Guarded by mu_:
  int live_ = 2;  // reactors whose OnDone is still to come
  bool up_over_ = false;
  int up_starting_ = 0;
  bool hold_released_ = false;
  bool down_writing_ = false;
  bool finish_called_ = false;
  std::optional<grpc::Status> pending_finish_;
};

void openSotw(AggregatedDiscoveryService::Stub& stub, grpc::ClientContext* context,
              grpc::ClientBidiReactor<DiscoveryRequest, DiscoveryResponse>* reactor) {
  stub.async()->StreamAggregatedResources(context, reactor);
}

void openDelta(AggregatedDiscoveryService::Stub& stub, grpc::ClientContext* context,
               grpc::ClientBidiReactor<DeltaDiscoveryRequest, DeltaDiscoveryResponse>* reactor) {
  stub.async()->DeltaAggregatedResources(context, reactor);
}

}  // namespace

class AdsRelay::Service : public AggregatedDiscoveryService::CallbackService {
 public:
  explicit Service(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  grpc::ServerBidiReactor<DiscoveryRequest, DiscoveryResponse>* StreamAggregatedResources(
      grpc::CallbackServerContext*) override {
    auto* call = new RelayCall<DiscoveryRequest, DiscoveryResponse>(shared_, "sotw");
    auto* reactor = call->downstream();
    call->begin(openSotw);
    return reactor;
  }

  grpc::ServerBidiReactor<DeltaDiscoveryRequest, DeltaDiscoveryResponse>* DeltaAggregatedResources(
      grpc::CallbackServerContext*) override {
    auto* call = new RelayCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse>(shared_, "delta");
    auto* reactor = call->downstream();
    call->begin(openDelta);
    return reactor;
  }

 private:
  std::shared_ptr<Shared> shared_;
};

absl::StatusOr<std::unique_ptr<AdsRelay>> AdsRelay::start(RelayOptions options) {
  if (!options.upstream || !options.token) {
    return absl::InvalidArgumentError("the relay needs an upstream channel and a token source");
  }
  std::unique_ptr<AdsRelay> relay(new AdsRelay());
  relay->shared_ = std::make_shared<Shared>();
  relay->shared_->stub = AggregatedDiscoveryService::NewStub(options.upstream);
  relay->shared_->token = std::move(options.token);
  relay->shared_->identity = std::move(options.identity);
  relay->service_ = std::make_unique<Service>(relay->shared_);
  relay->listen_address_ = options.listen_address;

  grpc::ServerBuilder builder;
  int bound = 0;
  bool v6 = options.listen_address.find(':') != std::string::npos;
  builder.AddListeningPort(v6 ? strCat("[", options.listen_address, "]:", options.port)
                              : strCat(options.listen_address, ":", options.port),
                           grpc::InsecureServerCredentials(), &bound);
  builder.RegisterService(relay->service_.get());
  builder.SetMaxReceiveMessageSize(4 << 20);
  builder.SetMaxSendMessageSize(-1);
  relay->server_ = builder.BuildAndStart();
  if (!relay->server_ || bound == 0) {
    return absl::UnavailableError(strCat("the xDS relay cannot listen on ", options.listen_address,
                                         ":", options.port));
  }
  relay->port_ = static_cast<uint16_t>(bound);
  return relay;
}

AdsRelay::~AdsRelay() { stop(); }

std::string AdsRelay::address() const {
  bool v6 = listen_address_.find(':') != std::string::npos;
  return v6 ? strCat("[", listen_address_, "]:", port_) : strCat(listen_address_, ":", port_);
}

uint64_t AdsRelay::streamsStarted() const {
  std::lock_guard lock(shared_->mu);
  return shared_->started;
}

uint64_t AdsRelay::streamsOpen() const {
  std::lock_guard lock(shared_->mu);
  return shared_->open;
}

void AdsRelay::stop() {
  if (stopped_ || !server_) return;
  stopped_ = true;
  // Cancels the streams still open after the deadline: each cancels its
  // upstream side, whose end finishes the downstream.
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  server_->Wait();
  std::unique_lock lock(shared_->mu);
  shared_->cv.wait_for(lock, std::chrono::seconds(5), [&] { return shared_->open == 0; });
}

}  // namespace ursa::dp
