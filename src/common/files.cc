#include "ursa/common/files.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "ursa/common/strings.h"

namespace ursa {

absl::StatusOr<std::string> readFile(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    std::string why = strCat(path, ": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(why);
    if (err == EACCES) return absl::PermissionDeniedError(why);
    return absl::UnavailableError(why);
  }
  std::string data(max_bytes + 1, '\0');
  in.read(data.data(), static_cast<std::streamsize>(max_bytes + 1));
  if (in.bad()) return absl::UnavailableError(strCat(path, ": read error"));
  auto n = static_cast<size_t>(in.gcount());
  if (n > max_bytes) {
    return absl::FailedPreconditionError(strCat(path, ": larger than ", max_bytes, " bytes"));
  }
  data.resize(n);
  return data;
}

}  // namespace ursa
