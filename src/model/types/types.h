#pragma once

// One accessor per resource type; each lives in its own file beside its
// validator. TypeRegistry (registry.cc) lists them all.

#include "ursa/model/resource.h"

namespace ursa::model::types {

const ResourceType& secret();
const ResourceType& globalSecret();
const ResourceType& meshTrafficPermission();

}  // namespace ursa::model::types
