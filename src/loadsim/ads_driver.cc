#include "src/loadsim/ads_driver.h"

#include "ursa/common/strings.h"

namespace ursa::loadsim {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<grpc::Channel> makeChannel(const DriverOptions& o, int index) {
  grpc::ChannelArguments args;
  // A subchannel (TCP connection) of its own, not shared with the other channels.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("ursa.loadsim.channel", index);
  args.SetMaxReceiveMessageSize(-1);
  if (!o.tls_server_name.empty()) args.SetSslTargetNameOverride(o.tls_server_name);
  return grpc::CreateCustomChannel(o.target, o.credentials, args);
}

}  // namespace

AdsDriver::AdsDriver(DriverOptions options, std::vector<ProxyIdentity> proxies)
    : options_(std::move(options)), proxies_(std::move(proxies)), slots_(proxies_.size()) {
  for (int c = 0; c < std::max(1, options_.channels); ++c) {
    stubs_.push_back(AggregatedDiscoveryService::NewStub(makeChannel(options_, c)));
  }
  retry_thread_ = std::thread([this] { retryLoop(); });
}

AdsDriver::~AdsDriver() {
  disconnectAll();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  retry_thread_.join();
}

// REQUIRES: mu_ not held; slot i has no running stream.
void AdsDriver::open(size_t i) {
  auto stream = makeAdsStream(i, proxies_[i], options_.stream, *this);
  AdsStream* raw = stream.get();
  {
    std::lock_guard lock(mu_);
    if (!epoch_running_) return;  // disconnectAll() came first
    slots_[i].stream = std::move(stream);
    slots_[i].running = true;
    ++running_;
  }
  raw->start(*stubs_[i % stubs_.size()]);
}

void AdsDriver::connectAll(SteadyTime epoch_start,
                           const std::function<void(const ConnectProgress&)>& progress) {
  {
    std::lock_guard lock(mu_);
    epoch_running_ = true;
    epoch_start_ = epoch_start;
    opened_ = 0;
    for (auto& s : slots_) s.completed_after = -1;
  }
  complete_count_ = 0;
  auto began = std::chrono::steady_clock::now();
  auto last_report = began;
  for (size_t i = 0; i < proxies_.size(); ++i) {
    if (options_.connect_rate > 0) {
      auto due = began + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(i) /
                                                           options_.connect_rate));
      std::this_thread::sleep_until(due);
    }
    open(i);
    {
      std::lock_guard lock(mu_);
      ++opened_;
    }
    auto now = std::chrono::steady_clock::now();
    if (progress && now - last_report >= 1s) {
      progress(this->progress());
      last_report = now;
    }
  }
}

bool AdsDriver::waitComplete(SteadyTime deadline,
                             const std::function<void(const ConnectProgress&)>& progress) {
  while (complete_count_.load() < proxies_.size()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, std::min(deadline, now + 1s),
                   [&] { return complete_count_.load() >= proxies_.size(); });
    lock.unlock();
    if (progress && complete_count_.load() < proxies_.size()) progress(this->progress());
  }
  return true;
}

void AdsDriver::disconnectAll() {
  std::vector<AdsStream*> running;
  {
    std::lock_guard lock(mu_);
    epoch_running_ = false;
    for (auto& s : slots_) {
      s.retry_pending = false;
      if (s.running) running.push_back(s.stream.get());
    }
  }
  for (AdsStream* s : running) s->cancel();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return running_ == 0; });
  for (auto& s : slots_) s.stream.reset();
}

std::vector<double> AdsDriver::completionSeconds() const {
  std::lock_guard lock(mu_);
  std::vector<double> out;
  for (const auto& s : slots_) {
    if (s.completed_after >= 0) out.push_back(s.completed_after);
  }
  return out;
}

ConnectProgress AdsDriver::progress() const {
  std::lock_guard lock(mu_);
  return {opened_, complete_count_.load(), proxies_.size(), stream_errors_};
}

DriverTotals AdsDriver::totals() const {
  DriverTotals t;
  t.responses = responses_.load();
  t.nacks = nacks_.load();
  t.bytes = bytes_.load();
  std::lock_guard lock(mu_);
  t.stream_errors = stream_errors_;
  t.errors_by_message = errors_by_message_;
  return t;
}

void AdsDriver::setProbe(std::shared_ptr<Probe> probe) {
  std::lock_guard lock(probe_mu_);
  probe_ = std::move(probe);
}

std::shared_ptr<Probe> AdsDriver::probe() {
  std::lock_guard lock(probe_mu_);
  return probe_;
}

void AdsDriver::onComplete(size_t proxy) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (!epoch_running_ || slots_[proxy].completed_after >= 0) return;
  slots_[proxy].completed_after = std::chrono::duration<double>(now - epoch_start_).count();
  if (++complete_count_ == proxies_.size()) cv_.notify_all();
}

void AdsDriver::onResponse(size_t proxy, size_t bytes, bool nack) {
  responses_.fetch_add(1, std::memory_order_relaxed);
  bytes_.fetch_add(bytes, std::memory_order_relaxed);
  if (nack) nacks_.fetch_add(1, std::memory_order_relaxed);
}

void AdsDriver::onStreamDone(size_t proxy, const grpc::Status& status) {
  std::lock_guard lock(mu_);
  Slot& slot = slots_[proxy];
  slot.running = false;
  if (epoch_running_) {
    ++stream_errors_;
    ++errors_by_message_[strCat(static_cast<int>(status.error_code()), ": ",
                                status.error_message())];
    if (options_.retry) {
      slot.retry_pending = true;
      slot.retry_at = std::chrono::steady_clock::now() + 1s;
    }
  }
  --running_;
  cv_.notify_all();
}

// Reopens streams the server ended, a second after they ended.
void AdsDriver::retryLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, 200ms);
    auto now = std::chrono::steady_clock::now();
    std::vector<size_t> due;
    for (size_t i = 0; i < slots_.size(); ++i) {
      Slot& s = slots_[i];
      if (s.retry_pending && !s.running && s.retry_at <= now && epoch_running_) {
        s.retry_pending = false;
        due.push_back(i);
      }
    }
    lock.unlock();
    for (size_t i : due) open(i);
    lock.lock();
  }
}

}  // namespace ursa::loadsim
