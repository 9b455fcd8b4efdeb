#include "src/xds/generator/mesh_context.h"

#include <algorithm>

#include "ursa/model/registry.h"

namespace ursa::xds::gen {

namespace {

using ursa::mesh::v1alpha1::Dataplane;

constexpr char kServiceTag[] = "kuma.io/service";
constexpr char kProtocolTag[] = "kuma.io/protocol";

std::string protocolOf(const std::vector<Endpoint>& endpoints) {
  std::string protocol;
  for (const auto& e : endpoints) {
    auto it = e.tags.find(kProtocolTag);
    std::string p = it == e.tags.end() ? "tcp" : it->second;
    if (protocol.empty()) {
      protocol = p;
    } else if (protocol != p) {
      return "tcp";
    }
  }
  return protocol.empty() ? "tcp" : protocol;
}

ServiceEndpointsConstSharedPtr makeService(std::string name, std::vector<Endpoint> endpoints) {
  auto s = std::make_shared<ServiceEndpoints>();
  std::sort(endpoints.begin(), endpoints.end(), [](const Endpoint& a, const Endpoint& b) {
    return std::tie(a.dataplane, a.port) < std::tie(b.dataplane, b.port);
  });
  s->service = std::move(name);
  s->protocol = protocolOf(endpoints);
  s->endpoints = std::move(endpoints);
  return s;
}

}  // namespace

size_t ServiceEndpoints::readyCount() const {
  return static_cast<size_t>(
      std::count_if(endpoints.begin(), endpoints.end(), [](const Endpoint& e) { return e.ready; }));
}

std::map<std::string, std::vector<Endpoint>> endpointsOf(const model::Resource& dataplane) {
  std::map<std::string, std::vector<Endpoint>> out;
  const auto& dp = static_cast<const Dataplane&>(*dataplane.spec);
  const auto& net = dp.networking();
  const std::string& address = net.advertisedaddress().empty() ? net.address() : net.advertisedaddress();
  for (const auto& in : net.inbound()) {
    auto svc = in.tags().find(kServiceTag);
    if (svc == in.tags().end() || in.port() == 0) continue;
    Endpoint e;
    e.dataplane = dataplane.meta.name;
    e.address = !in.address().empty() && net.advertisedaddress().empty() ? in.address() : address;
    e.port = in.port();
    e.tags = std::map<std::string, std::string>(in.tags().begin(), in.tags().end());
    e.ready = !in.has_health() || in.health().ready();
    out[svc->second].push_back(std::move(e));
  }
  return out;
}

MeshContextConstSharedPtr MeshContext::build(const store::ResourceSnapshot& snapshot,
                                             const std::string& name,
                                             ca::MeshCaConstSharedPtr ca) {
  const auto& registry = model::TypeRegistry::instance();
  model::ResourcePtr mesh = snapshot.get({&registry.mesh(), "", name});
  if (!mesh) return nullptr;
  auto ctx = std::make_shared<MeshContext>();
  ctx->name_ = name;
  ctx->mesh_ = std::move(mesh);
  ctx->ca_ = std::move(ca);
  std::map<std::string, std::vector<Endpoint>> by_service;
  for (const auto& dp : snapshot.list(registry.dataplane(), name)) {
    for (auto& [svc, eps] : endpointsOf(*dp)) {
      ctx->dataplane_services_[dp->meta.name].insert(svc);
      ctx->service_dataplanes_[svc].insert(dp->meta.name);
      auto& all = by_service[svc];
      all.insert(all.end(), std::make_move_iterator(eps.begin()), std::make_move_iterator(eps.end()));
    }
  }
  for (auto& [svc, eps] : by_service) ctx->services_[svc] = makeService(svc, std::move(eps));
  return ctx;
}

MeshContextConstSharedPtr MeshContext::update(const MeshContextConstSharedPtr& previous,
                                              const store::ResourceSnapshot& snapshot,
                                              const std::set<std::string>& changed_dataplanes,
                                              ca::MeshCaConstSharedPtr ca) {
  const auto& registry = model::TypeRegistry::instance();
  model::ResourcePtr mesh = snapshot.get({&registry.mesh(), "", previous->name_});
  if (!mesh) return nullptr;
  auto ctx = std::make_shared<MeshContext>(*previous);  // shares every ServiceEndpoints
  ctx->mesh_ = std::move(mesh);
  ctx->ca_ = std::move(ca);
  // Services touched: those the changed dataplanes served before and serve now.
  std::set<std::string> touched;
  for (const auto& dp_name : changed_dataplanes) {
    if (auto old = ctx->dataplane_services_.find(dp_name); old != ctx->dataplane_services_.end()) {
      for (const auto& svc : old->second) {
        touched.insert(svc);
        ctx->service_dataplanes_[svc].erase(dp_name);
      }
      ctx->dataplane_services_.erase(old);
    }
    if (auto dp = snapshot.get({&registry.dataplane(), previous->name_, dp_name})) {
      for (const auto& [svc, _] : endpointsOf(*dp)) {
        touched.insert(svc);
        ctx->dataplane_services_[dp_name].insert(svc);
        ctx->service_dataplanes_[svc].insert(dp_name);
      }
    }
  }
  for (const auto& svc : touched) {
    std::vector<Endpoint> eps;
    for (const auto& dp_name : ctx->service_dataplanes_[svc]) {
      auto dp = snapshot.get({&registry.dataplane(), previous->name_, dp_name});
      if (!dp) continue;
      auto mine = endpointsOf(*dp);
      auto it = mine.find(svc);
      if (it != mine.end()) eps.insert(eps.end(), it->second.begin(), it->second.end());
    }
    if (eps.empty()) {
      ctx->services_.erase(svc);
      ctx->service_dataplanes_.erase(svc);
    } else {
      ctx->services_[svc] = makeService(svc, std::move(eps));
    }
  }
  return ctx;
}

const ursa::mesh::v1alpha1::Mesh& MeshContext::mesh() const {
  return static_cast<const ursa::mesh::v1alpha1::Mesh&>(*mesh_->spec);
}

bool MeshContext::permissive() const {
  const auto& mtls = mesh().mtls();
  for (const auto& b : mtls.backends()) {
    if (b.name() == mtls.enabledbackend()) {
      return b.mode() == ursa::mesh::v1alpha1::CertificateAuthorityBackend::PERMISSIVE;
    }
  }
  return false;
}

ServiceEndpointsConstSharedPtr MeshContext::service(const std::string& service) const {
  auto it = services_.find(service);
  return it == services_.end() ? nullptr : it->second;
}

std::set<std::string> MeshContext::servicesOf(const std::string& dataplane) const {
  auto it = dataplane_services_.find(dataplane);
  return it == dataplane_services_.end() ? std::set<std::string>{} : it->second;
}

}  // namespace ursa::xds::gen
