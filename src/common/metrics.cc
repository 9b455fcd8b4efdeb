#include "ursa/common/metrics.h"

#include "prometheus/text_serializer.h"

namespace ursa {

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()), constant_{{"zone", "Standalone"}} {}

std::string Metrics::render() const {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(registry_->Collect());
}

}  // namespace ursa
