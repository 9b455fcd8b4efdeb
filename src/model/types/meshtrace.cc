// MeshTrace: validation as Kuma 2.2's
// pkg/plugins/policies/meshtrace/api/v1alpha1/validator.go.

#include <charconv>

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/policy_helpers_b.h"
#include "ursa/common/strings.h"
#include "ursa/model/list_presence.h"
#include "ursa/policies/meshtrace/v1alpha1/meshtrace.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshtrace::v1alpha1::MeshTrace;
using validators::RefKind;

// The Datadog agent address: http://host:port and nothing else.
void validateDatadogUrl(const std::string& url, const FieldPath& at, Violations& out) {
  auto uri = validators::parseRequestUri(url);
  if (!uri) {
    out.add(at, "must be a valid url");
    return;
  }
  if (uri->scheme != "http") out.add(at, "scheme must be http");
  if (uri->port.empty()) {
    out.add(at, ursa::strCat("port ", validators::kMustBeDefined));
  } else {
    uint32_t port = 0;
    auto [end, ec] = std::from_chars(uri->port.data(), uri->port.data() + uri->port.size(), port);
    if (ec != std::errc() || end != uri->port.data() + uri->port.size() || port == 0 ||
        port > 65535) {
      out.add(at, "port must be a valid (1-65535)");
    }
  }
  auto mustBeEmpty = [&](std::string_view part, bool empty) {
    if (!empty) out.add(at, ursa::strCat(part, " ", validators::kMustNotBeDefined));
  };
  mustBeEmpty("user", !uri->has_user);
  mustBeEmpty("path", uri->path.empty());
  mustBeEmpty("query", uri->query.empty());
}

void validateBackend(const MeshTrace::Backend& backend, const FieldPath& at, Violations& out) {
  int defined = static_cast<int>(backend.has_datadog()) + static_cast<int>(backend.has_zipkin()) +
                static_cast<int>(backend.has_open_telemetry());
  if (defined != 1) {
    out.add(at, validators::mustHaveOnlyOne("backend", {"datadog", "zipkin", "openTelemetry"}));
  }
  if (backend.has_datadog()) {
    validateDatadogUrl(backend.datadog().url(), at.field("datadog").field("url"), out);
  }
  if (backend.has_zipkin()) {
    const auto& zipkin = backend.zipkin();
    const FieldPath zipkin_at = at.field("zipkin");
    if (zipkin.url().empty()) {
      out.add(zipkin_at.field("url"), std::string(validators::kMustNotBeEmpty));
    } else if (!validators::isCollectorUrl(zipkin.url())) {
      out.add(zipkin_at.field("url"), "must be a valid url");
    }
    validators::checkEnum(zipkin.api_version(), {"httpJson", "httpProto"}, false,
                          zipkin_at.field("apiVersion"), out);
  }
}

// Kuma's messages differ from the other policies' percentages here.
void validateSampling(const ursa::common::v1alpha1::IntOrString& value, const FieldPath& at,
                      Violations& out) {
  double percent = static_cast<double>(value.int_value());
  if (value.has_string_value()) {
    auto parsed = validators::parseDecimal(value.string_value());
    if (!parsed) {
      out.add(at, "string is not a number");
      return;
    }
    percent = *parsed;
  }
  if (percent < 0 || percent > 100) out.add(at, "must be between 0 and 100");
}

void validateTags(const MeshTrace::Conf& conf, const FieldPath& at, Violations& out) {
  for (int i = 0; i < conf.tags_size(); ++i) {
    const auto& tag = conf.tags(i);
    const FieldPath item = at.index(static_cast<size_t>(i));
    if (tag.name().empty()) out.add(item.field("name"), std::string(validators::kMustNotBeEmpty));
    if (tag.has_header() == tag.has_literal()) {
      out.add(item, validators::mustHaveOnlyOne("tag", {"header", "literal"}));
    }
  }
}

// `backends` is required (an empty list turns tracing off).
void validateConf(const MeshTrace& spec, const FieldPath& at, Violations& out) {
  const FieldPath backends_at = at.field("backends");
  const auto& conf = spec.default_();
  if (!isListSet(conf, "backends")) out.add(backends_at, std::string(validators::kMustBeDefined));
  if (conf.backends_size() == 1) {
    validateBackend(conf.backends(0), backends_at.index(0), out);
  } else if (conf.backends_size() > 1) {
    out.add(backends_at, "must have zero or one backend defined");
  }
  validateTags(conf, at.field("tags"), out);
  if (conf.has_sampling()) {
    const auto& sampling = conf.sampling();
    const FieldPath sampling_at = at.field("sampling");
    if (sampling.has_client()) {
      validateSampling(sampling.client(), sampling_at.field("client"), out);
    }
    if (sampling.has_random()) {
      validateSampling(sampling.random(), sampling_at.field("random"), out);
    }
    if (sampling.has_overall()) {
      validateSampling(sampling.overall(), sampling_at.field("overall"), out);
    }
  }
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const MeshTrace&>(msg);
  const FieldPath root = FieldPath::rootedAt("spec");
  validators::validateTargetRef(spec.target_ref(),
                                {RefKind::Mesh, RefKind::MeshSubset, RefKind::MeshService,
                                 RefKind::MeshServiceSubset, RefKind::MeshGatewayRoute},
                                root.field("targetRef"), out);
  validateConf(spec, root.field("default"), out);
}

}  // namespace

const ResourceType& meshTrace() {
  static const ResourceType kType{
      .name = "MeshTrace",
      .scope = Scope::Mesh,
      .path = "meshtraces",
      .cli_singular = "meshtrace",
      .cli_plural = "meshtraces",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshTrace::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
