#include "src/core/default_policies.h"

#include "ursa/common/logging.h"
#include "ursa/common/strings.h"
#include "ursa/model/codec.h"

namespace ursa::core {
namespace {

using model::Json;

const Json kMeshRef = {{"kind", "Mesh"}};

Json toMesh(Json conf) {
  return Json{{"targetRef", kMeshRef}, {"to", Json::array({{{"targetRef", kMeshRef},
                                                            {"default", std::move(conf)}}})}};
}

Json allowAll() {
  return Json{{"targetRef", kMeshRef},
              {"from", Json::array({{{"targetRef", kMeshRef},
                                     {"default", {{"action", "Allow"}}}}})}};
}

Json timeoutAll() {
  return toMesh({{"connectionTimeout", "5s"},
                 {"idleTimeout", "1h"},
                 {"http", {{"requestTimeout", "15s"}, {"streamIdleTimeout", "30m"}}}});
}

Json circuitBreakerAll() {
  return toMesh({{"connectionLimits",
                  {{"maxConnections", 1024},
                   {"maxPendingRequests", 1024},
                   {"maxRequests", 1024},
                   {"maxRetries", 3}}}});
}

Json retryAll() {
  Json backoff = {{"baseInterval", "25ms"}, {"maxInterval", "250ms"}};
  Json per_protocol = {{"numRetries", 5}, {"perTryTimeout", "16s"}, {"backOff", backoff}};
  return toMesh({{"tcp", {{"maxConnectAttempt", 5}}},
                 {"http", per_protocol},
                 {"grpc", per_protocol}});
}

struct Default {
  const char* type;
  const char* prefix;  // the name is prefix + mesh
  Json (*spec)();
};

constexpr Default kDefaults[] = {
    {"MeshTrafficPermission", "allow-all-", allowAll},
    {"MeshTimeout", "mesh-timeout-all-", timeoutAll},
    {"MeshCircuitBreaker", "mesh-circuit-breaker-all-", circuitBreakerAll},
    {"MeshRetry", "mesh-retry-all-", retryAll},
};

}  // namespace

std::vector<model::Resource> defaultPoliciesFor(const std::string& mesh) {
  std::vector<model::Resource> out;
  for (const Default& d : kDefaults) {
    Json doc = {{"type", d.type}, {"mesh", mesh}, {"name", strCat(d.prefix, mesh)},
                {"spec", d.spec()}};
    auto decoded = model::decodeResource(doc);
    // The documents above are constants: failing to decode one is a bug.
    if (!decoded.ok()) {
      logger("core")->error("default policy {} does not decode: {}", doc.dump(),
                            decoded.status().ToString());
      continue;
    }
    out.push_back(std::move(*decoded));
  }
  return out;
}

}  // namespace ursa::core
