// MeshProxyPatch values: reading `value`, merging, JSON patches (RFC 6902 by
// nlohmann::json), and the validity check of a patched resource.

#include <memory>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "src/model/validators/policy_helpers_b.h"
#include "src/xds/generator/translate/observability.h"
#include "src/xds/generator/translate/proxy_patch_internal.h"
#include "src/xds/validate/pgv_checker.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate::proxy_patch {

namespace {

absl::Status invalid(std::string message) { return absl::InvalidArgumentError(std::move(message)); }

// After dst.MergeFrom(src): every google.protobuf.Duration that src sets
// along singular fields replaces dst's whole, as Kuma's util_proto.Merge
// does (protobuf's merge takes seconds and nanos one by one, so 5s patched
// with 0.25s would give 5.25s). Durations inside lists and maps need nothing:
// merging appends copies of list items and replaces map entries.
void replaceMergedDurations(google::protobuf::Message& dst, const google::protobuf::Message& src) {
  const auto* reflection = src.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(src, &fields);
  for (const auto* field : fields) {
    if (field->is_repeated() || field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      continue;
    }
    const auto& from = reflection->GetMessage(src, field);
    auto* to = dst.GetReflection()->MutableMessage(&dst, field);
    if (field->message_type()->full_name() == "google.protobuf.Duration") {
      to->CopyFrom(from);
    } else {
      replaceMergedDurations(*to, from);
    }
  }
}

// Kuma 2.2's merge of a MeshProxyPatch `value` into a resource: protobuf's
// merge (set fields replace, lists append, map entries replace), except that
// durations replace whole.
void mergeLikeKuma(google::protobuf::Message& dst, const google::protobuf::Message& src) {
  dst.MergeFrom(src);
  replaceMergedDurations(dst, src);
}

absl::StatusOr<nlohmann::json> jsonOf(const google::protobuf::Message& m) {
  std::string text;
  auto status = google::protobuf::util::MessageToJsonString(m, &text);
  if (!status.ok())
    return invalid(strCat("cannot render as JSON: ", std::string(status.message())));
  return nlohmann::json::parse(text);
}

// The jsonPatches as an RFC 6902 document.
absl::StatusOr<nlohmann::json> patchDocument(const JsonPatches& patches) {
  nlohmann::json doc = nlohmann::json::array();
  for (const auto& p : patches) {
    nlohmann::json op = {{"op", p.op()}};
    if (p.has_path()) op["path"] = p.path();
    if (p.has_from()) op["from"] = p.from();
    if (p.has_value()) {
      auto value = jsonOf(p.value());
      if (!value.ok()) return value.status();
      op["value"] = std::move(*value);
    }
    doc.push_back(std::move(op));
  }
  return doc;
}

absl::Status applyJsonPatches(google::protobuf::Message& target, const JsonPatches& patches) {
  auto json = jsonOf(target);
  if (!json.ok()) return json.status();
  auto doc = patchDocument(patches);
  if (!doc.ok()) return doc.status();
  nlohmann::json patched;
  try {
    patched = json->patch(*doc);
  } catch (const nlohmann::json::exception& e) {
    return invalid(strCat("JSON patch failed: ", e.what()));
  }
  std::unique_ptr<google::protobuf::Message> result(target.New());
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(patched.dump(), result.get(), options);
  if (!status.ok()) {
    return invalid(strCat("patched resource is not a valid ", target.GetDescriptor()->full_name(),
                          ": ", std::string(status.message())));
  }
  target.CopyFrom(*result);
  return absl::OkStatus();
}

}  // namespace

absl::Status parseValue(const std::string& yaml, google::protobuf::Message& out) {
  if (auto err = model::validators::envoyResourceError(yaml, out)) {
    return invalid(strCat("value is not a valid ", out.GetDescriptor()->full_name(), ": ", *err));
  }
  return absl::OkStatus();
}

absl::Status patchMessage(google::protobuf::Message& target, const ModSpec& mod) {
  if (mod.patches != nullptr && !mod.patches->empty()) {
    return applyJsonPatches(target, *mod.patches);
  }
  if (!mod.value) return invalid("Patch needs a value or jsonPatches");
  std::unique_ptr<google::protobuf::Message> value(target.New());
  if (auto status = parseValue(*mod.value, *value); !status.ok()) return status;
  mergeLikeKuma(target, *value);
  return absl::OkStatus();
}

absl::Status patchTypedConfig(google::protobuf::Any& any, const ModSpec& mod,
                              const google::protobuf::Any* value_typed_config) {
  std::string type_name = any.type_url().substr(any.type_url().rfind('/') + 1);
  const auto* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type_name);
  if (descriptor == nullptr) return invalid(strCat("typed config ", type_name, " is unknown"));
  std::unique_ptr<google::protobuf::Message> config(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  if (!any.UnpackTo(config.get()))
    return invalid(strCat("typed config ", type_name, " unreadable"));
  if (mod.patches != nullptr && !mod.patches->empty()) {
    if (auto status = applyJsonPatches(*config, *mod.patches); !status.ok()) return status;
  } else if (value_typed_config != nullptr) {
    if (value_typed_config->type_url() != any.type_url()) {
      return invalid(strCat("value's typed config is a ", value_typed_config->type_url(),
                            ", not a ", any.type_url()));
    }
    std::unique_ptr<google::protobuf::Message> value(config->New());
    if (!value_typed_config->UnpackTo(value.get())) {
      return invalid("value's typed config is unreadable");
    }
    mergeLikeKuma(*config, *value);
  }
  pack(*config, &any);
  return absl::OkStatus();
}

absl::Status checkValid(const google::protobuf::Message& m) {
  auto violations = validate::check(m);
  if (violations.empty()) return absl::OkStatus();
  std::string text = validate::format(violations);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return invalid(strCat("result fails validation: ", text));
}

bool tagsMatch(const envoy::config::listener::v3::Listener& l,
               const google::protobuf::Map<std::string, std::string>& want) {
  if (want.empty()) return true;
  auto it = l.metadata().filter_metadata().find("io.kuma.tags");
  if (it == l.metadata().filter_metadata().end()) return false;
  const auto& fields = it->second.fields();
  for (const auto& [k, v] : want) {
    auto f = fields.find(k);
    if (f == fields.end() || (v != "*" && f->second.string_value() != v)) return false;
  }
  return true;
}

}  // namespace ursa::xds::gen::translate::proxy_patch
