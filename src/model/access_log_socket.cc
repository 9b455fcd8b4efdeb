#include "ursa/model/access_log_socket.h"

#include "ursa/common/strings.h"

namespace ursa::model {

std::string accessLogSocketPath(std::string_view dataplane, std::string_view mesh) {
  constexpr size_t kMaxStem = 98;
  std::string stem = strCat("/tmp/kuma-al-", dataplane, "-", mesh);
  if (stem.size() > kMaxStem) stem.resize(kMaxStem);
  return strCat(stem, ".sock");
}

}  // namespace ursa::model
