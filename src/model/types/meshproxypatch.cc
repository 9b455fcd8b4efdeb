// MeshProxyPatch: validation as Kuma 2.2's
// pkg/plugins/policies/meshproxypatch/api/v1alpha1/validator.go and its JSON
// patch checks (pkg/plugins/policies/jsonpatch/validators).
//
// A modification's `value` is an Envoy resource in YAML; it is read into the
// Envoy type it stands for and its parse error reported. Kuma also runs the
// resource's protoc-gen-validate rules after an Add; ursa has no generated
// validation code for the Envoy API, so it checks the shape only.

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/listener/v3/listener_components.pb.h"
#include "envoy/config/route/v3/route_components.pb.h"
#include "envoy/extensions/access_loggers/file/v3/file.pb.h"
#include "envoy/extensions/access_loggers/open_telemetry/v3/logs_service.pb.h"
#include "envoy/extensions/filters/http/fault/v3/fault.pb.h"
#include "envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.pb.h"
#include "envoy/extensions/filters/http/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "envoy/extensions/filters/listener/original_dst/v3/original_dst.pb.h"
#include "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "envoy/extensions/filters/network/local_ratelimit/v3/local_rate_limit.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "envoy/extensions/upstreams/http/v3/http_protocol_options.pb.h"
#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/policy_helpers_b.h"
#include "ursa/common/strings.h"
#include "ursa/policies/meshproxypatch/v1alpha1/meshproxypatch.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshproxypatch::v1alpha1::MeshProxyPatch;
using validators::RefKind;
using JsonPatches = google::protobuf::RepeatedPtrField<MeshProxyPatch::JsonPatchBlock>;

// Typed configs (`typedConfig: {'@type': ...}`) resolve only against message
// types registered with protobuf's generated pool, that is, linked into the
// binary. Referencing the extensions ursa compiles here makes the linker keep
// them (and their registration) whatever else the binary uses.
void linkTypedConfigTypes() {
  namespace ext = envoy::extensions;
  for (const auto* d : {
           ext::filters::network::http_connection_manager::v3::HttpConnectionManager::descriptor(),
           ext::filters::network::tcp_proxy::v3::TcpProxy::descriptor(),
           ext::filters::network::rbac::v3::RBAC::descriptor(),
           ext::filters::network::local_ratelimit::v3::LocalRateLimit::descriptor(),
           ext::filters::http::router::v3::Router::descriptor(),
           ext::filters::http::rbac::v3::RBAC::descriptor(),
           ext::filters::http::fault::v3::HTTPFault::descriptor(),
           ext::filters::http::local_ratelimit::v3::LocalRateLimit::descriptor(),
           ext::filters::listener::tls_inspector::v3::TlsInspector::descriptor(),
           ext::filters::listener::original_dst::v3::OriginalDst::descriptor(),
           ext::access_loggers::file::v3::FileAccessLog::descriptor(),
           ext::access_loggers::open_telemetry::v3::OpenTelemetryAccessLogConfig::descriptor(),
           ext::transport_sockets::tls::v3::UpstreamTlsContext::descriptor(),
           ext::upstreams::http::v3::HttpProtocolOptions::descriptor(),
       }) {
    (void)d;
  }
}

// The parts every kind of modification has.
struct Mod {
  std::string_view name;  // "cluster", also the path of the modification
  const std::string& operation;
  bool has_match;
  bool has_match_name;
  const std::optional<std::string> value;
  const JsonPatches& patches;
  const google::protobuf::Message& envoy_type;  // what `value` holds
};

template <typename M>
Mod modOf(const M& m, std::string_view name, const google::protobuf::Message& envoy_type) {
  return Mod{name,
             m.operation(),
             m.has_match(),
             m.has_match() && m.match().has_name(),
             m.has_value() ? std::optional<std::string>(m.value()) : std::nullopt,
             m.json_patches(),
             envoy_type};
}

// "a", "b" (Go's %q of each name, joined).
std::string quoted(std::initializer_list<std::string_view> names) {
  std::vector<std::string> out;
  for (auto name : names) out.push_back(ursa::strCat("\"", name, "\""));
  return ursa::strJoin(out, ", ");
}

std::string availableOperations(std::initializer_list<std::string_view> ops) {
  return ursa::strCat("invalid operation. Available operations: ", quoted(ops));
}

std::optional<std::string> envoyError(const Mod& mod) {
  linkTypedConfigTypes();
  std::unique_ptr<google::protobuf::Message> resource(mod.envoy_type.New());
  return validators::envoyResourceError(*mod.value, *resource);
}

void validateValue(const Mod& mod, const FieldPath& at, Violations& out) {
  if (!mod.value) {
    out.add(at.field("value"), std::string(validators::kMustBeDefined));
  } else if (auto err = envoyError(mod)) {
    out.add(at.field("value"), ursa::strCat("native Envoy resource is not valid: ", *err));
  }
}

// "\"from\" is allowed only when \"op\" is one of [\"move\", \"copy\"]"
std::string oneOfOps(std::string_view field, std::string_view verb,
                     std::initializer_list<std::string_view> ops) {
  return ursa::strCat("\"", field, "\" ", verb, " when \"op\" is one of [", quoted(ops), "]");
}

void validateJsonPatches(const JsonPatches& patches, const FieldPath& at, Violations& out) {
  if (patches.empty()) out.add(at, std::string(validators::kMustNotBeEmpty));
  for (int i = 0; i < patches.size(); ++i) {
    const auto& patch = patches[i];
    const FieldPath item = at.index(static_cast<size_t>(i));
    const std::string& op = patch.op();
    if (op != "add" && op != "remove" && op != "replace" && op != "move" && op != "copy") {
      out.add(item.field("op"),
              R"("op" must be one of ["add", "remove", "replace", "move", "copy"])");
    }
    bool moves = op == "move" || op == "copy";
    if (moves && !patch.has_from()) {
      out.add(item.field("from"), oneOfOps("from", validators::kMustNotBeEmpty, {"move", "copy"}));
    } else if (!moves && patch.has_from()) {
      out.add(item.field("from"), oneOfOps("from", "is allowed only", {"move", "copy"}));
    }
    bool sets = op == "add" || op == "replace";
    if (sets && !patch.has_value()) {
      out.add(item.field("value"),
              oneOfOps("value", validators::kMustNotBeEmpty, {"add", "replace"}));
    } else if (!sets && patch.has_value()) {
      out.add(item.field("value"), oneOfOps("value", "is allowed only", {"add", "replace"}));
    }
    if (!patch.has_path()) {
      out.add(item.field("path"), std::string(validators::kMustBeDefined));
    } else if ((patch.path().empty() || patch.path() == "/") && op == "remove") {
      out.add(item.field("path"), "root path cannot be removed");
    }
  }
}

// Patch takes exactly one of `value` and `jsonPatches`.
void validatePatch(const Mod& mod, const FieldPath& at, Violations& out) {
  if (mod.value) {
    if (!mod.patches.empty()) {
      out.add(at, validators::mustHaveOnlyOne(mod.name, {"value", "jsonPatches"}));
    } else if (auto err = envoyError(mod)) {
      out.add(at.field("value"), ursa::strCat("native Envoy resource is not valid: ", *err));
    }
  } else if (!mod.patches.empty()) {
    validateJsonPatches(mod.patches, at.field("jsonPatches"), out);
  } else {
    out.add(at, validators::mustHaveExactlyOne(mod.name, {"value", "jsonPatches"}));
  }
}

void validateRemove(const Mod& mod, const FieldPath& at, Violations& out) {
  if (mod.value) out.add(at.field("value"), std::string(validators::kMustNotBeDefined));
}

// Clusters, listeners and virtual hosts: Add, Patch, Remove. An added
// cluster or listener matches nothing; an added virtual host may name where
// it goes but not itself.
void validateResourceMod(const Mod& mod, bool add_takes_match, const FieldPath& at,
                         Violations& out) {
  if (mod.operation == "Add") {
    if (add_takes_match && mod.has_match_name) {
      out.add(at.field("match").field("name"), std::string(validators::kMustNotBeDefined));
    } else if (!add_takes_match && mod.has_match) {
      out.add(at.field("match"), std::string(validators::kMustNotBeDefined));
    }
    validateValue(mod, at, out);
  } else if (mod.operation == "Patch") {
    validatePatch(mod, at, out);
  } else if (mod.operation == "Remove") {
    validateRemove(mod, at, out);
  } else {
    out.add(at.field("operation"), availableOperations({"Add", "Patch", "Remove"}));
  }
}

// Network and HTTP filters: positional adds, Patch (of a named filter) and
// Remove.
void validateFilterMod(const Mod& mod, const FieldPath& at, Violations& out) {
  const std::string& op = mod.operation;
  const FieldPath match_name = at.field("match").field("name");
  if (op == "AddFirst" || op == "AddLast") {
    validateValue(mod, at, out);
  } else if (op == "AddBefore" || op == "AddAfter") {
    if (!mod.has_match_name) {
      out.add(match_name, ursa::strCat("must be defined. You need to pick a filter ",
                                       op == "AddBefore" ? "before" : "after",
                                       " which this one will be added"));
    }
    validateValue(mod, at, out);
  } else if (op == "Patch") {
    if (!mod.has_match_name) out.add(match_name, std::string(validators::kMustBeDefined));
    validatePatch(mod, at, out);
  } else if (op == "Remove") {
    validateRemove(mod, at, out);
  } else {
    out.add(at.field("operation"), availableOperations({"AddFirst", "AddLast", "AddBefore",
                                                        "AddAfter", "Patch", "Remove"}));
  }
}

// The first modification set is the one validated, in Kuma's order.
void validateModification(const MeshProxyPatch::Modification& m, const FieldPath& at,
                          Violations& out) {
  namespace cfg = envoy::config;
  using envoy::extensions::filters::network::http_connection_manager::v3::HttpFilter;
  if (m.has_cluster()) {
    validateResourceMod(
        modOf(m.cluster(), "cluster", cfg::cluster::v3::Cluster::default_instance()), false,
        at.field("cluster"), out);
  } else if (m.has_listener()) {
    validateResourceMod(
        modOf(m.listener(), "listener", cfg::listener::v3::Listener::default_instance()), false,
        at.field("listener"), out);
  } else if (m.has_virtual_host()) {
    validateResourceMod(
        modOf(m.virtual_host(), "virtualHost", cfg::route::v3::VirtualHost::default_instance()),
        true, at.field("virtualHost"), out);
  } else if (m.has_network_filter()) {
    validateFilterMod(
        modOf(m.network_filter(), "networkFilter", cfg::listener::v3::Filter::default_instance()),
        at.field("networkFilter"), out);
  } else if (m.has_http_filter()) {
    validateFilterMod(modOf(m.http_filter(), "httpFilter", HttpFilter::default_instance()),
                      at.field("httpFilter"), out);
  } else {
    out.add(at, "at least one modification has to be defined");
  }
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const MeshProxyPatch&>(msg);
  const FieldPath root = FieldPath::rootedAt("spec");
  validators::validateTargetRef(
      spec.target_ref(),
      {RefKind::Mesh, RefKind::MeshSubset, RefKind::MeshService, RefKind::MeshServiceSubset},
      root.field("targetRef"), out);
  const auto& mods = spec.default_().append_modifications();
  const FieldPath at = root.field("default").field("appendModifications");
  for (int i = 0; i < mods.size(); ++i) {
    validateModification(mods[i], at.index(static_cast<size_t>(i)), out);
  }
  if (mods.empty()) out.add(at, std::string(validators::kMustNotBeEmpty));
}

}  // namespace

const ResourceType& meshProxyPatch() {
  static const ResourceType kType{
      .name = "MeshProxyPatch",
      .scope = Scope::Mesh,
      .path = "meshproxypatches",
      .cli_singular = "meshproxypatch",
      .cli_plural = "meshproxypatches",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshProxyPatch::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
