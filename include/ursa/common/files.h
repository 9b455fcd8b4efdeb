#pragma once

// Whole-file reads with errors that name the file and the reason.

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"

namespace ursa {

// The file's bytes. Errors carry "<path>: <reason>" and a code from errno:
// NotFound (ENOENT), PermissionDenied (EACCES), FailedPrecondition when the
// file is larger than `max_bytes`, Unavailable otherwise.
absl::StatusOr<std::string> readFile(const std::string& path, size_t max_bytes = 64u << 20);

}  // namespace ursa
