#include "src/xds/server/sotw_stream.h"

#include "src/xds/server/wire.h"
#include "xxhash.h"

namespace ursa::xds {
namespace {

std::string versionOf(const std::vector<ResourcePtr>& resources) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  for (const auto& r : resources) {
    XXH3_64bits_update(state, r->name.data(), r->name.size());
    XXH3_64bits_update(state, &r->hash, sizeof r->hash);
  }
  uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

absl::Status SotwStream::handle(const Request& req, TypeIndex type) {
  TypeState& t = types_[static_cast<size_t>(type)];
  const std::string& nonce = req.response_nonce();
  if (!nonce.empty() && nonce != t.last_nonce) return absl::OkStatus();  // stale: ignore
  RequestKind kind = RequestKind::Initial;
  std::optional<absl::Duration> since_change;
  if (!nonce.empty()) {
    t.awaiting_ack = false;
    if (t.sent_change_time != absl::InfinitePast()) since_change = absl::Now() - t.sent_change_time;
    if (req.has_error_detail()) {
      kind = RequestKind::Nack;
      // Every resource the rejected response changed is suspect.
      for (const auto& [name, r] : *t.sent) {
        auto acked = t.acked->find(name);
        if (acked == t.acked->end() || acked->second != r) t.rejected.insert(r->hash);
      }
      // The proxy still runs what it last ACKed: that is what it has now.
      t.sent = t.acked;
      std::vector<ResourcePtr> kept;
      for (const auto& [_, r] : *t.acked) kept.push_back(r);
      t.last_version = versionOf(kept);
      logger("xds")->warn("{} NACKed {} version {}: {}", info().node_id, shortName(type),
                          req.version_info(), req.error_detail().message());
    } else {
      kind = RequestKind::Ack;
      t.acked = t.sent;
    }
  }
  std::set<std::string, std::less<>> names(req.resource_names().begin(),
                                           req.resource_names().end());
  bool wildcard = names.contains("*") || (names.empty() && isWildcardByDefault(type));
  if (!t.subscribed || names != t.names || wildcard != t.wildcard) t.force = true;
  t.subscribed = true;
  t.names = std::move(names);
  t.wildcard = wildcard;
  callbacks().onRequest(info(), type, kind, req.version_info(),
                        req.has_error_detail() ? req.error_detail().message() : "", since_change);
  return absl::OkStatus();
}

void SotwStream::due() {
  if (!snapshot()) return;
  for (TypeIndex type : kPushOrder) {
    TypeState& t = types_[static_cast<size_t>(type)];
    if (!t.subscribed || t.awaiting_ack) continue;
    if (auto r = buildResponse(type, t)) enqueue(std::move(*r));
  }
}

std::optional<grpc::ByteBuffer> SotwStream::buildResponse(TypeIndex type, TypeState& t) {
  std::vector<ResourcePtr> selected;
  auto pick = [&](const ResourcePtr& r) {
    if (!t.rejected.contains(r->hash)) {
      selected.push_back(r);
    } else if (auto acked = t.acked->find(r->name); acked != t.acked->end()) {
      selected.push_back(acked->second);  // keep serving what the proxy accepted
    }
  };
  if (t.wildcard) {
    for (const auto& r : snapshot()->resources(type)) pick(r);
  } else {
    for (const auto& name : t.names) {
      if (auto r = snapshot()->find(type, name)) pick(r);
    }
  }
  std::string version = versionOf(selected);
  if (version == t.last_version && !t.force) return std::nullopt;
  std::string nonce = nextNonce();
  size_t bytes = 0;
  auto sent = std::make_shared<ResourcesByName>();
  for (const auto& r : selected) {
    bytes += r->bytes.size();
    sent->insert_or_assign(r->name, r);
  }
  grpc::ByteBuffer res = wire::sotwResponse(version, selected, typeUrl(type), nonce);
  t.sent = std::move(sent);
  t.last_version = version;
  t.last_nonce = std::move(nonce);
  t.awaiting_ack = true;
  t.force = false;
  t.sent_change_time = snapshot()->changeTime();
  callbacks().onResponse(info(), type, version, selected.size(), bytes);
  return res;
}

}  // namespace ursa::xds
