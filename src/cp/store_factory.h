#pragma once

// Opens the store the configuration names: memory, sqlite or postgres.

#include "src/config/cp_config.h"
#include "ursa/store/resource_store.h"

namespace ursa::cp {

absl::StatusOr<store::ResourceStorePtr> openStore(const config::StoreConfig& config);

}  // namespace ursa::cp
