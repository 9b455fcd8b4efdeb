#pragma once

// A real TCP log collector for tests: listens on 127.0.0.1, accepts any
// number of connections and keeps every byte received, in arrival order per
// connection. It can go down (listener and connections closed) and come back
// on the same port, or accept without reading (a stalled collector).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ursa::test {

class TcpCollector {
 public:
  // Listens on `port` (0: any free port).
  explicit TcpCollector(uint16_t port = 0, bool read = true) : reading_(read) { up(port); }
  ~TcpCollector() { down(); }
  TcpCollector(const TcpCollector&) = delete;
  TcpCollector& operator=(const TcpCollector&) = delete;

  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int connections() const { return accepted_.load(); }

  // Everything received so far, split at '\n' (the final partial line left out).
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    std::istringstream in(data_);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    if (!data_.empty() && data_.back() != '\n' && !out.empty()) out.pop_back();
    return out;
  }
  std::string data() const {
    std::lock_guard lock(mu_);
    return data_;
  }

  // Waits until at least `n` lines arrived; false after `timeout`.
  bool waitForLines(size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      size_t count = 0;
      for (char c : data_) count += c == '\n';
      return count >= n;
    });
  }

  // Closes the listener and every connection; the port stays reserved in port().
  void down() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  // Listens again on the same port.
  void up() { up(port_); }

 private:
  void up(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
      ::close(fd);
      throw std::runtime_error("TcpCollector: cannot listen on port " + std::to_string(port));
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    stop_.store(false);
    thread_ = std::thread([this, fd] { serve(fd); });
  }

  void serve(int listener) {
    std::vector<pollfd> fds{{listener, POLLIN, 0}};
    while (!stop_.load()) {
      for (auto& p : fds) p.events = (&p == &fds[0] || reading_) ? POLLIN : 0;
      if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        int c = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
          fds.push_back({c, POLLIN, 0});
          accepted_.fetch_add(1);
        }
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        char buf[4096];
        ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        if (n <= 0) {
          ::close(fds[i].fd);
          fds.erase(fds.begin() + static_cast<long>(i--));
          continue;
        }
        std::lock_guard lock(mu_);
        data_.append(buf, static_cast<size_t>(n));
        cv_.notify_all();
      }
    }
    for (auto& p : fds) ::close(p.fd);
  }

  const bool reading_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::string data_;
};

}  // namespace ursa::test
