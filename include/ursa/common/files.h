#pragma once

// Whole-file reads and atomic whole-file writes, with errors that name the
// file and the reason.

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ursa {

// The file's bytes. Errors carry "<path>: <reason>" and a code from errno:
// NotFound (ENOENT), PermissionDenied (EACCES), FailedPrecondition when the
// file is larger than `max_bytes`, Unavailable otherwise.
absl::StatusOr<std::string> readFile(const std::string& path, size_t max_bytes = 64u << 20);

// Writes `content` to `path` through a temporary file in the same directory:
// written, given exactly `mode` (whatever the umask), flushed to disk, then
// renamed over `path`, so a reader sees the old file or the new one, never a
// part. With `later_mtime` the new file's modification time is later, in
// whole seconds, than the one it replaces (for readers that notice a change
// by mtime, as gRPC's file_watcher certificate provider does). Unavailable,
// naming the file and the reason; the temporary file is removed on failure.
absl::Status writeFileAtomically(const std::string& path, std::string_view content, mode_t mode,
                                 bool later_mtime = false);

}  // namespace ursa
