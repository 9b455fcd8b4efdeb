#include "src/xds/cache/resource_memo.h"

namespace ursa::xds {

ResourceMemo::Entry ResourceMemo::get(const std::string& key,
                                      const std::function<Entry()>& build) {
  {
    std::lock_guard lock(mu_);
    auto it = table_.find(key);
    if (it != table_.end()) {
      if (auto live = it->second.resource.lock()) {
        ++hits_;
        return {std::move(live), it->second.warnings};
      }
    }
  }
  Entry built = build();
  std::lock_guard lock(mu_);
  table_[key] = {built.resource, built.warnings};
  if (++inserts_ % 4096 == 0) sweep();
  return built;
}

uint64_t ResourceMemo::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

void ResourceMemo::sweep() {
  std::erase_if(table_, [](const auto& kv) { return kv.second.resource.expired(); });
}

}  // namespace ursa::xds
