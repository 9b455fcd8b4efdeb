#include "ursa/common/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "ursa/common/strings.h"

namespace ursa {
namespace {

absl::Status ioError(std::string_view what, const std::string& path, int err) {
  return absl::UnavailableError(strCat(what, " ", path, ": ", std::strerror(err)));
}

// Gives the open file `fd` a modification time later, in whole seconds, than
// `replaced`'s (the file it is about to replace, if any).
absl::Status setLaterMtime(int fd, const std::string& replaced) {
  struct stat old {};
  if (::stat(replaced.c_str(), &old) != 0) return absl::OkStatus();  // nothing replaced
  struct stat written {};
  if (::fstat(fd, &written) != 0) return ioError("cannot stat the new", replaced, errno);
  if (written.st_mtim.tv_sec > old.st_mtim.tv_sec) return absl::OkStatus();
  const struct timespec times[2] = {{0, UTIME_OMIT}, {old.st_mtim.tv_sec + 1, 0}};
  if (::futimens(fd, times) != 0) return ioError("cannot set the mtime of the new", replaced, errno);
  return absl::OkStatus();
}

}  // namespace


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

absl::Status writeFileAtomically(const std::string& path, std::string_view content, mode_t mode,
                                 bool later_mtime) {
  std::string tmp = strCat(path, ".tmp.", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ioError("cannot create", tmp, errno);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return ioError("cannot write", tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  absl::Status mtime = later_mtime ? setLaterMtime(fd, path) : absl::OkStatus();
  if (!mtime.ok()) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return mtime;
  }
  // The mode given to open() is masked by the umask: set it exactly.
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return ioError("cannot write", tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ioError("cannot rename into", path, err);
  }
  return absl::OkStatus();
}

}  // namespace ursa
