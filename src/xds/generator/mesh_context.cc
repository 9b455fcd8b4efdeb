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

constexpr size_t kMaxPolicyCacheEntries = 20000;

// Every targetRef policy of `mesh`, by type.
std::shared_ptr<const MeshContext::PolicyMap> policiesOfMesh(const store::ResourceSnapshot& snapshot,
                                                            const std::string& mesh) {
  auto out = std::make_shared<MeshContext::PolicyMap>();
  for (const model::ResourceType* type : model::TypeRegistry::instance().all()) {
    if (!type->is_target_ref_policy) continue;
    auto list = snapshot.list(*type, mesh);
    if (!list.empty()) (*out)[std::string(type->name)] = std::move(list);
  }
  return out;
}

}  // namespace

ProxyPolicies MeshContext::policiesFor(const model::Resource& dataplane) const {
  if (policies_->empty()) return ProxyPolicies();
  std::string key = matchKey(dataplane);
  {
    std::lock_guard lock(policy_cache_->mu);
    auto it = policy_cache_->by_key.find(key);
    if (it != policy_cache_->by_key.end()) return ProxyPolicies(it->second, dataplane);
  }
  auto set = matchAll(dataplane, *policies_);  // outside the lock: may take a while
  std::lock_guard lock(policy_cache_->mu);
  // Bounded: tag sets unique per dataplane would otherwise pile up.
  if (policy_cache_->by_key.size() >= kMaxPolicyCacheEntries) policy_cache_->by_key.clear();
  auto [it, _] = policy_cache_->by_key.emplace(std::move(key), std::move(set));
  return ProxyPolicies(it->second, dataplane);
}

ProxyPolicies MeshContext::policiesForEndpoint(const Endpoint& e) const {
  if (policies_->empty()) return ProxyPolicies();
  auto spec = std::make_shared<Dataplane>();
  auto* in = spec->mutable_networking()->add_inbound();
  in->set_port(e.port);
  in->mutable_tags()->insert(e.tags.begin(), e.tags.end());
  model::Resource synthetic;
  synthetic.type = &model::TypeRegistry::instance().dataplane();
  synthetic.meta.mesh = name_;
  synthetic.meta.name = e.dataplane;
  synthetic.spec = std::move(spec);
  return policiesFor(synthetic);
}

ServiceEndpointsConstSharedPtr endpointSubset(const ServiceEndpointsConstSharedPtr& all,
                                              const std::map<std::string, std::string>& tags) {
  if (!all) return nullptr;
  auto out = std::make_shared<ServiceEndpoints>();
  out->service = all->service;
  out->protocol = all->protocol;
  for (const auto& e : all->endpoints) {
    bool match = std::all_of(tags.begin(), tags.end(), [&](const auto& kv) {
      auto it = e.tags.find(kv.first);
      return it != e.tags.end() && it->second == kv.second;
    });
    if (match) out->endpoints.push_back(e);
  }
  return out;
}

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
      ctx->dataplane_services_.mutableAt(dp->meta.name).insert(svc);
      auto& all = by_service[svc];
      all.insert(all.end(), std::make_move_iterator(eps.begin()), std::make_move_iterator(eps.end()));
    }
  }
  for (auto& [svc, eps] : by_service) ctx->services_.mutableAt(svc) = makeService(svc, std::move(eps));
  ctx->policies_ = policiesOfMesh(snapshot, name);
  return ctx;
}

namespace {

// The endpoints of `service` once `changed` dataplanes are re-read from
// `snapshot`: the previous endpoints of every other dataplane are kept as
// they were (an unchanged dataplane has the same endpoints).
std::vector<Endpoint> rebuildEndpoints(const ServiceEndpoints* previous, const std::string& service,
                                       const std::set<std::string>& changed,
                                       const store::ResourceSnapshot& snapshot,
                                       const std::string& mesh) {
  std::vector<Endpoint> eps;
  if (previous != nullptr) {
    for (const auto& e : previous->endpoints) {
      if (!changed.contains(e.dataplane)) eps.push_back(e);
    }
  }
  const auto& dataplane_type = model::TypeRegistry::instance().dataplane();
  for (const auto& name : changed) {
    auto dp = snapshot.get({&dataplane_type, mesh, name});
    if (!dp) continue;
    auto mine = endpointsOf(*dp);
    auto it = mine.find(service);
    if (it != mine.end()) eps.insert(eps.end(), it->second.begin(), it->second.end());
  }
  return eps;
}

bool sameEndpoints(const ServiceEndpoints& a, const ServiceEndpoints& b) {
  return a.protocol == b.protocol && a.endpoints == b.endpoints;
}

}  // namespace

MeshContextConstSharedPtr MeshContext::update(const MeshContextConstSharedPtr& previous,
                                              const store::ResourceSnapshot& snapshot,
                                              const std::set<std::string>& changed_dataplanes,
                                              ca::MeshCaConstSharedPtr ca, Changes* changes) {
  const auto& registry = model::TypeRegistry::instance();
  model::ResourcePtr mesh = snapshot.get({&registry.mesh(), "", previous->name_});
  if (!mesh) return nullptr;
  // Copies pointers only: every ServiceEndpoints and map shard is shared
  // until written.
  auto ctx = std::make_shared<MeshContext>(*previous);
  ctx->mesh_ = std::move(mesh);
  ctx->ca_ = std::move(ca);
  // Services touched: those the changed dataplanes served before and serve now.
  std::set<std::string> touched;
  for (const auto& dp_name : changed_dataplanes) {
    if (const auto* old = ctx->dataplane_services_.find(dp_name)) {
      touched.insert(old->begin(), old->end());
      ctx->dataplane_services_.erase(dp_name);
    }
    if (auto dp = snapshot.get({&registry.dataplane(), previous->name_, dp_name})) {
      for (const auto& [svc, _] : endpointsOf(*dp)) {
        touched.insert(svc);
        ctx->dataplane_services_.mutableAt(dp_name).insert(svc);
      }
    }
  }
  Changes local;
  Changes& out = changes != nullptr ? *changes : local;
  for (const auto& svc : touched) {
    const ServiceEndpointsConstSharedPtr* before = previous->services_.find(svc);
    auto eps = rebuildEndpoints(before ? before->get() : nullptr, svc, changed_dataplanes, snapshot,
                                previous->name_);
    if (eps.empty()) {
      if (before != nullptr) {
        ctx->services_.erase(svc);
        out.services.insert(svc);
        out.service_set_changed = true;
      }
      continue;
    }
    auto rebuilt = makeService(svc, std::move(eps));
    if (before != nullptr && sameEndpoints(**before, *rebuilt)) continue;  // keep the shared one
    if (before == nullptr) out.service_set_changed = true;
    out.services.insert(svc);
    ctx->services_.mutableAt(svc) = std::move(rebuilt);
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
  const auto* found = services_.find(service);
  return found != nullptr ? *found : nullptr;
}

std::set<std::string> MeshContext::servicesOf(const std::string& dataplane) const {
  const auto* found = dataplane_services_.find(dataplane);
  return found != nullptr ? *found : std::set<std::string>{};
}

}  // namespace ursa::xds::gen
