#pragma once

// What the ADS relay holds back from a proxyless application until its
// certificate files are written (certificate_gate.h), and how.
//
// A response depends on the certificate files when one of its Clusters or
// Listeners has a TLS transport socket (UpstreamTlsContext on a cluster,
// DownstreamTlsContext on a listener's filter chains) whose identity or
// trusted CA comes from a certificate provider instance: gRPC's xDS clients
// load those from the file_watcher provider of their bootstrap, the files
// ursa-dp writes. Any other response never waits.
//
// HeldResponses keeps, per type URL, the responses one relayed stream holds,
// and the id of the gate waiter that will release them:
//  - state of the world (DiscoveryResponse): each response is the whole state
//    of its type, so a later response replaces the held one (latest wins: the
//    application only ever sees, and ACKs or NACKs, the newest nonce);
//  - delta (DeltaDiscoveryResponse): each response is a change, so later
//    responses of a held type queue behind it, in order, whatever they hold.
// Not thread-safe: the relay guards it with its stream's lock.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/time/time.h"
#include "envoy/service/discovery/v3/discovery.pb.h"
#include "google/protobuf/any.pb.h"

namespace ursa::dp {

bool namesCertificateFiles(const google::protobuf::Any& resource);
bool namesCertificateFiles(const envoy::service::discovery::v3::DiscoveryResponse& response);
bool namesCertificateFiles(const envoy::service::discovery::v3::DeltaDiscoveryResponse& response);

template <typename Res>
class HeldResponses {
 public:
  static constexpr bool kDelta =
      std::is_same_v<Res, envoy::service::discovery::v3::DeltaDiscoveryResponse>;

  struct Released {
    std::deque<Res> responses;  // in the order the control plane sent them
    absl::Duration held_for;    // since the first of them was held
  };

  bool holds(const std::string& type_url) const { return held_.contains(type_url); }

  // Starts holding `response` (of a type not held yet) until `waiter` fires.
  void hold(Res response, uint64_t waiter, absl::Time now) {
    std::string type = response.type_url();
    Entry& e = held_[type];
    e.responses.push_back(std::move(response));
    e.waiter = waiter;
    e.since = now;
  }

  // A later response of a held type: SotW replaces, delta queues.
  void add(Res response) {
    Entry& e = held_.at(response.type_url());
    if constexpr (!kDelta) e.responses.clear();
    e.responses.push_back(std::move(response));
  }

  // Stops holding `type_url` without releasing it (SotW: a later response
  // that needs no certificate files supersedes it). Returns the waiter.
  std::optional<uint64_t> drop(const std::string& type_url) {
    auto it = held_.find(type_url);
    if (it == held_.end()) return std::nullopt;
    uint64_t waiter = it->second.waiter;
    held_.erase(it);
    return waiter;
  }

  // The responses `waiter` was registered for, if it is still the one
  // holding `type_url`.
  std::optional<Released> release(const std::string& type_url, uint64_t waiter, absl::Time now) {
    auto it = held_.find(type_url);
    if (it == held_.end() || it->second.waiter != waiter) return std::nullopt;
    Released out{std::move(it->second.responses), now - it->second.since};
    held_.erase(it);
    return out;
  }

  // Every registered waiter (to cancel them when the stream ends).
  std::vector<uint64_t> waiters() const {
    std::vector<uint64_t> out;
    for (const auto& [_, e] : held_) out.push_back(e.waiter);
    return out;
  }

 private:
  struct Entry {
    std::deque<Res> responses;
    uint64_t waiter = 0;
    absl::Time since;
  };
  std::map<std::string, Entry> held_;
};

}  // namespace ursa::dp
