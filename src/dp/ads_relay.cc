#include "src/dp/ads_relay.h"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "absl/time/clock.h"
#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "src/dp/response_hold.h"
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
  std::shared_ptr<CertificateGate> certificates;  // null: nothing is held
  std::mutex mu;
  std::condition_variable cv;
  uint64_t started = 0;  // guarded by mu
  uint64_t open = 0;     // guarded by mu
};

namespace {

// The short name of a type URL ("Cluster"), for logs.
std::string_view shortType(std::string_view type_url) {
  auto dot = type_url.rfind('.');
  return dot == std::string_view::npos ? type_url : type_url.substr(dot + 1);
}

// One relayed stream: the application's (downstream, a server reactor) and
// the control plane's (upstream, a client reactor), owned together (by
// `self_`, dropped once both reactors are done; the certificate gate's
// waiters hold weak references).
//
// Lifetimes: operations on the upstream call are started from downstream
// reactions, so the upstream reactor holds a hold (AddHold) while the
// downstream may still start one; the hold goes once the upstream stream is
// over (its read failed, or the downstream broke) and no start is under
// way. Downstream writes are started from upstream reactions, from the
// previous write's reaction, or by the gate's thread releasing held
// responses; whoever starts one sets down_writing_ under mu_ first, and
// Finish is only called with no write under way (else the write's reaction
// calls it), so no write races with Finish. Start* calls are never made
// under mu_ (gRPC may run a reaction inline).
//
// Responses: one read upstream at a time; a response forwarded to the
// application is written before the next read starts (backpressure); a
// response held for the certificate files (response_hold.h) lets the next
// read start at once, and goes to the application, before anything read
// after it, when the gate releases it.
template <typename Req, typename Res>
class RelayCall : public std::enable_shared_from_this<RelayCall<Req, Res>> {
 public:
  using Opener = void (*)(AggregatedDiscoveryService::Stub&, grpc::ClientContext*,
                          grpc::ClientBidiReactor<Req, Res>*);

  // The call owns itself until both reactors are done.
  static RelayCall* create(std::shared_ptr<AdsRelay::Shared> shared, const char* kind) {
    auto call = std::shared_ptr<RelayCall>(new RelayCall(std::move(shared), kind));
    call->self_ = call;
    return call.get();
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
  RelayCall(std::shared_ptr<AdsRelay::Shared> shared, const char* kind)
      : shared_(std::move(shared)), kind_(kind) {
    std::lock_guard lock(shared_->mu);
    id_ = ++shared_->started;
    ++shared_->open;
  }

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
  // A response on its way to the application.
  struct Outgoing {
    Res response;
    bool resume_read;  // the upstream read waits for this write
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
    Res res = std::move(up_res_);
    bool held = false;
    bool write = false;
    std::optional<uint64_t> superseded;
    {
      std::lock_guard lock(mu_);
      held = holdForCertificates(res, superseded);
      if (!held) {
        outbox_.push_back({std::move(res), true});
        write = takeNextWrite();
      }
    }
    if (superseded) shared_->certificates->cancel(*superseded);
    if (write) down_.StartWrite(&down_res_);
    if (held) startUp([this] { up_.StartRead(&up_res_); });
  }

  // Whether `res` waits for the certificate files (moved into held_ then).
  // `superseded` receives the waiter of a held response `res` replaces.
  // REQUIRES: mu_ held.
  bool holdForCertificates(Res& res, std::optional<uint64_t>& superseded) {
    CertificateGate* gate = shared_->certificates.get();
    const std::string& type = res.type_url();
    if (gate == nullptr) return false;
    if (held_.holds(type)) {
      if (HeldResponses<Res>::kDelta || namesCertificateFiles(res)) {
        logger("dp")->info("relay: {} stream {}: {} version {} {} the one held", kind_, id_,
                           shortType(type), versionOf(res),
                           HeldResponses<Res>::kDelta ? "queued behind" : "replaces");
        held_.add(std::move(res));
        return true;
      }
      superseded = held_.drop(type);
      logger("dp")->info("relay: {} stream {}: {} version {} needs no certificate files and "
                         "supersedes the one held", kind_, id_, shortType(type), versionOf(res));
      return false;
    }
    if (gate->isOpen() || !namesCertificateFiles(res)) return false;
    auto waiter = gate->waitUnlessOpen(
        [weak = this->weak_from_this(), type](uint64_t id, CertificateGate::Release why) {
          if (auto call = weak.lock()) call->releaseHeld(type, id, why);
        });
    if (!waiter) return false;  // the files were written meanwhile
    logger("dp")->info("relay: {} stream {}: holding {} version {} from the application until "
                       "ursa-dp has written the certificate files it names (at most {})",
                       kind_, id_, shortType(type), versionOf(res),
                       fromAbsl(absl::FormatDuration(gate->maxHold())));
    held_.hold(std::move(res), *waiter, absl::Now());
    return true;
  }

  // The gate fired `waiter` (on the gate's thread): what it holds of `type`
  // goes to the application, unless a superseding response dropped it.
  void releaseHeld(const std::string& type, uint64_t waiter, CertificateGate::Release why) {
    bool write = false;
    {
      std::lock_guard lock(mu_);
      auto released = held_.release(type, waiter, absl::Now());
      if (!released || finish_called_) return;
      logRelease(type, why, released->held_for);
      for (auto& r : released->responses) outbox_.push_back({std::move(r), false});
      write = takeNextWrite();
    }
    if (write) down_.StartWrite(&down_res_);
  }

  void logRelease(const std::string& type, CertificateGate::Release why, absl::Duration held_for) {
    std::string after(fromAbsl(absl::FormatDuration(absl::Trunc(held_for, absl::Milliseconds(1)))));
    if (why == CertificateGate::Release::kFilesWritten) {
      logger("dp")->info("relay: {} stream {}: certificate files written; releasing {} after {}",
                         kind_, id_, shortType(type), after);
    } else {
      logger("dp")->warn("relay: {} stream {}: no certificate files after {}; releasing {} "
                         "anyway: the application's TLS connections may fail until the control "
                         "plane delivers certificates", kind_, id_, after, shortType(type));
    }
  }

  static std::string versionOf(const Res& res) {
    if constexpr (HeldResponses<Res>::kDelta) {
      return res.system_version_info();
    } else {
      return res.version_info();
    }
  }

  // REQUIRES: mu_ held. Takes the next response to write into down_res_ when
  // the downstream can take one now; the caller then starts the write.
  bool takeNextWrite() {
    if (down_writing_ || finish_called_ || down_broken_ || outbox_.empty()) return false;
    down_res_ = std::move(outbox_.front().response);
    resume_read_after_write_ = outbox_.front().resume_read;
    outbox_.pop_front();
    down_writing_ = true;
    return true;
  }

  void downWritten(bool ok) {
    std::optional<grpc::Status> finish;
    bool next = false;
    bool resume = false;
    {
      std::lock_guard lock(mu_);
      down_writing_ = false;
      finish.swap(pending_finish_);
      resume = resume_read_after_write_;
      if (!ok) down_broken_ = true;
      if (!finish) next = takeNextWrite();
    }
    if (finish) {
      down_.Finish(*finish);
      return;
    }
    if (!ok) {  // the application's stream broke
      up_context_.TryCancel();
      closeUp();
      return;
    }
    if (next) down_.StartWrite(&down_res_);
    if (resume) startUp([this] { up_.StartRead(&up_res_); });
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

  // A reactor is done; after the second, the call lets go of itself (it is
  // destroyed then, or when a gate waiter running now lets go of it).
  void release() {
    std::shared_ptr<RelayCall> self;
    std::vector<uint64_t> waiters;
    {
      std::lock_guard lock(mu_);
      if (--live_ > 0) return;
      self = std::move(self_);
      waiters = held_.waiters();
    }
    for (uint64_t w : waiters) shared_->certificates->cancel(w);
    auto shared = shared_;
    self.reset();
    std::lock_guard lock(shared->mu);
    --shared->open;
    shared->cv.notify_all();
  }

  std::shared_ptr<AdsRelay::Shared> shared_;
  const char* kind_;
  uint64_t id_ = 0;
  std::shared_ptr<RelayCall> self_;  // until both reactors are done
  Down down_{this};
  Up up_{this};
  grpc::ClientContext up_context_;
  Req down_req_;  // the request being relayed (one at a time)
  Res up_res_;    // the response being read (one at a time)
  Res down_res_;  // the response being written (one at a time)
  bool first_ = true;  // touched by downstream read reactions only (serialized)

  std::mutex mu_;
  // Guarded by mu_:
  int live_ = 2;  // reactors whose OnDone is still to come
  bool up_over_ = false;
  int up_starting_ = 0;
  bool hold_released_ = false;
  bool down_writing_ = false;
  bool down_broken_ = false;
  bool resume_read_after_write_ = false;  // of the write under way
  bool finish_called_ = false;
  std::optional<grpc::Status> pending_finish_;
  std::deque<Outgoing> outbox_;  // responses for the application, in order
  HeldResponses<Res> held_;      // responses waiting for the certificate files
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
    auto* call = RelayCall<DiscoveryRequest, DiscoveryResponse>::create(shared_, "sotw");
    auto* reactor = call->downstream();
    call->begin(openSotw);
    return reactor;
  }

  grpc::ServerBidiReactor<DeltaDiscoveryRequest, DeltaDiscoveryResponse>* DeltaAggregatedResources(
      grpc::CallbackServerContext*) override {
    auto* call = RelayCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse>::create(shared_, "delta");
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
  relay->shared_->certificates = std::move(options.certificates);
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
