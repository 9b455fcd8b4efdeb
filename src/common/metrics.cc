#include "ursa/common/metrics.h"

#include "prometheus/text_serializer.h"
#include "ursa/common/process.h"

namespace ursa {

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()), constant_{{"zone", "Standalone"}} {}

std::string Metrics::render() const {
  prometheus::TextSerializer serializer;
  std::string text = serializer.Serialize(registry_->Collect());
  // The standard process collector's figures, read at scrape time.
  if (auto process = readProcessStats(); process.ok()) text += renderProcessMetrics(*process);
  return text;
}

}  // namespace ursa
