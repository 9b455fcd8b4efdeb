// MeshCircuitBreaker and MeshLoadBalancingStrategy -> cluster fields (Kuma
// 2.2's meshcircuitbreaker and meshloadbalancingstrategy plugins), for Envoy
// and, reduced to what gRPC honours, for proxyless clients.

#include <cstdlib>

#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate {

namespace {

using envoy::config::cluster::v3::Cluster;
using envoy::config::cluster::v3::OutlierDetection;
using Mcb = ursa::policies::meshcircuitbreaker::v1alpha1::MeshCircuitBreaker;
using Mlbs = ursa::policies::meshloadbalancingstrategy::v1alpha1::MeshLoadBalancingStrategy;

void setLimits(Cluster& c, const Mcb::ConnectionLimits& l, bool proxyless, const Warn& warn) {
  auto* t = c.mutable_circuit_breakers()->add_thresholds();
  t->set_priority(envoy::config::core::v3::DEFAULT);
  if (l.has_max_requests()) t->mutable_max_requests()->set_value(l.max_requests());
  if (proxyless) {
    if (l.has_max_connections() || l.has_max_pending_requests() || l.has_max_retries() ||
        l.has_max_connection_pools()) {
      warn("MeshCircuitBreaker connectionLimits: gRPC honours maxRequests only");
    }
    return;
  }
  if (l.has_max_connections()) t->mutable_max_connections()->set_value(l.max_connections());
  if (l.has_max_pending_requests()) {
    t->mutable_max_pending_requests()->set_value(l.max_pending_requests());
  }
  if (l.has_max_retries()) t->mutable_max_retries()->set_value(l.max_retries());
  if (l.has_max_connection_pools()) {
    t->mutable_max_connection_pools()->set_value(l.max_connection_pools());
  }
}

// Kuma: every detector not configured is not enforced (enforcing 0).
void setOutlierDetection(Cluster& c, const Mcb::OutlierDetection& o, bool proxyless,
                         const Warn& warn) {
  if (o.disabled()) return;
  OutlierDetection* od = c.mutable_outlier_detection();
  if (o.has_interval()) setDuration(od->mutable_interval(), toAbsl(o.interval()));
  if (o.has_base_ejection_time()) {
    setDuration(od->mutable_base_ejection_time(), toAbsl(o.base_ejection_time()));
  }
  if (o.has_max_ejection_percent()) {
    od->mutable_max_ejection_percent()->set_value(o.max_ejection_percent());
  }
  const auto& d = o.detectors();
  od->mutable_enforcing_success_rate()->set_value(d.has_success_rate() ? 100 : 0);
  od->mutable_enforcing_failure_percentage()->set_value(d.has_failure_percentage() ? 100 : 0);
  if (d.has_success_rate()) {
    const auto& s = d.success_rate();
    if (s.has_minimum_hosts()) od->mutable_success_rate_minimum_hosts()->set_value(s.minimum_hosts());
    if (s.has_request_volume()) {
      od->mutable_success_rate_request_volume()->set_value(s.request_volume());
    }
    const auto& f = s.standard_deviation_factor();
    if (f.value_case() != ursa::common::v1alpha1::IntOrString::VALUE_NOT_SET) {
      double factor = f.has_int_value() ? static_cast<double>(f.int_value())
                                        : std::strtod(f.string_value().c_str(), nullptr);
      od->mutable_success_rate_stdev_factor()->set_value(static_cast<uint32_t>(factor * 1000));
    }
  }
  if (d.has_failure_percentage()) {
    const auto& f = d.failure_percentage();
    if (f.has_minimum_hosts()) {
      od->mutable_failure_percentage_minimum_hosts()->set_value(f.minimum_hosts());
    }
    if (f.has_request_volume()) {
      od->mutable_failure_percentage_request_volume()->set_value(f.request_volume());
    }
    if (f.has_threshold()) od->mutable_failure_percentage_threshold()->set_value(f.threshold());
  }
  bool consecutive = d.has_total_failures() || d.has_gateway_failures() || d.has_local_origin_failures();
  if (proxyless) {
    if (consecutive || o.has_split_external_and_local_errors()) {
      warn("MeshCircuitBreaker outlierDetection: gRPC honours successRate and failurePercentage "
           "only");
    }
    return;
  }
  if (o.has_split_external_and_local_errors()) {
    od->set_split_external_local_origin_errors(o.split_external_and_local_errors());
  }
  od->mutable_enforcing_consecutive_5xx()->set_value(d.has_total_failures() ? 100 : 0);
  if (d.total_failures().has_consecutive()) {
    od->mutable_consecutive_5xx()->set_value(d.total_failures().consecutive());
  }
  od->mutable_enforcing_consecutive_gateway_failure()->set_value(d.has_gateway_failures() ? 100 : 0);
  if (d.gateway_failures().has_consecutive()) {
    od->mutable_consecutive_gateway_failure()->set_value(d.gateway_failures().consecutive());
  }
  od->mutable_enforcing_consecutive_local_origin_failure()->set_value(
      d.has_local_origin_failures() ? 100 : 0);
  if (d.local_origin_failures().has_consecutive()) {
    od->mutable_consecutive_local_origin_failure()->set_value(
        d.local_origin_failures().consecutive());
  }
  od->mutable_enforcing_local_origin_success_rate()->set_value(0);
  od->mutable_enforcing_failure_percentage_local_origin()->set_value(0);
}

}  // namespace

void applyCircuitBreaker(Cluster& c, const Mcb::Conf& conf, bool proxyless, const Warn& warn) {
  if (conf.has_connection_limits()) setLimits(c, conf.connection_limits(), proxyless, warn);
  if (conf.has_outlier_detection()) {
    setOutlierDetection(c, conf.outlier_detection(), proxyless, warn);
  }
}

void applyLoadBalancer(Cluster& c, const Mlbs::Conf& conf, const ClusterClient& client,
                       const Warn& warn) {
  if (!conf.has_load_balancer()) return;
  const auto& lb = conf.load_balancer();
  const std::string& type = lb.type();
  if (client.proxyless) {
    bool ring = type == "RingHash";
    if (ring && client.ring_hash) {
      c.set_lb_policy(Cluster::RING_HASH);
      auto* cfg = c.mutable_ring_hash_lb_config();
      if (lb.ring_hash().has_min_ring_size()) {
        cfg->mutable_minimum_ring_size()->set_value(lb.ring_hash().min_ring_size());
      }
      if (lb.ring_hash().has_max_ring_size()) {
        cfg->mutable_maximum_ring_size()->set_value(lb.ring_hash().max_ring_size());
      }
      return;
    }
    if (type != "RoundRobin") {
      warn(strCat("MeshLoadBalancingStrategy ", type, " for ", c.name(),
                  ring ? ": gRPC C++ 1.51 crashes on RING_HASH (grpc/grpc#31766); round robin"
                       : ": not supported by gRPC xDS clients; round robin"));
    }
    c.set_lb_policy(Cluster::ROUND_ROBIN);
    return;
  }
  if (type == "RoundRobin") {
    c.set_lb_policy(Cluster::ROUND_ROBIN);
  } else if (type == "LeastRequest") {
    c.set_lb_policy(Cluster::LEAST_REQUEST);
    if (lb.least_request().has_choice_count()) {
      c.mutable_least_request_lb_config()->mutable_choice_count()->set_value(
          lb.least_request().choice_count());
    }
  } else if (type == "RingHash") {
    c.set_lb_policy(Cluster::RING_HASH);
    auto* cfg = c.mutable_ring_hash_lb_config();
    const auto& r = lb.ring_hash();
    if (r.has_hash_function()) {
      cfg->set_hash_function(r.hash_function() == "MurmurHash2"
                                 ? Cluster::RingHashLbConfig::MURMUR_HASH_2
                                 : Cluster::RingHashLbConfig::XX_HASH);
    }
    if (r.has_min_ring_size()) cfg->mutable_minimum_ring_size()->set_value(r.min_ring_size());
    if (r.has_max_ring_size()) cfg->mutable_maximum_ring_size()->set_value(r.max_ring_size());
  } else if (type == "Random") {
    c.set_lb_policy(Cluster::RANDOM);
  } else if (type == "Maglev") {
    c.set_lb_policy(Cluster::MAGLEV);
    if (lb.maglev().has_table_size()) {
      c.mutable_maglev_lb_config()->mutable_table_size()->set_value(lb.maglev().table_size());
    }
  }
}

}  // namespace ursa::xds::gen::translate
