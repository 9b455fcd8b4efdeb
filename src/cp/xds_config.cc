#include "src/cp/xds_config.h"

#include <memory>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "ursa/common/strings.h"

namespace ursa::cp {
namespace {

using model::Json;
namespace pb = google::protobuf;

// The resource as Envoy JSON; an object naming the problem when its type is
// not linked in or it does not convert.
Json resourceJson(std::string_view type_url, const std::string& bytes) {
  std::string_view full_name = type_url.substr(type_url.rfind('/') + 1);
  const pb::Descriptor* d =
      pb::DescriptorPool::generated_pool()->FindMessageTypeByName(std::string(full_name));
  if (d == nullptr) return Json{{"error", strCat("unknown type ", full_name)}};
  std::unique_ptr<pb::Message> msg(pb::MessageFactory::generated_factory()->GetPrototype(d)->New());
  if (!msg->ParseFromString(bytes)) return Json{{"error", "does not parse"}};
  std::string text;
  if (!pb::util::MessageToJsonString(*msg, &text).ok()) return Json{{"error", "no JSON form"}};
  Json out = Json::parse(text, nullptr, false);
  if (out.is_discarded()) return Json{{"error", "no JSON form"}};
  out["@type"] = std::string(type_url);
  return out;
}

void redactPrivateKeys(Json& secret) {
  if (!secret.contains("tlsCertificate")) return;
  Json& cert = secret["tlsCertificate"];
  if (cert.contains("privateKey")) cert["privateKey"] = Json{{"inlineString", "[redacted]"}};
}

}  // namespace

absl::StatusOr<Json> xdsConfigJson(const xds::SnapshotCache& cache, const std::string& mesh,
                                   const std::string& name) {
  std::string node = strCat(mesh, ".", name);
  xds::SnapshotConstSharedPtr snapshot = cache.get(node);
  if (!snapshot) {
    return absl::NotFoundError(strCat(
        "the proxy of Dataplane \"", name, "\" in mesh \"", mesh,
        "\" is not connected to this control plane; its xDS configuration is generated when it "
        "connects"));
  }
  Json types = Json::object();
  for (xds::TypeIndex t : xds::kPushOrder) {
    Json resources = Json::array();
    for (const auto& r : snapshot->resources(t)) {
      Json resource = resourceJson(xds::typeUrl(t), r->bytes);
      if (t == xds::TypeIndex::Secret) redactPrivateKeys(resource);
      resources.push_back({{"name", r->name}, {"version", r->version()}, {"resource", resource}});
    }
    types[std::string(xds::shortName(t))] = {{"version", snapshot->version(t)},
                                             {"resources", std::move(resources)}};
  }
  return Json{{"node", node}, {"types", std::move(types)}, {"warnings", snapshot->warnings()}};
}

std::optional<std::vector<std::string>> xdsWarnings(const xds::SnapshotCache& cache,
                                                    const std::string& mesh,
                                                    const std::string& name) {
  xds::SnapshotConstSharedPtr snapshot = cache.get(strCat(mesh, ".", name));
  if (!snapshot) return std::nullopt;
  return snapshot->warnings();
}

}  // namespace ursa::cp
