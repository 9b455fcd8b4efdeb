#include "src/xds/server/stream_base.h"

namespace ursa::xds {

absl::Status checkNodeId(std::string_view id) {
  size_t dot = id.find('.');
  if (id.empty() || dot == std::string_view::npos || dot + 1 == id.size()) {
    return absl::InvalidArgumentError(strCat("node id \"", id, "\" is not \"<mesh>.<name>\""));
  }
  return absl::OkStatus();
}

}  // namespace ursa::xds
