#include "src/loadsim/topology.h"

#include <algorithm>
#include <random>

#include "ursa/common/strings.h"

namespace ursa::loadsim {
namespace {

constexpr uint32_t kFirstOutboundPort = 10001;

// A unique address in 10.0.0.0/8 for proxy `i` (never .0).
std::string addressOf(size_t i) {
  size_t n = i + 1;
  return strCat("10.", (n >> 16) & 0xff, ".", (n >> 8) & 0xff, ".", n & 0xff);
}

// Adds the edges of the random DAG: i -> j (i < j) with probability p/(j-i).
void addDependencies(std::vector<Service>& services, double edge_percent, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  double p = edge_percent / 100.0;
  for (size_t i = 0; i < services.size(); ++i) {
    for (size_t j = i + 1; j < services.size(); ++j) {
      if (uniform(rng) < p / static_cast<double>(j - i)) {
        services[i].dependencies.push_back(j);
        services[j].consumers.push_back(i);
      }
    }
  }
}

}  // namespace

Topology Topology::generate(const TopologyOptions& options) {
  Topology t;
  t.mesh_ = options.mesh;
  std::mt19937_64 rng(options.seed);
  size_t service_count = (options.proxies + 1) / 2;
  t.services_.resize(service_count);
  std::uniform_int_distribution<int> protocol(0, 2);
  for (size_t s = 0; s < service_count; ++s) {
    t.services_[s].name = strCat("svc-", s);
    t.services_[s].protocol = protocol(rng) == 0 ? "grpc" : "http";
  }
  addDependencies(t.services_, options.edge_percent, rng);
  for (size_t i = 0; i < options.proxies; ++i) {
    Proxy p;
    p.service = i / 2;
    p.name = strCat(t.services_[p.service].name, "-", i % 2);
    p.address = addressOf(i);
    t.services_[p.service].instances.push_back(i);
    t.proxies_.push_back(std::move(p));
  }
  return t;
}

std::string Topology::nodeId(size_t i) const { return strCat(mesh_, ".", proxies_[i].name); }

model::Json Topology::dataplane(size_t i, uint32_t port) const {
  const Proxy& p = proxies_[i];
  const Service& s = services_[p.service];
  model::Json outbound = model::Json::array();
  model::Json reachable = model::Json::array();
  uint32_t next_port = kFirstOutboundPort;
  for (size_t d : s.dependencies) {
    outbound.push_back({{"port", next_port++}, {"tags", {{"kuma.io/service", services_[d].name}}}});
    reachable.push_back(services_[d].name);
  }
  if (reachable.empty()) reachable.push_back(s.name);  // see the header: not "everything"
  model::Json networking = {
      {"address", p.address},
      {"inbound",
       model::Json::array({{{"port", port == 0 ? p.port : port},
                            {"tags", {{"kuma.io/service", s.name},
                                      {"kuma.io/protocol", s.protocol}}}}})},
      {"transparentProxying",
       {{"redirectPortInbound", 15006},
        {"redirectPortOutbound", 15001},
        {"reachableServices", reachable}}},
  };
  if (!outbound.empty()) networking["outbound"] = outbound;
  return {{"type", "Dataplane"}, {"mesh", mesh_}, {"name", p.name}, {"networking", networking}};
}

std::vector<size_t> Topology::proxiesReaching(size_t service) const {
  std::vector<size_t> out;
  for (size_t c : services_[service].consumers) {
    const auto& inst = services_[c].instances;
    out.insert(out.end(), inst.begin(), inst.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t Topology::mostConsumedService() const {
  size_t best = 0;
  for (size_t s = 1; s < services_.size(); ++s) {
    if (services_[s].consumers.size() > services_[best].consumers.size()) best = s;
  }
  return best;
}

double Topology::meanDependencies() const {
  if (services_.empty()) return 0;
  size_t edges = 0;
  for (const auto& s : services_) edges += s.dependencies.size();
  return static_cast<double>(edges) / static_cast<double>(services_.size());
}

}  // namespace ursa::loadsim
