#pragma once

// Pieces every ResourceStore implementation shares: query matching and
// paging, spec and label (de)serialisation for the SQL backends, and the
// watcher list.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ursa/store/resource_store.h"

namespace ursa::store {

// InvalidArgument when the query cannot be answered (no type, mesh given for
// a global type, ...).
absl::Status checkQuery(const ListQuery& query);
// Whether `r` passes the query's mesh, name, label and tag filters (type and
// paging are the caller's business).
bool matchesFilters(const Resource& r, const ListQuery& query);
// Pages `sorted` (already filtered and sorted by mesh, name).
ListResult pageOf(std::vector<ResourcePtr> sorted, const ListQuery& query);

// Deterministic protobuf bytes of a spec, and back. Parsing fails with
// Internal (stored data that does not parse is corruption, not bad input).
std::string serializeSpec(const google::protobuf::Message& spec);
absl::StatusOr<std::shared_ptr<google::protobuf::Message>> parseSpec(const ResourceType& type,
                                                                      std::string_view bytes);
std::string encodeLabels(const std::map<std::string, std::string>& labels);
std::map<std::string, std::string> decodeLabels(std::string_view json);

// Precondition checks shared by create and update.
absl::Status checkWritable(const Resource& r);

// The listeners of one store. notify() and the handle's destructor serialise
// on one mutex, so once a handle is destroyed its listener is never called
// again. A listener must not destroy its own handle.
class Watchers {
 public:
  WatchHandlePtr add(ChangeListener listener);
  void notify(const ResourceChange& change) const;
  bool empty() const;

 private:
  class Handle;
  void remove(uint64_t id);

  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, ChangeListener> listeners_;
};

}  // namespace ursa::store
