#pragma once

// The simulated mesh, shaped like Kong's mesh-perf harness: S services with
// two instances each (N proxies -> S = ceil(N/2); with N odd the last
// service has one), and a random dependency DAG where service i depends on
// service j > i with probability edge_percent/100 * 1/(j - i), which gives
// about three outbound services per service at S ~ 1000.
//
// Every Dataplane has one inbound (port 8080, kuma.io/service and
// kuma.io/protocol http or grpc), one explicit outbound per dependency
// (127.0.0.1:10001...), and transparent proxying whose reachableServices are
// its dependencies. A service without dependencies lists only itself as
// reachable: an empty list would mean "every service", and the control
// plane leaves a proxy's own service out, so it gets no outbound clusters.
//
// Pure and deterministic: the same options always give the same topology.

#include <cstdint>
#include <string>
#include <vector>

#include "ursa/model/codec.h"

namespace ursa::loadsim {

struct TopologyOptions {
  size_t proxies = 0;
  uint64_t seed = 1;
  double edge_percent = 50;  // mesh-perf's percentEdge
  std::string mesh = "default";
};

struct Service {
  std::string name;                 // "svc-<i>"
  std::string protocol;             // "http" or "grpc"
  std::vector<size_t> dependencies;  // services it calls (indexes, ascending)
  std::vector<size_t> consumers;     // services that call it (indexes, ascending)
  std::vector<size_t> instances;     // its proxies (indexes)
};

struct Proxy {
  std::string name;  // "<service>-<instance>"
  size_t service = 0;
  std::string address;  // 10.x.y.z, unique per proxy
  uint32_t port = 8080;  // the inbound port
};

class Topology {
 public:
  static Topology generate(const TopologyOptions& options);

  const std::string& mesh() const { return mesh_; }
  const std::vector<Service>& services() const { return services_; }
  const std::vector<Proxy>& proxies() const { return proxies_; }

  // "<mesh>.<proxy name>": the Envoy node id of proxy `i`.
  std::string nodeId(size_t i) const;
  // The Dataplane of proxy `i` as the REST API takes it, with its inbound on
  // `port` (the topology's port when 0).
  model::Json dataplane(size_t i, uint32_t port = 0) const;
  // Proxies whose configuration includes `service`'s endpoints: every
  // instance of every consumer, ascending.
  std::vector<size_t> proxiesReaching(size_t service) const;
  // The service with the most consumers (the lowest index on ties).
  size_t mostConsumedService() const;
  // Mean number of dependencies per service.
  double meanDependencies() const;

 private:
  std::string mesh_;
  std::vector<Service> services_;
  std::vector<Proxy> proxies_;
};

}  // namespace ursa::loadsim
