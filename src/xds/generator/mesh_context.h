#pragma once

// MeshContext: everything about one mesh that the configuration of its
// proxies depends on, computed once per change and shared (immutable) by the
// generation of every proxy in the mesh.
//
// Endpoints are grouped by service (kuma.io/service) in ServiceEndpoints
// objects held by shared_ptr. update() rebuilds only the services whose
// endpoints a change touches and shares every other one with the previous
// context, so an endpoint change costs in proportion to the dataplanes of the
// services it touches, never the whole mesh.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

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
  // The context after `changed_dataplanes` (names, in this mesh) changed
  // between `previous` and `snapshot`: only their services are rebuilt. The
  // mesh resource and the CA are taken anew.
  static MeshContextConstSharedPtr update(const MeshContextConstSharedPtr& previous,
                                          const store::ResourceSnapshot& snapshot,
                                          const std::set<std::string>& changed_dataplanes,
                                          ca::MeshCaConstSharedPtr ca);

  const std::string& name() const { return name_; }
  // The Mesh resource (never null: a context exists only for an existing mesh).
  const model::ResourcePtr& meshResource() const { return mesh_; }
  const ursa::mesh::v1alpha1::Mesh& mesh() const;
  bool mtlsEnabled() const { return ca_ != nullptr; }
  bool permissive() const;  // PERMISSIVE mode of the enabled backend
  const ca::MeshCaConstSharedPtr& ca() const { return ca_; }

  // Endpoints of `service`, or nullptr when no dataplane serves it.
  ServiceEndpointsConstSharedPtr service(const std::string& service) const;
  const std::map<std::string, ServiceEndpointsConstSharedPtr>& services() const {
    return services_;
  }
  // The services a dataplane serves (its inbounds' kuma.io/service values).
  std::set<std::string> servicesOf(const std::string& dataplane) const;

 private:
  std::string name_;
  model::ResourcePtr mesh_;
  ca::MeshCaConstSharedPtr ca_;
  std::map<std::string, ServiceEndpointsConstSharedPtr> services_;
  // Both directions of "dataplane serves service", for incremental updates.
  std::map<std::string, std::set<std::string>> dataplane_services_;
  std::map<std::string, std::set<std::string>> service_dataplanes_;
};

// The endpoints a Dataplane contributes, per service.
std::map<std::string, std::vector<Endpoint>> endpointsOf(const model::Resource& dataplane);

}  // namespace ursa::xds::gen
