#pragma once

// Tables of `ursactl inspect dataplane --type policies|rules`,
// `ursactl inspect <policy> NAME` and `ursactl explain traffic`, from the
// JSON the control plane answers (src/api/inspect.h, src/api/explain.h).
// Each returns the rendered text: one or more tables, then warnings and
// notes, one per line.
//
//   dataplane policies:  TYPE NAME SERVICE POLICIES
//   dataplane rules:     TYPE NAME POLICY TYPE SUBSET CONF ORIGINS
//   policy dataplanes:   MESH DATAPLANE ATTACHMENTS
//   explain traffic:     SIDE INSTANCE ASPECT RESULT CONTRIBUTORS (the last decides)

#include <string>

#include "ursa/model/codec.h"

namespace ursa::cli {

std::string renderDataplanePolicies(const model::Json& body);
std::string renderDataplaneRules(const model::Json& body);
std::string renderPolicyDataplanes(const model::Json& body);
std::string renderExplainTraffic(const model::Json& body);

// "kuma.io/service=web,version!=v1"; "*" for the empty subset.
std::string subsetText(const model::Json& subset);

}  // namespace ursa::cli
