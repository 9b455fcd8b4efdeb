#pragma once

// Parsing of flag values shared by the commands, with kumactl's conventions.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "ursa/common/status.h"

namespace ursa::cli {

// `key=value` flags (--var, --tag, --headers, --auth-conf), repeatable, and,
// as pflag's StringToString reads them, comma-separated lists of pairs in one
// value ("a=1,b=2"). A comma followed by text without '=' stays in the value
// ("a=1,2" is a="1,2"), so values may contain commas. The last of repeated
// keys wins. InvalidArgument, naming `flag`, for a pair without '=' or with
// an empty key.
absl::StatusOr<std::map<std::string, std::string>> parseKeyValues(
    std::string_view flag, const std::vector<std::string>& values);

// Repeatable list flags (--group), also comma-separated ("a,b"); empty items dropped.
std::vector<std::string> splitList(const std::vector<std::string>& values);

// A Go-style duration ("24h", "1h30m", "90s", "500ms"). InvalidArgument
// naming `flag` when it does not parse, is negative or (when `positive`) is zero.
absl::StatusOr<absl::Duration> parseDuration(std::string_view flag, std::string_view text,
                                             bool positive);

// The duration as Go writes it ("24h0m0s"): what kumactl sends as validFor.
std::string goDuration(absl::Duration d);

}  // namespace ursa::cli
