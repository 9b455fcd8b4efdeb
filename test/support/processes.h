#pragma once

// For tests that start ursa's binaries as processes: where the binaries are,
// and free TCP ports to give them.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <string>

namespace ursa::test {

// The build's bin/ directory, from URSA_BINARY_DIR (set by CTest); empty
// when unset.
inline std::string binDir() {
  const char* dir = std::getenv("URSA_BINARY_DIR");
  return dir == nullptr ? "" : std::string(dir) + "/bin";
}

// The lowest port the kernel hands out for bind(0) and outgoing
// connections (net.ipv4.ip_local_port_range), 32768 when unreadable.
inline uint16_t ephemeralLow() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  unsigned low = 0;
  if (in >> low && low > 1024 && low <= 65535) return static_cast<uint16_t>(low);
  return 32768;
}

// Whether a TCP listener could bind `port` on every address right now.
inline bool canBind(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = htons(port);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// A port nothing listens on right now, chosen at random *below* the
// ephemeral range: a port the kernel picked for bind(0) could be handed to
// another process's bind(0) (ursa-dp's relay, a gRPC client) before the
// caller binds it, and gRPC's SO_REUSEPORT would then let both listen. Never
// returns the same port twice in one process. Aborts when no port is free.
inline uint16_t freePort() {
  static std::mutex mu;
  static std::set<uint16_t> given;
  static std::mt19937 rng{std::random_device{}()};
  std::lock_guard lock(mu);
  const int high = ephemeralLow() - 1;
  const int low = std::max(10000, high - 12000);
  std::uniform_int_distribution<int> pick(low, high);
  for (int attempt = 0; attempt < 500; ++attempt) {
    auto port = static_cast<uint16_t>(pick(rng));
    if (given.count(port) == 0 && canBind(port)) {
      given.insert(port);
      return port;
    }
  }
  std::abort();
}

}  // namespace ursa::test
