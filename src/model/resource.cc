#include "ursa/model/resource.h"

#include "ursa/common/strings.h"

namespace ursa::model {

namespace {
constexpr size_t kMaxNameLength = 253;

bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}
}  // namespace

std::string ResourceKey::toString() const {
  std::string out(type ? type->name : "?");
  out += " ";
  if (!mesh.empty()) out += mesh + "/";
  return out + name;
}

Violations validateName(std::string_view field, std::string_view name) {
  Violations out;
  FieldPath at = FieldPath::rootedAt(field);
  if (name.empty()) {
    out.add(at, "cannot be empty");
    return out;
  }
  for (char c : name) {
    if (!isNameChar(c)) {
      out.add(at,
              "invalid characters. Valid characters are numbers, lowercase latin letters and "
              "'-', '_' symbols.");
      break;
    }
  }
  if (name.size() > kMaxNameLength) {
    out.add(at, ursa::strCat("must be at most ", kMaxNameLength, " characters long"));
  }
  return out;
}

Violations validateResource(const Resource& r) {
  Violations out;
  out.addAll(FieldPath(), validateName("name", r.meta.name));
  if (r.type->scope == Scope::Mesh) out.addAll(FieldPath(), validateName("mesh", r.meta.mesh));
  if (r.spec && r.type->validate) {
    ValidationContext ctx{*r.type, r.meta.name, r.meta.mesh};
    r.type->validate(*r.spec, ctx, out);
  }
  return out;
}

}  // namespace ursa::model
