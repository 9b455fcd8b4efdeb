#pragma once

// The certificate gate: whether the certificate files ursa-dp writes for a
// proxyless application (cert_files.h) hold the identity the control plane
// issues now, and a way to wait until they do.
//
// The certificate writer (cert_writer.h) opens the gate when it has written
// the files, or found them already holding the certificates just served, and
// closes it when the mesh has no mTLS (the files stay on disk but vouch for
// nothing current: the next mTLS period may come with another CA or another
// identity). The gate starts closed.
//
// The application's certificate providers read the files again only every
// refresh interval (the bootstrap's file_watcher refresh_interval), and a
// provider still in use, or used again soon after (grpc-js: within two
// intervals), keeps serving what it read last. So when files the
// application may have loaded (the gate was open before) are replaced while
// the gate is closed, the gate opens two refresh intervals later (one for
// the provider's next read, one of margin for a refresh timer running late
// on a busy event loop): by then every provider holds the new files, and no
// peer meets the new configuration with the previous period's CA or
// identity. A first write, or files found unchanged, open it at once.

// The ADS relay (ads_relay.h) asks it before handing the application a
// response that names the certificate files: while the gate is closed it
// holds such a response and registers a waiter, which the gate calls once
// (with the waiter's id), on the gate's own thread:
//   - with kFilesWritten as soon as the gate opens (no polling), or
//   - with kTimedOut once `max_hold` has passed since it was registered, so
//     that a control plane that never sends usable certificates cannot keep
//     an application's configuration back forever.
// Waiters run outside the gate's lock (they may call back into it). A
// waiter already being called when cancel(id) is made still completes, so
// waiters check that what they release is still theirs.
//
// Thread-safety: every method may be called from any thread; the destructor
// not from a waiter.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/time/time.h"

namespace ursa::dp {

class CertificateGate {
 public:
  enum class Release { kFilesWritten, kTimedOut };
  using Waiter = std::function<void(uint64_t id, Release why)>;

  explicit CertificateGate(absl::Duration max_hold);
  ~CertificateGate();  // drops waiters still registered, without calling them
  CertificateGate(const CertificateGate&) = delete;
  CertificateGate& operator=(const CertificateGate&) = delete;

  // The certificate writer's side.
  // Opens the gate (at once, or two provider refreshes later when the files
  // were `replaced` after the gate had been open: see above); every waiter
  // then gets kFilesWritten.
  void filesWritten(bool replaced = false);
  void filesOutdated();  // closes it (and cancels an opening still to come)

  // The application's provider refresh interval (zero until set: no delay).
  void setProviderRefresh(absl::Duration refresh);

  bool isOpen() const;
  absl::Duration maxHold() const { return max_hold_; }

  // Atomically: nullopt when the gate is open (nothing to wait for), else
  // registers `waiter` and returns its id for cancel().
  std::optional<uint64_t> waitUnlessOpen(Waiter waiter);
  // Unregisters a waiter that has not been called yet; other ids are ignored.
  void cancel(uint64_t id);

 private:
  struct Pending {
    Waiter waiter;
    absl::Time deadline;
  };
  void run();

  const absl::Duration max_hold_;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  absl::Duration provider_refresh_;
  bool open_ = false;
  bool was_open_ = false;                            // ever
  absl::Time opens_at_ = absl::InfiniteFuture();     // a delayed opening
  bool stopping_ = false;
  uint64_t next_id_ = 0;
  std::map<uint64_t, Pending> pending_;
};

}  // namespace ursa::dp
