#include "ursa/model/validation.h"

namespace ursa::model {

FieldPath FieldPath::rootedAt(std::string_view field) { return FieldPath(std::string(field)); }

FieldPath FieldPath::field(std::string_view name) const {
  if (path_.empty()) return FieldPath(std::string(name));
  if (name.empty()) return *this;
  return FieldPath(path_ + "." + std::string(name));
}

FieldPath FieldPath::index(size_t i) const {
  return FieldPath(path_ + "[" + std::to_string(i) + "]");
}

FieldPath FieldPath::key(std::string_view key) const {
  std::string out = path_;
  out += "[\"";
  out += key;
  out += "\"]";
  return FieldPath(std::move(out));
}

FieldPath FieldPath::concat(const FieldPath& other) const {
  if (other.path_.empty()) return *this;
  if (path_.empty()) return other;
  if (other.path_.front() == '[') return FieldPath(path_ + other.path_);
  return FieldPath(path_ + "." + other.path_);
}

void Violations::add(const FieldPath& at, std::string message) {
  list_.push_back(Violation{at.str(), std::move(message)});
}

void Violations::addAll(const FieldPath& prefix, const Violations& other) {
  for (const auto& v : other.list_) {
    list_.push_back(Violation{prefix.concat(FieldPath::rootedAt(v.field)).str(), v.message});
  }
}

std::string Violations::toString() const {
  std::string out;
  for (const auto& v : list_) {
    if (!out.empty()) out += "; ";
    out += v.field.empty() ? v.message : v.field + ": " + v.message;
  }
  return out;
}

}  // namespace ursa::model
