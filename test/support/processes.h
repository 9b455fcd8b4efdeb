#pragma once

// For tests that start ursa's binaries as processes: where the binaries are,
// and free TCP ports to give them.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace ursa::test {

// The build's bin/ directory, from URSA_BINARY_DIR (set by CTest); empty
// when unset.
inline std::string binDir() {
  const char* dir = std::getenv("URSA_BINARY_DIR");
  return dir == nullptr ? "" : std::string(dir) + "/bin";
}

// A loopback port nothing listens on right now (bind to 0, read it, release
// it). Another process may take it before the caller binds it: rare enough
// for tests.
inline uint16_t freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace ursa::test
