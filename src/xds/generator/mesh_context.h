#pragma once

// MeshContext: everything about one mesh that the configuration of its
// proxies depends on, computed once per change and shared (immutable) by the
// generation of every proxy in the mesh.
//
// Endpoints are grouped by service (kuma.io/service) in ServiceEndpoints
// objects held by shared_ptr, in copy-on-write maps (cow_map.h). update()
// rebuilds only the services whose endpoints a change touches and shares
// every other one, and the maps' untouched shards, with the previous context:
// an endpoint change costs in proportion to the endpoints of the services it
// touches, never the whole mesh.

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "src/xds/generator/cow_map.h"
#include "src/xds/generator/policies.h"
#include "ursa/ca/certificate_authority.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"
#include "ursa/model/resource.h"
#include "ursa/store/resource_snapshot.h"

namespace ursa::xds::gen {

// One instance of a service: a dataplane inbound carrying its kuma.io/service.
struct Endpoint {
  std::string dataplane;  // Dataplane name
  std::string address;    // where other proxies reach it (advertisedAddress, else address)
  uint32_t port = 0;      // the inbound port (the proxy's listener)
  std::map<std::string, std::string> tags;
  bool ready = true;      // inbound health; not-ready endpoints are excluded from EDS
  bool operator==(const Endpoint&) const = default;
};

struct ServiceEndpoints {
  std::string service;
  std::vector<Endpoint> endpoints;  // ready or not, sorted by (dataplane, port)
  // kuma.io/protocol when every endpoint agrees; "tcp" otherwise (Kuma's InferProtocol).
  std::string protocol = "tcp";
  size_t readyCount() const;
};
using ServiceEndpointsConstSharedPtr = std::shared_ptr<const ServiceEndpoints>;

class MeshContext;
using MeshContextConstSharedPtr = std::shared_ptr<const MeshContext>;

class MeshContext {
 public:
  // Builds the context of mesh `name` from scratch. `ca` is the mesh's CA
  // (nullptr when mTLS is off).
  static MeshContextConstSharedPtr build(const store::ResourceSnapshot& snapshot,
                                         const std::string& name, ca::MeshCaConstSharedPtr ca);
  // What update() changed.
  struct Changes {
    // Services whose endpoints differ from the previous context's (added,
    // removed or changed).
    std::set<std::string> services;
    // Whether a service appeared or vanished (what "every service" means for
    // transparent proxies changed).
    bool service_set_changed = false;
  };
  // The context after `changed_dataplanes` (names, in this mesh) changed
  // between `previous` and `snapshot`: only their services are rebuilt, and
  // a service whose endpoints come out equal keeps its previous object. The
  // mesh resource and the CA are taken anew. Fills `changes` when given.
  static MeshContextConstSharedPtr update(const MeshContextConstSharedPtr& previous,
                                          const store::ResourceSnapshot& snapshot,
                                          const std::set<std::string>& changed_dataplanes,
                                          ca::MeshCaConstSharedPtr ca, Changes* changes = nullptr);

  const std::string& name() const { return name_; }
  // The Mesh resource (never null: a context exists only for an existing mesh).
  const model::ResourcePtr& meshResource() const { return mesh_; }
  const ursa::mesh::v1alpha1::Mesh& mesh() const;
  bool mtlsEnabled() const { return ca_ != nullptr; }
  bool permissive() const;  // PERMISSIVE mode of the enabled backend
  const ca::MeshCaConstSharedPtr& ca() const { return ca_; }

  // Endpoints of `service`, or nullptr when no dataplane serves it.
  ServiceEndpointsConstSharedPtr service(const std::string& service) const;
  size_t serviceCount() const { return services_.size(); }
  // Calls fn(name, endpoints) for every service, in no particular order.
  template <typename Fn>
  void forEachService(Fn&& fn) const {
    services_.forEach(fn);
  }
  // The services a dataplane serves (its inbounds' kuma.io/service values).
  std::set<std::string> servicesOf(const std::string& dataplane) const;

  // The mesh's targetRef policies by type name ("MeshTimeout"), each list in
  // store order; types without policies are absent.
  using PolicyMap = std::map<std::string, std::vector<model::ResourcePtr>, std::less<>>;
  const PolicyMap& policies() const { return *policies_; }
  // The policies that apply to `dataplane` (any Dataplane of this mesh, not
  // only connected ones). Matched once per distinct inbound tag set and
  // shared (thread-safe); a context built anew (any policy change) starts
  // with an empty cache, update() keeps it (policies unchanged).
  ProxyPolicies policiesFor(const model::Resource& dataplane) const;
  // The policies of an endpoint's inbound alone, as if its dataplane had only
  // that inbound, listening on ("", e.port): what a proxyless client needs
  // to know of its destination's from-rules (fault injection).
  ProxyPolicies policiesForEndpoint(const Endpoint& e) const;

 private:
  struct PolicyCache {
    std::mutex mu;
    std::map<std::string, std::shared_ptr<const MatchedSet>> by_key;
  };
  std::string name_;
  model::ResourcePtr mesh_;
  ca::MeshCaConstSharedPtr ca_;
  CowMap<ServiceEndpointsConstSharedPtr> services_;
  // The services each dataplane serves (the other direction is in
  // services_: every endpoint names its dataplane).
  CowMap<std::set<std::string>> dataplane_services_;
  std::shared_ptr<const PolicyMap> policies_ = std::make_shared<const PolicyMap>();
  std::shared_ptr<PolicyCache> policy_cache_ = std::make_shared<PolicyCache>();
};

// The endpoints of `all` whose tags include every one of `tags` (a route's
// MeshServiceSubset backend); the same service name and protocol. Null in,
// null out.
ServiceEndpointsConstSharedPtr endpointSubset(const ServiceEndpointsConstSharedPtr& all,
                                              const std::map<std::string, std::string>& tags);

// The endpoints a Dataplane contributes, per service.
std::map<std::string, std::vector<Endpoint>> endpointsOf(const model::Resource& dataplane);

}  // namespace ursa::xds::gen
