// Names, client capabilities and reachable services: shared by both profiles.

#include <algorithm>
#include <cstdlib>

#include "src/xds/generator/generator.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen {

namespace names {

namespace {
// Host and port joined as Go's net.JoinHostPort does (IPv6 in brackets).
std::string joinHostPort(const std::string& host, uint32_t port) {
  if (host.find(':') != std::string::npos && host.front() != '[') {
    return strCat("[", host, "]:", port);
  }
  return strCat(host, ":", port);
}
}  // namespace

std::string inboundListener(const std::string& address, uint32_t port) {
  return strCat("inbound:", joinHostPort(address, port));
}
std::string localCluster(uint32_t port) { return strCat("localhost:", port); }
std::string inboundRoute(const std::string& service) { return strCat("inbound:", service); }
std::string outboundListener(const std::string& address, uint32_t port) {
  return strCat("outbound:", joinHostPort(address, port));
}
std::string outboundRoute(const std::string& service) { return strCat("outbound:", service); }
std::string identitySecret(const std::string& mesh) { return strCat("identity_cert:secret:", mesh); }
std::string meshCaSecret(const std::string& mesh) { return strCat("mesh_ca:secret:", mesh); }
std::string grpcServerListener(const std::string& host_port) {
  return strCat("grpc/server?xds.resource.listening_address=", host_port);
}
std::string spiffeId(const std::string& mesh, const std::string& service) {
  return strCat("spiffe://", mesh, "/", service);
}

}  // namespace names

namespace {

// "1.51.1" -> {1, 51}; "C-core 29.0.0" (what C-core sends) -> {29, 0}: the
// first number onwards. Unknown parts are 0.
std::pair<int, int> majorMinor(const std::string& version) {
  size_t digit = version.find_first_of("0123456789");
  if (digit == std::string::npos) return {0, 0};
  char* end = nullptr;
  int major = static_cast<int>(std::strtol(version.c_str() + digit, &end, 10));
  int minor = (end && *end == '.') ? static_cast<int>(std::strtol(end + 1, nullptr, 10)) : 0;
  return {major, minor};
}

}  // namespace

ClientCapabilities capabilitiesOf(const std::string& user_agent_name,
                                  const std::string& user_agent_version,
                                  const std::string& proxy_metadata) {
  ClientCapabilities caps;
  caps.user_agent = user_agent_name;
  caps.version = user_agent_version;
  bool grpc_agent = user_agent_name.rfind("gRPC", 0) == 0 || user_agent_name.rfind("grpc", 0) == 0;
  if (proxy_metadata == "grpc" || (proxy_metadata.empty() && grpc_agent)) {
    caps.profile = Profile::Grpc;
  }
  if (caps.profile != Profile::Grpc) return caps;
  caps.delta = false;  // no gRPC xDS client of these versions opens delta streams
  bool cpp = user_agent_name.find("C-core") != std::string::npos ||
             user_agent_name.find("C++") != std::string::npos;
  if (cpp) {
    // The C-core version in the user agent: 1.51 is "29.0.0" (core) but the
    // wrapper reports its own; treat anything below 1.52 (or core < 30) as 1.51.
    auto [major, minor] = majorMinor(user_agent_version);
    bool old = (major == 1 && minor < 52) || (major >= 2 && major < 30) || major == 0;
    caps.ring_hash = !old;
    caps.exact_timeouts = !old;
  }
  return caps;
}

bool isAgentClient(const std::string& user_agent_name) {
  return user_agent_name.rfind("ursa-dp", 0) == 0;
}

std::string describe(const ClientCapabilities& caps) {
  auto yes = [](bool b) { return b ? "yes" : "no"; };
  return strCat("profile ", caps.profile == Profile::Grpc ? "grpc" : "envoy", ", ring_hash ",
                yes(caps.ring_hash), ", exact timeouts ", yes(caps.exact_timeouts), ", delta ",
                yes(caps.delta));
}

std::vector<std::string> reachableServices(const ProxyContext& ctx) {
  const auto& dp = static_cast<const ursa::mesh::v1alpha1::Dataplane&>(*ctx.dataplane->spec);
  const auto& net = dp.networking();
  std::set<std::string> own = ctx.mesh->servicesOf(ctx.dataplane->meta.name);
  std::set<std::string> out;
  for (const auto& o : net.outbound()) {
    auto svc = o.tags().find("kuma.io/service");
    std::string name = svc != o.tags().end() ? svc->second : o.service();
    if (!name.empty()) out.insert(name);
  }
  bool everything = net.has_transparent_proxying() || (ctx.client.profile == Profile::Grpc &&
                                                      net.outbound_size() == 0);
  if (!everything) return {out.begin(), out.end()};
  const auto& reachable = net.transparent_proxying().reachable_services();
  if (!reachable.empty()) {
    // Only the listed services that exist: O(listed · log services).
    for (const auto& svc : reachable) {
      if (!own.contains(svc) && ctx.mesh->service(svc)) out.insert(svc);
    }
  } else {
    ctx.mesh->forEachService([&](const std::string& svc, const auto&) {
      if (!own.contains(svc)) out.insert(svc);
    });
  }
  return {out.begin(), out.end()};
}

}  // namespace ursa::xds::gen
