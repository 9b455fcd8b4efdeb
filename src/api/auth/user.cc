#include "src/api/auth/user.h"

#include <algorithm>

namespace ursa::api {

bool User::inGroup(std::string_view group) const {
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

User User::admin() { return User{"mesh-system:admin", {std::string(kAdminGroup)}}; }

}  // namespace ursa::api
