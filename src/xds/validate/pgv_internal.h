#pragma once

// Rule checks on single values, shared by the checker's traversal. Each
// appends a human-readable problem per broken rule to `problems`.

#include <string>
#include <string_view>
#include <vector>

#include "validate/validate.pb.h"

namespace ursa::xds::validate::internal {

void checkString(const ::validate::StringRules& rules, std::string_view value,
                 std::vector<std::string>& problems);
void checkBytes(const ::validate::BytesRules& rules, std::string_view value,
                std::vector<std::string>& problems);

// Well-known formats, as PGV defines them.
bool isHostname(std::string_view s);
bool isIp(std::string_view s);
bool isIpv4(std::string_view s);
bool isIpv6(std::string_view s);
bool isEmail(std::string_view s);
bool isUri(std::string_view s);
bool isUriRef(std::string_view s);
bool isUuid(std::string_view s);

}  // namespace ursa::xds::validate::internal
