#pragma once

// Shared by the MeshProxyPatch sources: what every kind of modification has,
// reading values and patching messages.

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "google/protobuf/any.pb.h"
#include "src/xds/generator/snapshot_editor.h"
#include "ursa/policies/meshproxypatch/v1alpha1/meshproxypatch.pb.h"

namespace ursa::xds::gen::translate::proxy_patch {

using Mpp = ursa::policies::meshproxypatch::v1alpha1::MeshProxyPatch;
using JsonPatches = google::protobuf::RepeatedPtrField<Mpp::JsonPatchBlock>;

// The parts of a modification every kind has.
struct ModSpec {
  std::string operation;
  std::optional<std::string> value;
  const JsonPatches* patches = nullptr;
};
template <typename M>
ModSpec specOf(const M& m) {
  return ModSpec{m.operation(),
                 m.has_value() ? std::optional<std::string>(m.value()) : std::nullopt,
                 &m.json_patches()};
}

// Reads `yaml` (an Envoy resource in YAML or JSON, proto3 JSON names) into
// `out`; unknown fields and unknown typed configs are errors.
absl::Status parseValue(const std::string& yaml, google::protobuf::Message& out);

// Patch: merges `mod.value` (read as `target`'s type) into `target`
// (protobuf merge: set fields replace, lists are appended), or applies
// `mod.jsonPatches` (RFC 6902) to `target`'s JSON form and reads it back.
absl::Status patchMessage(google::protobuf::Message& target, const ModSpec& mod);

// A typed config unpacked into a message of its type, patched by `mod` as
// above, and packed again. For filters: `mod.value` is the whole filter, and
// only its typed config is merged.
absl::Status patchTypedConfig(google::protobuf::Any& any, const ModSpec& mod,
                              const google::protobuf::Any* value_typed_config);

// The protoc-gen-validate rules of `m`, as an error listing the violations.
absl::Status checkValid(const google::protobuf::Message& m);

// The resources being patched, and which of them earlier modifications
// added (their origin is Kuma's "proxy-template-modifications", so an
// origin match never selects them).
struct Target {
  SnapshotEditor editor;
  std::set<std::pair<TypeIndex, std::string>> added;

  std::string origin(TypeIndex type, const std::string& name) const;
};

// Whether `tags` (listener metadata io.kuma.tags) has every entry of `want`.
bool tagsMatch(const envoy::config::listener::v3::Listener& l,
               const google::protobuf::Map<std::string, std::string>& want);

// networkFilter and httpFilter modifications on the listeners of `out`
// (proxy_patch_filters.cc). Each listener changed is put back; errors are
// returned (the caller warns and the listeners keep their earlier state).
absl::Status applyNetworkFilterMod(const Mpp::NetworkFilterMod& mod, Target& out);
absl::Status applyHttpFilterMod(const Mpp::HttpFilterMod& mod, Target& out);

}  // namespace ursa::xds::gen::translate::proxy_patch
