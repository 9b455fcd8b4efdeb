#pragma once

// Field paths and violations in Kuma's syntax.
//
// A resource's validator returns every problem it finds, never only the
// first, each with the path of the field at fault: `networking.inbound[0].port`,
// `spec.to[1].targetRef.kind`, `tags["kuma.io/service"]`. Clients and UIs
// key on these paths, so they follow Kuma 2.2 exactly.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ursa::model {

// An immutable path to a field. Cheap to copy; built by chaining:
//   FieldPath::rootedAt("spec").field("to").index(0).field("targetRef")
class FieldPath {
 public:
  FieldPath() = default;  // The root: the resource itself.
  static FieldPath rootedAt(std::string_view field);

  FieldPath field(std::string_view name) const;
  FieldPath index(size_t i) const;
  FieldPath key(std::string_view key) const;  // ["key"], for map entries.
  // Appends `other` (itself a path relative to this one).
  FieldPath concat(const FieldPath& other) const;

  bool isRoot() const { return path_.empty(); }
  const std::string& str() const { return path_; }

 private:
  explicit FieldPath(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

struct Violation {
  std::string field;
  std::string message;
  bool operator==(const Violation&) const = default;
};

// An ordered list of violations, in the order the validator found them.
class Violations {
 public:
  void add(const FieldPath& at, std::string message);
  // Adds each of `other`'s violations with `prefix` prepended to its path.
  void addAll(const FieldPath& prefix, const Violations& other);

  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  const std::vector<Violation>& list() const { return list_; }
  // "field: message; field: message", for logs and plain-text errors.
  std::string toString() const;

 private:
  std::vector<Violation> list_;
};

}  // namespace ursa::model
