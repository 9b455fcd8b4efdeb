// MeshHealthCheck -> cluster health_checks and panic settings (Kuma 2.2's
// meshhealthcheck plugin). Envoy only: gRPC's xDS client has no active
// health checking.

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate {

namespace {

using envoy::config::cluster::v3::Cluster;
using envoy::config::core::v3::HealthCheck;
using envoy::config::core::v3::HeaderValueOption;
using Mhc = ursa::policies::meshhealthcheck::v1alpha1::MeshHealthCheck;

enum class Checker { None, Tcp, Http, Grpc };

bool enabled(bool present, bool disabled) { return present && !disabled; }

// Kuma's selectHealthCheckType: the destination protocol's own checker, or
// tcp when that one is present but disabled.
Checker checkerFor(const Mhc::Conf& c, const std::string& protocol) {
  bool http_like = protocol == "http" || protocol == "http2";
  bool tcp = enabled(c.has_tcp(), c.tcp().disabled());
  if (http_like && enabled(c.has_http(), c.http().disabled())) return Checker::Http;
  if (protocol == "grpc" && enabled(c.has_grpc(), c.grpc().disabled())) return Checker::Grpc;
  if (protocol == "tcp" && tcp) return Checker::Tcp;
  if (http_like && c.has_http() && tcp) return Checker::Tcp;
  if (protocol == "grpc" && c.has_grpc() && tcp) return Checker::Tcp;
  return Checker::None;
}

void setPanic(Cluster& cluster, const Mhc::Conf& c) {
  if (c.has_healthy_panic_threshold()) {
    const auto& t = c.healthy_panic_threshold();
    double value = t.has_int_value() ? static_cast<double>(t.int_value())
                                     : std::strtod(t.string_value().c_str(), nullptr);
    cluster.mutable_common_lb_config()->mutable_healthy_panic_threshold()->set_value(value);
  }
  if (c.has_fail_traffic_on_panic()) {
    cluster.mutable_common_lb_config()->mutable_zone_aware_lb_config()->set_fail_traffic_on_panic(
        c.fail_traffic_on_panic());
  }
}

void setTimings(HealthCheck& hc, const Mhc::Conf& c) {
  setDuration(hc.mutable_interval(), c.has_interval() ? toAbsl(c.interval()) : absl::Minutes(1));
  setDuration(hc.mutable_timeout(), c.has_timeout() ? toAbsl(c.timeout()) : absl::Seconds(15));
  hc.mutable_unhealthy_threshold()->set_value(
      c.has_unhealthy_threshold() ? static_cast<uint32_t>(c.unhealthy_threshold()) : 5);
  hc.mutable_healthy_threshold()->set_value(
      c.has_healthy_threshold() ? static_cast<uint32_t>(c.healthy_threshold()) : 1);
  if (c.has_initial_jitter()) setDuration(hc.mutable_initial_jitter(), toAbsl(c.initial_jitter()));
  if (c.has_interval_jitter()) {
    setDuration(hc.mutable_interval_jitter(), toAbsl(c.interval_jitter()));
  }
  if (c.has_interval_jitter_percent()) {
    hc.set_interval_jitter_percent(static_cast<uint32_t>(c.interval_jitter_percent()));
  }
  if (c.has_no_traffic_interval()) {
    setDuration(hc.mutable_no_traffic_interval(), toAbsl(c.no_traffic_interval()));
  }
  if (c.has_event_log_path()) {
    // Deprecated for event_logger in later Envoys, still honoured, and what
    // Kuma 2.2 sends.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    hc.set_event_log_path(c.event_log_path());
#pragma GCC diagnostic pop
  }
  if (c.has_always_log_health_check_failures()) {
    hc.set_always_log_health_check_failures(c.always_log_health_check_failures());
  }
  if (c.has_reuse_connection()) hc.mutable_reuse_connection()->set_value(c.reuse_connection());
}

// `text`'s own bytes as Envoy's hex `text` payload, as Kuma 2.2 sends them
// (its API calls the field base64, but Kuma passes the string on as it is,
// so a manifest that works with Kuma does the same here). False, with a
// warning, for an empty text: Envoy requires a payload to hold something.
bool setPayload(HealthCheck::Payload* out, const std::string& text, const std::string& what,
                const Warn& warn) {
  if (text.empty()) {
    warn(strCat("MeshHealthCheck ", what, ": empty payload; left out"));
    return false;
  }
  out->set_text(absl::BytesToHexString(text));
  return true;
}

void setTcp(HealthCheck& hc, const Mhc::TcpHealthCheck& tcp, const std::string& cluster,
            const Warn& warn) {
  auto* out = hc.mutable_tcp_health_check();
  if (tcp.has_send() &&
      !setPayload(out->mutable_send(), tcp.send(), strCat("tcp.send for ", cluster), warn)) {
    out->clear_send();
  }
  for (const auto& r : tcp.receive()) {
    HealthCheck::Payload payload;
    if (setPayload(&payload, r, strCat("tcp.receive for ", cluster), warn)) {
      *out->add_receive() = std::move(payload);
    }
  }
}

void addHeaders(const google::protobuf::RepeatedPtrField<ursa::common::v1alpha1::HeaderValue>& in,
                HeaderValueOption::HeaderAppendAction action,
                google::protobuf::RepeatedPtrField<HeaderValueOption>* out) {
  for (const auto& h : in) {
    auto* o = out->Add();
    o->mutable_header()->set_key(h.name());
    o->mutable_header()->set_value(h.value());
    o->set_append_action(action);
  }
}

void setHttp(HealthCheck& hc, const Mhc::HttpHealthCheck& http, const std::string& protocol) {
  auto* out = hc.mutable_http_health_check();
  out->set_path(http.has_path() ? http.path() : "/");
  out->set_codec_client_type(protocol == "http2" ? envoy::type::v3::HTTP2
                                                 : envoy::type::v3::HTTP1);
  for (int32_t status : http.expected_statuses()) {
    auto* range = out->add_expected_statuses();
    range->set_start(status);
    range->set_end(static_cast<int64_t>(status) + 1);
  }
  const auto& headers = http.request_headers_to_add();
  addHeaders(headers.set(), HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD,
             out->mutable_request_headers_to_add());
  addHeaders(headers.add(), HeaderValueOption::APPEND_IF_EXISTS_OR_ADD,
             out->mutable_request_headers_to_add());
}

void setGrpc(HealthCheck& hc, const Mhc::GrpcHealthCheck& grpc) {
  auto* out = hc.mutable_grpc_health_check();
  if (grpc.has_service_name()) out->set_service_name(grpc.service_name());
  if (grpc.has_authority()) out->set_authority(grpc.authority());
}

}  // namespace

void applyHealthCheck(Cluster& cluster, const Mhc::Conf& conf, const std::string& protocol,
                      const Warn& warn) {
  setPanic(cluster, conf);
  Checker checker = checkerFor(conf, protocol);
  if (checker == Checker::None) {
    warn(strCat("MeshHealthCheck for ", cluster.name(), ": no enabled checker for protocol ",
                protocol.empty() ? "tcp" : protocol, "; no health check"));
    return;
  }
  HealthCheck hc;
  setTimings(hc, conf);
  switch (checker) {
    case Checker::Tcp: setTcp(hc, conf.tcp(), cluster.name(), warn); break;
    case Checker::Http: setHttp(hc, conf.http(), protocol); break;
    case Checker::Grpc: setGrpc(hc, conf.grpc()); break;
    case Checker::None: break;
  }
  *cluster.add_health_checks() = std::move(hc);
}

}  // namespace ursa::xds::gen::translate
