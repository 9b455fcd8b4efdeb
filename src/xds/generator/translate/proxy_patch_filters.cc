// MeshProxyPatch networkFilter and httpFilter modifications (Kuma's
// network_filter and http_filter modificators): applied on every filter
// chain of every matching listener (HTTP filters: in every HTTP connection
// manager of those chains).

#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "src/xds/generator/translate/observability.h"
#include "src/xds/generator/translate/proxy_patch.h"
#include "src/xds/generator/translate/proxy_patch_internal.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate::proxy_patch {

namespace {

using envoy::config::listener::v3::Listener;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpFilter;
using google::protobuf::RepeatedPtrField;

constexpr char kHcmFilter[] = "envoy.filters.network.http_connection_manager";

template <typename Match>
bool listenerMatches(const Match& m, const std::string& name, const Listener& l,
                     const Target& target) {
  if (m.has_listener_name() && !m.listener_name().empty() && m.listener_name() != name) {
    return false;
  }
  if (m.has_origin() && !m.origin().empty() &&
      m.origin() != target.origin(TypeIndex::Listener, name)) {
    return false;
  }
  return tagsMatch(l, m.listener_tags());
}

template <typename F>
void insertAt(RepeatedPtrField<F>& filters, int index, const F& filter) {
  *filters.Add() = filter;
  for (int k = filters.size() - 1; k > index; --k) filters.SwapElements(k, k - 1);
}

template <typename F>
int indexOf(const RepeatedPtrField<F>& filters, const std::string& name) {
  for (int i = 0; i < filters.size(); ++i) {
    if (filters[i].name() == name) return i;
  }
  return -1;
}

// One operation on one filter list; `name` is match.name ("" matches every
// filter for Remove and Patch, as Kuma).
template <typename F>
absl::Status applyToFilters(RepeatedPtrField<F>& filters, const std::string& name,
                            const ModSpec& spec, const F& value) {
  const std::string& op = spec.operation;
  if (op == "AddFirst") {
    insertAt(filters, 0, value);
  } else if (op == "AddLast") {
    *filters.Add() = value;
  } else if (op == "AddBefore" || op == "AddAfter") {
    int i = indexOf(filters, name);
    if (i >= 0) insertAt(filters, op == "AddBefore" ? i : i + 1, value);
  } else if (op == "Remove") {
    for (int i = filters.size() - 1; i >= 0; --i) {
      if (name.empty() || filters[i].name() == name) filters.DeleteSubrange(i, 1);
    }
  } else if (op == "Patch") {
    for (auto& f : filters) {
      if (!name.empty() && f.name() != name) continue;
      if (!f.has_typed_config())
        return absl::InvalidArgumentError(strCat("filter ", f.name(), " has no typed config"));
      const google::protobuf::Any* from =
          value.has_typed_config() ? &value.typed_config() : nullptr;
      if (auto status = patchTypedConfig(*f.mutable_typed_config(), spec, from); !status.ok()) {
        return status;
      }
    }
  } else {
    return absl::InvalidArgumentError(strCat("unknown operation \"", op, "\""));
  }
  return absl::OkStatus();
}

// The filter `value` names, when the operation needs one.
template <typename F>
absl::StatusOr<F> valueOf(const ModSpec& spec) {
  F value;
  if (spec.value) {
    if (auto status = parseValue(*spec.value, value); !status.ok()) return status;
  } else if (spec.operation.starts_with("Add")) {
    return absl::InvalidArgumentError("value must be defined");
  }
  return value;
}

// Runs `edit` on every matching listener, putting back the changed ones
// after checking them.
template <typename Match, typename Edit>
absl::Status forMatchingListeners(const Match& match, Target& target, Edit edit) {
  SnapshotEditor& out = target.editor;
  std::vector<std::string> names;
  for (const auto& [name, _] : out.resources(TypeIndex::Listener)) names.push_back(name);
  for (const auto& name : names) {
    Listener l;
    if (!out.read(TypeIndex::Listener, name, l) || !listenerMatches(match, name, l, target)) {
      continue;
    }
    for (auto& chain : *l.mutable_filter_chains()) {
      if (auto status = edit(chain); !status.ok()) return status;
    }
    if (auto status = checkValid(l); !status.ok()) {
      return absl::InvalidArgumentError(
          strCat("listener ", name, ": ", std::string(status.message())));
    }
    out.put(TypeIndex::Listener, name, l);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status applyNetworkFilterMod(const Mpp::NetworkFilterMod& mod, Target& out) {
  ModSpec spec = specOf(mod);
  auto value = valueOf<envoy::config::listener::v3::Filter>(spec);
  if (!value.ok()) return value.status();
  std::string name = mod.match().name();
  return forMatchingListeners(mod.match(), out, [&](auto& chain) {
    return applyToFilters(*chain.mutable_filters(), name, spec, *value);
  });
}

absl::Status applyHttpFilterMod(const Mpp::HttpFilterMod& mod, Target& out) {
  ModSpec spec = specOf(mod);
  auto value = valueOf<HttpFilter>(spec);
  if (!value.ok()) return value.status();
  std::string name = mod.match().name();
  return forMatchingListeners(mod.match(), out, [&](auto& chain) -> absl::Status {
    for (auto& filter : *chain.mutable_filters()) {
      if (filter.name() != kHcmFilter) continue;
      HttpConnectionManager hcm;
      if (!filter.typed_config().UnpackTo(&hcm)) {
        return absl::InvalidArgumentError("HTTP connection manager unreadable");
      }
      if (auto status = applyToFilters(*hcm.mutable_http_filters(), name, spec, *value);
          !status.ok()) {
        return status;
      }
      pack(hcm, filter.mutable_typed_config());
    }
    return absl::OkStatus();
  });
}

}  // namespace ursa::xds::gen::translate::proxy_patch
