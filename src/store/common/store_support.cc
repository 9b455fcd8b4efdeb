#include "src/store/common/store_support.h"

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "nlohmann/json.hpp"
#include "ursa/common/strings.h"

namespace ursa::store {

absl::Status checkQuery(const ListQuery& query) {
  if (query.type == nullptr) return absl::InvalidArgumentError("list query needs a type");
  if (query.mesh && query.type->scope == model::Scope::Global) {
    return absl::InvalidArgumentError(
        strCat(query.type->name, " is not mesh-scoped; a list of it takes no mesh"));
  }
  return absl::OkStatus();
}

namespace {

bool tagSetMatches(const std::map<std::string, std::string>& set,
                   const std::map<std::string, std::string>& wanted) {
  for (const auto& [k, v] : wanted) {
    auto it = set.find(k);
    if (it == set.end() || (v != "*" && it->second != v)) return false;
  }
  return true;
}

bool tagsMatch(const Resource& r, const std::map<std::string, std::string>& wanted) {
  if (wanted.empty()) return true;
  if (r.type->tags == nullptr || !r.spec) return false;
  for (const auto& set : r.type->tags(*r.spec)) {
    if (tagSetMatches(set, wanted)) return true;
  }
  return false;
}

}  // namespace

bool matchesFilters(const Resource& r, const ListQuery& query) {
  if (query.mesh && r.meta.mesh != *query.mesh) return false;
  if (!query.name_contains.empty() && r.meta.name.find(query.name_contains) == std::string::npos) {
    return false;
  }
  for (const auto& [k, v] : query.labels) {
    auto it = r.meta.labels.find(k);
    if (it == r.meta.labels.end() || it->second != v) return false;
  }
  return tagsMatch(r, query.tags);
}

ListResult pageOf(std::vector<ResourcePtr> sorted, const ListQuery& query) {
  ListResult out;
  out.total = sorted.size();
  size_t begin = std::min(query.offset, sorted.size());
  size_t end = query.limit == 0 ? sorted.size() : std::min(sorted.size(), begin + query.limit);
  out.items.assign(std::make_move_iterator(sorted.begin() + static_cast<ptrdiff_t>(begin)),
                   std::make_move_iterator(sorted.begin() + static_cast<ptrdiff_t>(end)));
  if (end < sorted.size()) out.next_offset = end;
  return out;
}

std::string serializeSpec(const google::protobuf::Message& spec) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  spec.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

absl::StatusOr<std::shared_ptr<google::protobuf::Message>> parseSpec(const ResourceType& type,
                                                                      std::string_view bytes) {
  std::shared_ptr<google::protobuf::Message> spec = type.newSpec();
  if (!spec->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InternalError(strCat("stored ", type.name, " spec does not parse"));
  }
  return spec;
}

std::string encodeLabels(const std::map<std::string, std::string>& labels) {
  return nlohmann::json(labels).dump();
}

std::map<std::string, std::string> decodeLabels(std::string_view json) {
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  std::map<std::string, std::string> out;
  if (!parsed.is_object()) return out;
  for (const auto& [k, v] : parsed.items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

absl::Status checkWritable(const Resource& r) {
  if (r.type == nullptr) return absl::InvalidArgumentError("resource has no type");
  if (!r.spec) return absl::InvalidArgumentError("resource has no spec");
  if (r.meta.name.empty()) return absl::InvalidArgumentError("resource has no name");
  if (r.type->scope == model::Scope::Mesh && r.meta.mesh.empty()) {
    return absl::InvalidArgumentError(strCat(r.type->name, " needs a mesh"));
  }
  if (r.type->scope == model::Scope::Global && !r.meta.mesh.empty()) {
    return absl::InvalidArgumentError(strCat(r.type->name, " is not mesh-scoped"));
  }
  return absl::OkStatus();
}

class Watchers::Handle : public WatchHandle {
 public:
  Handle(Watchers& owner, uint64_t id) : owner_(owner), id_(id) {}
  ~Handle() override { owner_.remove(id_); }

 private:
  Watchers& owner_;
  uint64_t id_;
};

WatchHandlePtr Watchers::add(ChangeListener listener) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  listeners_.emplace(id, std::move(listener));
  return std::make_unique<Handle>(*this, id);
}

void Watchers::remove(uint64_t id) {
  std::lock_guard lock(mu_);
  listeners_.erase(id);
}

void Watchers::notify(const ResourceChange& change) const {
  std::lock_guard lock(mu_);
  for (const auto& [_, listener] : listeners_) listener(change);
}

bool Watchers::empty() const {
  std::lock_guard lock(mu_);
  return listeners_.empty();
}

}  // namespace ursa::store
