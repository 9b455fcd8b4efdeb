// Mesh: descriptor, defaulting and validation as Kuma 2.2's
// pkg/core/resources/apis/mesh/mesh_validator.go and mesh_defaulter.go.

#include <optional>
#include <regex>
#include <set>
#include <string>

#include "src/model/codec/well_known.h"
#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/dataplane_helpers.h"
#include "src/model/validators/mesh_helpers.h"
#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"
#include "ursa/mesh/v1alpha1/metrics.pb.h"
#include "ursa/model/codec.h"

namespace ursa::model::types {
namespace {

using ursa::mesh::v1alpha1::DatadogTracingBackendConfig;
using ursa::mesh::v1alpha1::FileLoggingBackendConfig;
using ursa::mesh::v1alpha1::Logging;
using ursa::mesh::v1alpha1::LoggingBackend;
using ursa::mesh::v1alpha1::Mesh;
using ursa::mesh::v1alpha1::Metrics;
using ursa::mesh::v1alpha1::PrometheusMetricsBackendConfig;
using ursa::mesh::v1alpha1::TcpLoggingBackendConfig;
using ursa::mesh::v1alpha1::Tracing;
using ursa::mesh::v1alpha1::TracingBackend;
using ursa::mesh::v1alpha1::ZipkinTracingBackendConfig;
using validators::decodeBackendConf;

constexpr int kMaxMtlsBackends = 1;
constexpr std::string_view kPrometheus = "prometheus";

std::string nameAlreadyUsed(const std::string& name) {
  return ursa::strCat(validators::goQuote(name), " name is already used for another backend");
}

// --- mtls --------------------------------------------------------------------

void validateMtls(const Mesh::Mtls& mtls, const FieldPath& at, Violations& out) {
  const FieldPath backends = at.field("backends");
  if (mtls.backends_size() > kMaxMtlsBackends) {
    out.add(backends, ursa::strCat("cannot have more than ", kMaxMtlsBackends, " backends"));
  }
  std::set<std::string> names;
  for (int i = 0; i < mtls.backends_size(); ++i) {
    const std::string& name = mtls.backends(i).name();
    if (!names.insert(name).second) out.add(backends.index(i).field("name"), nameAlreadyUsed(name));
  }
  if (!mtls.enabledbackend().empty() && !names.contains(mtls.enabledbackend())) {
    out.add(at.field("enabledBackend"), "has to be set to one of the backends in the mesh");
  }
  for (const auto& backend : mtls.backends()) {
    if (!backend.has_dpcert()) continue;
    if (!validators::parseKumaDuration(backend.dpcert().rotation().expiration())) {
      // Kuma reports this path as written, without the backend's index.
      out.add(at.field("dpcert").field("rotation").field("expiration"), "has to be a valid format");
    }
  }
}

// --- logging -----------------------------------------------------------------

void validateTcpLogging(const google::protobuf::Struct& conf, const FieldPath& at,
                        Violations& out) {
  TcpLoggingBackendConfig cfg;
  if (!decodeBackendConf(conf, cfg, at, out)) return;
  if (cfg.address().empty()) {
    out.add(at.field("address"), "cannot be empty");
    return;
  }
  auto hp = validators::splitHostPort(cfg.address());
  if (!hp || hp->host.empty() || hp->port.empty()) {
    out.add(at.field("address"), "has to be in format of HOST:PORT");
  }
}

void validateFileLogging(const google::protobuf::Struct& conf, const FieldPath& at,
                         Violations& out) {
  FileLoggingBackendConfig cfg;
  if (decodeBackendConf(conf, cfg, at, out) && cfg.path().empty()) {
    out.add(at.field("path"), "cannot be empty");
  }
}

void validateLoggingBackend(const LoggingBackend& backend, const FieldPath& at, Violations& out) {
  if (backend.name().empty()) out.add(at.field("name"), "cannot be empty");
  if (auto err = validators::accessLogFormatError(backend.format())) {
    out.add(at.field("format"), *err);
  }
  // Kuma names the Go field ("config"), not the YAML key ("conf").
  const FieldPath conf = at.field("config");
  if (backend.type() == "file") {
    validateFileLogging(backend.conf(), conf, out);
  } else if (backend.type() == "tcp") {
    validateTcpLogging(backend.conf(), conf, out);
  } else {
    out.add(at.field("type"), "unknown backend type. Available backends: \"tcp\", \"file\"");
  }
}

void validateLogging(const Logging& logging, const FieldPath& at, Violations& out) {
  std::set<std::string> names;
  for (int i = 0; i < logging.backends_size(); ++i) {
    const auto& backend = logging.backends(i);
    const FieldPath b = at.field("backends").index(i);
    validateLoggingBackend(backend, b, out);
    if (!names.insert(backend.name()).second) {
      out.add(b.field("name"), nameAlreadyUsed(backend.name()));
    }
  }
  if (!logging.defaultbackend().empty() && !names.contains(logging.defaultbackend())) {
    out.add(at.field("defaultBackend"), "has to be set to one of the logging backend in mesh");
  }
}

// --- tracing -----------------------------------------------------------------

void validateZipkin(const google::protobuf::Struct& conf, const FieldPath& at, Violations& out) {
  ZipkinTracingBackendConfig cfg;
  if (!decodeBackendConf(conf, cfg, at, out)) return;
  const std::string& api = cfg.apiversion();
  if (!api.empty() && api != "httpJsonV1" && api != "httpJson" && api != "httpProto") {
    out.add(at.field("apiVersion"),
            "has invalid value. Allowed values: httpJsonV1, httpJson, httpProto");
  }
  if (cfg.url().empty()) {
    out.add(at.field("url"), "cannot be empty");
    return;
  }
  auto port = validators::requestUriPort(cfg.url());
  if (!port) {
    out.add(at.field("url"), "invalid URL");
  } else if (port->empty()) {
    out.add(at.field("url"), "port has to be explicitly specified");
  }
}

void validateDatadog(const google::protobuf::Struct& conf, const FieldPath& at, Violations& out) {
  DatadogTracingBackendConfig cfg;
  if (!decodeBackendConf(conf, cfg, at, out)) return;
  if (cfg.address().empty()) out.add(at.field("address"), "cannot be empty");
  validators::validatePort(cfg.port(), at.field("port"), out);
}

void validateTracingBackend(const TracingBackend& backend, const FieldPath& at, Violations& out) {
  if (backend.name().empty()) out.add(at.field("name"), "cannot be empty");
  double sampling = backend.sampling().value();
  if (sampling < 0.0 || sampling > 100.0) {
    out.add(at.field("sampling"), std::string(validators::kPercentageRange));
  }
  const FieldPath conf = at.field("config");
  if (backend.type() == "zipkin") {
    validateZipkin(backend.conf(), conf, out);
  } else if (backend.type() == "datadog") {
    validateDatadog(backend.conf(), conf, out);
  } else {
    out.add(at.field("type"), "unknown backend type. Available backends: \"zipkin\", \"datadog\"");
  }
}

void validateTracing(const Tracing& tracing, const FieldPath& at, Violations& out) {
  std::set<std::string> names;
  for (int i = 0; i < tracing.backends_size(); ++i) {
    const auto& backend = tracing.backends(i);
    const FieldPath b = at.field("backends").index(i);
    validateTracingBackend(backend, b, out);
    if (!names.insert(backend.name()).second) {
      out.add(b.field("name"), nameAlreadyUsed(backend.name()));
    }
  }
  if (!tracing.defaultbackend().empty() && !names.contains(tracing.defaultbackend())) {
    out.add(at.field("defaultBackend"), "has to be set to one of the tracing backend in mesh");
  }
}

// --- metrics -----------------------------------------------------------------

// Whether `pattern` compiles. Kuma uses Go's RE2 syntax; ECMAScript is close
// enough for the filters users write (character classes, anchors, groups).

void validateMetrics(const Metrics& metrics, const FieldPath& at, Violations& out) {
  std::set<std::string> names;
  for (int i = 0; i < metrics.backends_size(); ++i) {
    const auto& backend = metrics.backends(i);
    const FieldPath b = at.field("backends").index(i);
    if (names.contains(backend.name())) out.add(b.field("name"), nameAlreadyUsed(backend.name()));
    if (backend.type() != kPrometheus) {
      out.add(b.field("type"), "unknown backend type. Available backends: \"prometheus\"");
    } else {
      validators::validatePrometheusConf(backend.conf(), b.field("conf"), out);
    }
    names.insert(backend.name());
  }
  if (!metrics.enabledbackend().empty() && !names.contains(metrics.enabledbackend())) {
    out.add(at.field("enabledBackend"), "has to be set to one of the backends in the mesh");
  }
}

// --- constraints and routing -------------------------------------------------

void validateConstraints(const Mesh::Constraints& constraints, const FieldPath& at,
                         Violations& out) {
  if (!constraints.has_dataplaneproxy()) return;
  const auto& dpp = constraints.dataplaneproxy();
  const FieldPath root = at.field("dataplaneProxy");
  const validators::TagMapRules rules{.require_at_least_one = true, .selector = true};
  for (int i = 0; i < dpp.requirements_size(); ++i) {
    validators::validateTagMap(dpp.requirements(i).tags(),
                               root.field("requirements").index(i).field("tags"), rules, out);
  }
  for (int i = 0; i < dpp.restrictions_size(); ++i) {
    validators::validateTagMap(dpp.restrictions(i).tags(),
                               root.field("restrictions").index(i).field("tags"), rules, out);
  }
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const Mesh&>(msg);
  if (spec.has_mtls()) validateMtls(spec.mtls(), FieldPath::rootedAt("mtls"), out);
  if (spec.has_logging()) validateLogging(spec.logging(), FieldPath::rootedAt("logging"), out);
  if (spec.has_tracing()) validateTracing(spec.tracing(), FieldPath::rootedAt("tracing"), out);
  if (spec.has_metrics()) validateMetrics(spec.metrics(), FieldPath::rootedAt("metrics"), out);
  if (spec.has_constraints()) {
    validateConstraints(spec.constraints(), FieldPath::rootedAt("constraints"), out);
  }
  if (spec.routing().zoneegress() && spec.mtls().enabledbackend().empty()) {
    out.add(FieldPath::rootedAt("mtls"), "has to be set when zoneEgress enabled");
  }
}

// --- defaults ----------------------------------------------------------------

// Kuma fills in a Prometheus backend's port, path and tags on create and
// update. A conf that cannot be read is left alone for validation to report.
void applyDefaults(google::protobuf::Message& msg) {
  auto& spec = static_cast<Mesh&>(msg);
  if (!spec.has_metrics()) return;
  for (auto& backend : *spec.mutable_metrics()->mutable_backends()) {
    if (backend.type() != kPrometheus) continue;
    PrometheusMetricsBackendConfig cfg;
    Violations problems;
    if (!decodeBackendConf(backend.conf(), cfg, FieldPath(), problems)) continue;
    if (cfg.port() == 0) cfg.set_port(5670);
    if (cfg.path().empty()) cfg.set_path("/metrics");
    if (cfg.tags().empty()) (*cfg.mutable_tags())["kuma.io/service"] = "dataplane-metrics";
    backend.mutable_conf()->Clear();
    jsonToStruct(encodeMessage(cfg), *backend.mutable_conf());
  }
}

}  // namespace

const ResourceType& mesh() {
  static const ResourceType kType{
      .name = "Mesh",
      .scope = Scope::Global,
      .path = "meshes",
      .cli_singular = "mesh",
      .cli_plural = "meshes",
      .layout = SpecLayout::Flattened,
      .spec_prototype = &Mesh::default_instance(),
      .validate = validate,
      .apply_defaults = applyDefaults,
  };
  return kType;
}

}  // namespace ursa::model::types
