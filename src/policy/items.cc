// Reading targetRef policies by protobuf reflection: the top-level targetRef,
// the `to` / `from` items and the single `default`, with each conf turned
// into Kuma's JSON form. The few places where Kuma's Go types give a conf a
// shape the .proto cannot express are listed in kConfShapes.

#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "ursa/common/strings.h"
#include "ursa/common/v1alpha1/common.pb.h"
#include "ursa/policy/matching.h"

namespace ursa::policy {
namespace {

namespace pb = google::protobuf;
using common::v1alpha1::TargetRef;

// How Kuma 2.2's Go types shape the conf of one policy type, where that
// differs from "the item's `default` message as protobuf JSON".
struct ConfShape {
  std::string_view policy_type;
  // A list that every valid policy sets, read as `[]` when absent. The
  // codec keeps `backends: []` (no logging) since list presence
  // (ursa/model/list_presence.h); policies stored before that lost the `[]`.
  std::string_view always_present_list;
  // MeshHTTPRoute: `to` items have no `default`; the conf is the item's
  // `rules`, merged by equal `matches`.
  std::string_view merge_by_key_field;
  // MeshTCPRoute (2.3 shape): the conf is the first rule, or a rule sending
  // everything to the `to` targetRef with weight 1 when there is none.
  bool first_rule_is_conf = false;
};

constexpr ConfShape kConfShapes[] = {
    {"MeshAccessLog", "backends", "", false},
    {"MeshHTTPRoute", "", "rules", false},
    {"MeshTCPRoute", "", "", true},
};

const ConfShape* shapeOf(std::string_view type) {
  for (const ConfShape& s : kConfShapes) {
    if (s.policy_type == type) return &s;
  }
  return nullptr;
}

TargetRefView viewOf(const TargetRef& ref) {
  TargetRefView v{ref.kind(), ref.name(), {}};
  for (const auto& [k, val] : ref.tags()) v.tags.emplace(k, val);
  return v;
}

absl::StatusOr<TargetRefView> targetRefField(const pb::Message& msg) {
  const pb::FieldDescriptor* f = msg.GetDescriptor()->FindFieldByName("target_ref");
  if (f == nullptr || f->message_type() != TargetRef::descriptor()) {
    return absl::InvalidArgumentError(
        strCat(msg.GetDescriptor()->full_name(), " has no targetRef"));
  }
  return viewOf(static_cast<const TargetRef&>(msg.GetReflection()->GetMessage(msg, f)));
}

const pb::FieldDescriptor* messageField(const pb::Descriptor* d, std::string_view name,
                                        bool repeated) {
  const pb::FieldDescriptor* f = d->FindFieldByName(std::string(name));
  if (f == nullptr || f->message_type() == nullptr || f->is_repeated() != repeated) return nullptr;
  return f;
}

const pb::FieldDescriptor* sectionField(const pb::Descriptor* d, Section section) {
  return messageField(d, section == Section::To ? "to" : "from", true);
}

const pb::Message* prototypeOf(const pb::Descriptor* d) {
  return pb::MessageFactory::generated_factory()->GetPrototype(d);
}

Json encodeConf(const pb::Message& conf) {
  return model::encodeMessage(conf, {.durations = model::DurationStyle::Go});
}

// The conf of a MeshTCPRoute `to` item (see ConfShape::first_rule_is_conf).
Json firstRuleConf(const pb::Message& item, const TargetRefView& to, const pb::Descriptor*& type) {
  const pb::FieldDescriptor* rules = messageField(item.GetDescriptor(), "rules", true);
  type = rules->message_type();
  if (item.GetReflection()->FieldSize(item, rules) > 0) {
    return encodeConf(item.GetReflection()->GetRepeatedMessage(item, rules, 0));
  }
  Json backend = {{"kind", to.kind}};
  if (!to.name.empty()) backend["name"] = to.name;
  if (!to.tags.empty()) backend["tags"] = to.tags;
  backend["weight"] = 1;
  return {{"default", {{"backendRefs", Json::array({backend})}}}};
}

// Builds the conf of one `to` / `from` item; `type` receives the conf's
// message type.
Json itemConf(const pb::Message& item, const TargetRefView& ref, const ConfShape* shape,
              const pb::Descriptor*& type) {
  if (shape != nullptr && shape->first_rule_is_conf &&
      messageField(item.GetDescriptor(), "rules", true) != nullptr) {
    return firstRuleConf(item, ref, type);
  }
  const pb::FieldDescriptor* def = messageField(item.GetDescriptor(), "default", false);
  if (def == nullptr) {  // MeshHTTPRoute: everything but the targetRef
    std::unique_ptr<pb::Message> rest(item.New());
    rest->CopyFrom(item);
    rest->GetReflection()->ClearField(rest.get(),
                                      item.GetDescriptor()->FindFieldByName("target_ref"));
    type = item.GetDescriptor();
    return encodeConf(*rest);
  }
  type = def->message_type();
  Json conf = encodeConf(item.GetReflection()->GetMessage(item, def));
  if (shape != nullptr && !shape->always_present_list.empty() &&
      !conf.contains(shape->always_present_list)) {
    conf[std::string(shape->always_present_list)] = Json::array();
  }
  return conf;
}

PolicyRef refOf(const model::Resource& policy) {
  return {std::string(policy.type->name), policy.meta.mesh, policy.meta.name};
}

}  // namespace

absl::StatusOr<TargetRefView> topTargetRef(const model::Resource& policy) {
  if (policy.spec == nullptr) return absl::InvalidArgumentError("policy has no spec");
  return targetRefField(*policy.spec);
}

bool hasSection(const model::ResourceType& type, Section section) {
  return sectionField(type.spec_prototype->GetDescriptor(), section) != nullptr;
}

bool hasSingleItem(const model::ResourceType& type) {
  return messageField(type.spec_prototype->GetDescriptor(), "default", false) != nullptr;
}

absl::StatusOr<std::vector<PolicyItem>> itemsOf(const model::Resource& policy, Section section) {
  const pb::Message& spec = *policy.spec;
  const pb::FieldDescriptor* list = sectionField(spec.GetDescriptor(), section);
  std::vector<PolicyItem> items;
  if (list == nullptr) return items;
  const ConfShape* shape = shapeOf(policy.type->name);
  const pb::Reflection* refl = spec.GetReflection();
  for (int i = 0; i < refl->FieldSize(spec, list); ++i) {
    const pb::Message& entry = refl->GetRepeatedMessage(spec, list, i);
    PolicyItem item;
    URSA_ASSIGN_OR_RETURN(item.target_ref, targetRefField(entry));
    const pb::Descriptor* conf_type = nullptr;
    item.conf = itemConf(entry, item.target_ref, shape, conf_type);
    item.conf_prototype = prototypeOf(conf_type);
    if (shape != nullptr) item.merge_by_key_field = std::string(shape->merge_by_key_field);
    item.origin = refOf(policy);
    items.push_back(std::move(item));
  }
  return items;
}

absl::StatusOr<PolicyItem> singleItemOf(const model::Resource& policy) {
  const pb::Message& spec = *policy.spec;
  const pb::FieldDescriptor* def = messageField(spec.GetDescriptor(), "default", false);
  if (def == nullptr) {
    return absl::InvalidArgumentError(strCat(policy.type->name, " has no single default"));
  }
  PolicyItem item;
  item.target_ref.kind = "Mesh";
  item.conf = encodeConf(spec.GetReflection()->GetMessage(spec, def));
  item.conf_prototype = prototypeOf(def->message_type());
  item.origin = refOf(policy);
  return item;
}

}  // namespace ursa::policy
