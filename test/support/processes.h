#pragma once

// For tests that start ursa's binaries as processes: where the binaries are,
// and free TCP ports to give them.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

// Reserves `port` for this process among all test processes: an exclusive
// flock on /tmp/ursa-test-ports/<port>, held until the process exits. Test
// processes run concurrently (ctest -j), each handing ports to the servers
// it starts, and a port that was free when one checked could otherwise be
// handed to another before either server binds it.
inline bool reserveAcrossProcesses(uint16_t port) {
  static const std::string dir = "/tmp/ursa-test-ports";
  mkdir(dir.c_str(), 01777);
  int fd = open((dir + "/" + std::to_string(port)).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return true;  // no shared directory: fall back to bind checks alone
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return false;
  }
  return true;  // the descriptor stays open, and the lock held, until exit
}

// A port nothing listens on right now, chosen at random *below* the
// ephemeral range: a port the kernel picked for bind(0) could be handed to
// another process's bind(0) (ursa-dp's relay, a gRPC client) before the
// caller binds it, and gRPC's SO_REUSEPORT would then let both listen. Never
// returns the same port twice in one process, nor a port another test
// process holds (reserveAcrossProcesses). The top 2000 ports below the
// ephemeral range are left to the Node tests (test/e2e/node/harness.js),
// which cannot take the locks. Aborts when no port is free.
inline uint16_t freePort() {
  static std::mutex mu;
  static std::set<uint16_t> given;
  static std::mt19937 rng{std::random_device{}()};
  std::lock_guard lock(mu);
  const int high = ephemeralLow() - 1 - 2000;
  const int low = std::max(10000, high - 10000);
  std::uniform_int_distribution<int> pick(low, high);
  for (int attempt = 0; attempt < 500; ++attempt) {
    auto port = static_cast<uint16_t>(pick(rng));
    if (given.count(port) == 0 && canBind(port) && reserveAcrossProcesses(port)) {
      given.insert(port);
      return port;
    }
  }
  std::abort();
}

}  // namespace ursa::test
