// MeshProxyPatch: dispatch, and the cluster, listener and virtualHost
// modifications (Kuma's cluster, listener and virtual_host modificators).
// Filters are in proxy_patch_filters.cc, values in proxy_patch_values.cc.

#include "src/xds/generator/translate/proxy_patch.h"

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "src/xds/generator/translate/observability.h"
#include "src/xds/generator/translate/proxy_patch_internal.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate {

namespace {

using envoy::config::cluster::v3::Cluster;
using envoy::config::listener::v3::Listener;
using envoy::config::route::v3::RouteConfiguration;
using envoy::config::route::v3::VirtualHost;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;
using proxy_patch::ModSpec;
using proxy_patch::Mpp;
using proxy_patch::Target;

constexpr char kHcmFilter[] = "envoy.filters.network.http_connection_manager";

absl::Status invalid(std::string message) { return absl::InvalidArgumentError(std::move(message)); }

bool optionalMatches(bool has, const std::string& want, const std::string& actual) {
  return !has || want.empty() || want == actual;
}

std::vector<std::string> namesOf(const SnapshotEditor& out, TypeIndex t) {
  std::vector<std::string> names;
  for (const auto& [name, _] : out.resources(t)) names.push_back(name);
  return names;
}

// Add / Remove / Patch of whole resources (clusters, listeners). `matches`
// decides which existing resources a Remove or Patch touches.
template <typename R, typename Matches>
absl::Status applyResourceMod(TypeIndex t, const ModSpec& spec, Target& target, Matches matches) {
  SnapshotEditor& out = target.editor;
  if (spec.operation == "Add") {
    if (!spec.value) return invalid("value must be defined");
    R added;
    if (auto status = proxy_patch::parseValue(*spec.value, added); !status.ok()) return status;
    if (added.name().empty()) return invalid("the added resource has no name");
    if (auto status = proxy_patch::checkValid(added); !status.ok()) return status;
    out.put(t, added.name(), added);
    target.added.emplace(t, added.name());
    return absl::OkStatus();
  }
  if (spec.operation != "Remove" && spec.operation != "Patch") {
    return invalid(strCat("unknown operation \"", spec.operation, "\""));
  }
  for (const auto& name : namesOf(out, t)) {
    R r;
    if (!out.read(t, name, r) || !matches(name, r)) continue;
    if (spec.operation == "Remove") {
      out.remove(t, name);
      continue;
    }
    if (auto status = proxy_patch::patchMessage(r, spec); !status.ok()) return status;
    if (r.name() != name) return invalid(strCat("a Patch may not rename ", name));
    if (auto status = proxy_patch::checkValid(r); !status.ok()) {
      return invalid(strCat(name, ": ", std::string(status.message())));
    }
    out.put(t, name, r);
  }
  return absl::OkStatus();
}

absl::Status applyClusterMod(const Mpp::ClusterMod& mod, Target& out) {
  const auto& m = mod.match();
  return applyResourceMod<Cluster>(TypeIndex::Cluster, proxy_patch::specOf(mod), out,
                                   [&](const std::string& name, const Cluster&) {
                                     return optionalMatches(m.has_name(), m.name(), name) &&
                                            optionalMatches(m.has_origin(), m.origin(),
                                                            out.origin(TypeIndex::Cluster, name));
                                   });
}

absl::Status applyListenerMod(const Mpp::ListenerMod& mod, Target& out) {
  const auto& m = mod.match();
  return applyResourceMod<Listener>(
      TypeIndex::Listener, proxy_patch::specOf(mod), out,
      [&](const std::string& name, const Listener& l) {
        return optionalMatches(m.has_name(), m.name(), name) &&
               optionalMatches(m.has_origin(), m.origin(), out.origin(TypeIndex::Listener, name)) &&
               proxy_patch::tagsMatch(l, m.tags());
      });
}

// One virtualHost operation on one route configuration; `origin` is that
// of the resource holding it.
absl::Status applyToRouteConfig(RouteConfiguration& rc, const std::string& origin,
                                const Mpp::VirtualHostMod& mod, const ModSpec& spec,
                                const VirtualHost* added) {
  const auto& m = mod.match();
  if (!optionalMatches(m.has_origin(), m.origin(), origin) ||
      !optionalMatches(m.has_route_configuration_name(), m.route_configuration_name(), rc.name())) {
    return absl::OkStatus();
  }
  if (spec.operation == "Add") {
    *rc.add_virtual_hosts() = *added;
    return absl::OkStatus();
  }
  auto* hosts = rc.mutable_virtual_hosts();
  for (int i = hosts->size() - 1; i >= 0; --i) {
    if (!optionalMatches(m.has_name(), m.name(), hosts->Get(i).name())) continue;
    if (spec.operation == "Remove") {
      hosts->DeleteSubrange(i, 1);
    } else if (auto status = proxy_patch::patchMessage(*hosts->Mutable(i), spec); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

// Virtual hosts live in RouteConfiguration resources and in the route
// configs inlined in listeners' HTTP connection managers: both are patched.
absl::Status applyVirtualHostMod(const Mpp::VirtualHostMod& mod, Target& target) {
  SnapshotEditor& out = target.editor;
  ModSpec spec = proxy_patch::specOf(mod);
  const std::string& op = spec.operation;
  if (op != "Add" && op != "Remove" && op != "Patch") {
    return invalid(strCat("unknown operation \"", op, "\""));
  }
  VirtualHost added;
  if (op == "Add") {
    if (!spec.value) return invalid("value must be defined");
    if (auto status = proxy_patch::parseValue(*spec.value, added); !status.ok()) return status;
  }
  for (const auto& name : namesOf(out, TypeIndex::Route)) {
    RouteConfiguration rc;
    if (!out.read(TypeIndex::Route, name, rc)) continue;
    auto status = applyToRouteConfig(rc, target.origin(TypeIndex::Route, name), mod, spec, &added);
    if (status.ok()) status = proxy_patch::checkValid(rc);
    if (!status.ok())
      return invalid(strCat("route configuration ", name, ": ", std::string(status.message())));
    out.put(TypeIndex::Route, name, rc);
  }
  for (const auto& name : namesOf(out, TypeIndex::Listener)) {
    Listener l;
    if (!out.read(TypeIndex::Listener, name, l)) continue;
    bool touched = false;
    for (auto& chain : *l.mutable_filter_chains()) {
      for (auto& filter : *chain.mutable_filters()) {
        HttpConnectionManager hcm;
        if (filter.name() != kHcmFilter || !filter.typed_config().UnpackTo(&hcm) ||
            !hcm.has_route_config()) {
          continue;
        }
        auto status =
            applyToRouteConfig(*hcm.mutable_route_config(),
                               target.origin(TypeIndex::Listener, name), mod, spec, &added);
        if (!status.ok())
          return invalid(strCat("listener ", name, ": ", std::string(status.message())));
        pack(hcm, filter.mutable_typed_config());
        touched = true;
      }
    }
    if (!touched) continue;
    if (auto status = proxy_patch::checkValid(l); !status.ok()) {
      return invalid(strCat("listener ", name, ": ", std::string(status.message())));
    }
    out.put(TypeIndex::Listener, name, l);
  }
  return absl::OkStatus();
}

// "cluster Patch", ... for warnings, and the modification applied.
std::pair<std::string, absl::Status> applyModification(const Mpp::Modification& m, Target& out) {
  if (m.has_cluster()) {
    return {strCat("cluster ", m.cluster().operation()), applyClusterMod(m.cluster(), out)};
  }
  if (m.has_listener()) {
    return {strCat("listener ", m.listener().operation()), applyListenerMod(m.listener(), out)};
  }
  if (m.has_network_filter()) {
    return {strCat("networkFilter ", m.network_filter().operation()),
            proxy_patch::applyNetworkFilterMod(m.network_filter(), out)};
  }
  if (m.has_http_filter()) {
    return {strCat("httpFilter ", m.http_filter().operation()),
            proxy_patch::applyHttpFilterMod(m.http_filter(), out)};
  }
  if (m.has_virtual_host()) {
    return {strCat("virtualHost ", m.virtual_host().operation()),
            applyVirtualHostMod(m.virtual_host(), out)};
  }
  return {"empty", invalid("no modification set")};
}

bool startsWith(const std::string& s, std::string_view prefix) { return s.starts_with(prefix); }

}  // namespace

std::string originOf(TypeIndex type, const std::string& name) {
  if (startsWith(name, "inbound:passthrough:") || startsWith(name, "outbound:passthrough:")) {
    return "transparent";
  }
  if (name == "kuma:envoy:admin") return "admin";
  if (startsWith(name, "meshtrace:")) return "meshtrace";
  if (type == TypeIndex::Cluster) return startsWith(name, "localhost:") ? "inbound" : "outbound";
  if (startsWith(name, "inbound:")) return "inbound";
  if (startsWith(name, "outbound:")) return "outbound";
  return "";
}

std::string Target::origin(TypeIndex type, const std::string& name) const {
  return added.contains({type, name}) ? "proxy-template-modifications" : originOf(type, name);
}

void applyProxyPatches(const std::vector<model::ResourcePtr>& policies, SnapshotEditor& out) {
  Target target{out, {}};
  for (const auto& policy : policies) {
    const auto* spec = dynamic_cast<const Mpp*>(policy->spec.get());
    if (spec == nullptr) continue;
    const auto& mods = spec->default_().append_modifications();
    for (int i = 0; i < mods.size(); ++i) {
      Target trial = target;  // a failing modification leaves no trace
      auto [what, status] = applyModification(mods[i], trial);
      if (status.ok()) {
        target = std::move(trial);
        continue;
      }
      target.editor.addWarning(strCat(
          "MeshProxyPatch ", policy->meta.mesh, "/", policy->meta.name, ": appendModifications[", i,
          "] (", what, "): ", std::string(status.message()), "; modification skipped"));
    }
  }
  out = std::move(target.editor);
}

}  // namespace ursa::xds::gen::translate
