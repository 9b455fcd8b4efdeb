#include "src/xds/server/delta_stream.h"

#include "src/xds/server/wire.h"

#include <cstdlib>

namespace ursa::xds {
namespace {

// Versions we send are 16 hex digits of the resource hash; anything else (a
// version from another control plane) reads as "unknown", so it is replaced.
uint64_t parseVersion(const std::string& v) {
  if (v.size() != 16) return 0;
  char* end = nullptr;
  uint64_t h = std::strtoull(v.c_str(), &end, 16);
  return end && *end == '\0' ? h : 0;
}

}  // namespace

absl::Status DeltaStream::handle(const Request& req, TypeIndex type) {
  TypeState& t = types_[static_cast<size_t>(type)];
  const std::string& nonce = req.response_nonce();
  RequestKind kind = RequestKind::Initial;
  std::optional<absl::Duration> since_change;
  if (!nonce.empty()) {
    if (nonce != t.last_nonce) return absl::OkStatus();  // stale: ignore
    t.awaiting_ack = false;
    if (t.sent_change_time != absl::InfinitePast()) since_change = absl::Now() - t.sent_change_time;
    if (req.has_error_detail()) {
      kind = RequestKind::Nack;
      for (const auto& [name, hash] : t.pending) t.rejected.insert(hash);
      logger("xds")->warn("{} NACKed {} (delta): {}", info().node_id, shortName(type),
                          req.error_detail().message());
    } else {
      kind = RequestKind::Ack;
      for (const auto& [name, hash] : t.pending) t.has[name] = hash;
      for (const auto& name : t.pending_removals) t.has.erase(name);
    }
    t.pending.clear();
    t.pending_removals.clear();
  }
  updateSubscription(req, type, t);
  callbacks().onRequest(info(), type, kind, "",
                        req.has_error_detail() ? req.error_detail().message() : "", since_change);
  return absl::OkStatus();
}

void DeltaStream::updateSubscription(const Request& req, TypeIndex type, TypeState& t) {
  if (!t.subscribed) {
    t.subscribed = true;
    // The first request decides the wildcard (legacy: LDS/CDS naming nothing).
    t.wildcard = req.resource_names_subscribe().empty() && isWildcardByDefault(type);
    for (const auto& [name, version] : req.initial_resource_versions()) {
      t.has[name] = parseVersion(version);
    }
  }
  for (const auto& name : req.resource_names_subscribe()) {
    if (name == "*") {
      t.wildcard = true;
    } else {
      t.names.insert(name);
    }
  }
  for (const auto& name : req.resource_names_unsubscribe()) {
    if (name == "*") {
      t.wildcard = false;
    } else {
      t.names.erase(name);
      t.has.erase(name);  // the proxy forgets it; nothing to remove
    }
  }
}

bool DeltaStream::wants(const TypeState& t, std::string_view name) const {
  return t.wildcard || t.names.contains(name);
}

void DeltaStream::due() {
  if (!snapshot()) return;
  for (TypeIndex type : kPushOrder) {
    TypeState& t = types_[static_cast<size_t>(type)];
    if (!t.subscribed || t.awaiting_ack) continue;
    if (auto r = buildResponse(type, t)) enqueue(std::move(*r));
  }
}

std::optional<grpc::ByteBuffer> DeltaStream::buildResponse(TypeIndex type, TypeState& t) {
  std::vector<ResourcePtr> changed;
  std::vector<std::string> removed;
  size_t bytes = 0;
  for (const auto& r : snapshot()->resources(type)) {
    if (!wants(t, r->name) || t.rejected.contains(r->hash)) continue;
    auto has = t.has.find(r->name);
    if (has != t.has.end() && has->second == r->hash) continue;
    changed.push_back(r);
    t.pending[r->name] = r->hash;
    bytes += r->bytes.size();
  }
  for (const auto& [name, _] : t.has) {
    if (wants(t, name) && !snapshot()->find(type, name)) {
      removed.push_back(name);
      t.pending_removals.insert(name);
    }
  }
  if (changed.empty() && removed.empty()) return std::nullopt;
  std::string system_version = std::to_string(++system_version_);
  t.last_nonce = nextNonce();
  t.awaiting_ack = true;
  t.sent_change_time = snapshot()->changeTime();
  callbacks().onResponse(info(), type, system_version, changed.size(), bytes);
  return wire::deltaResponse(system_version, changed, typeUrl(type), removed, t.last_nonce);
}

}  // namespace ursa::xds
