// Explicitly empty lists (see include/ursa/model/list_presence.h).

#include "ursa/model/list_presence.h"

#include <string>

#include "google/protobuf/unknown_field_set.h"
#include "ursa/common/v1alpha1/common.pb.h"

namespace ursa::model {
namespace {

namespace pb = google::protobuf;

// The unknown field recording explicitly empty lists: one varint per such
// list, holding the list's field number. The largest field number there is;
// no .proto of ours comes near it.
constexpr int kEmptyListMarker = pb::FieldDescriptor::kMaxNumber;

}  // namespace

bool hasListPresence(const pb::FieldDescriptor& f) {
  return f.is_repeated() && !f.is_map() &&
         f.options().GetExtension(common::v1alpha1::list_presence);
}

void markExplicitlyEmpty(pb::Message& m, const pb::FieldDescriptor& f) {
  if (isExplicitlyEmpty(m, f)) return;
  m.GetReflection()->MutableUnknownFields(&m)->AddVarint(kEmptyListMarker,
                                                         static_cast<uint64_t>(f.number()));
}

bool isExplicitlyEmpty(const pb::Message& m, const pb::FieldDescriptor& f) {
  const pb::Reflection& r = *m.GetReflection();
  if (!hasListPresence(f) || r.FieldSize(m, &f) != 0) return false;
  const pb::UnknownFieldSet& unknown = r.GetUnknownFields(m);
  for (int i = 0; i < unknown.field_count(); ++i) {
    const pb::UnknownField& u = unknown.field(i);
    if (u.number() == kEmptyListMarker && u.type() == pb::UnknownField::TYPE_VARINT &&
        u.varint() == static_cast<uint64_t>(f.number())) {
      return true;
    }
  }
  return false;
}

bool isListSet(const pb::Message& m, std::string_view field) {
  const pb::FieldDescriptor* f = m.GetDescriptor()->FindFieldByName(std::string(field));
  if (f == nullptr || !f->is_repeated()) return false;
  return m.GetReflection()->FieldSize(m, f) > 0 || isExplicitlyEmpty(m, *f);
}

}  // namespace ursa::model
