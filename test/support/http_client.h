#pragma once

// A deliberately small HTTP/1.1 client for tests of ursa's servers: plain
// POSIX sockets (or OpenSSL on one) so that a test controls every byte it
// sends (half a header, a pipelined pair, garbage) and when it sends it.
// Every read has a deadline: a server that never answers fails the test
// instead of hanging it.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ursa::test {

using namespace std::chrono_literals;

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

enum class ReadResult { Data, Closed, Timeout };

class HttpConnection {
 public:
  // Connects to host:port; nullptr when the connection is refused.
  static std::unique_ptr<HttpConnection> connect(uint16_t port,
                                                 const std::string& host = "127.0.0.1") {
    ignoreSigpipe();
    int fd = connectFd(port, host);
    if (fd < 0) return nullptr;
    return std::unique_ptr<HttpConnection>(new HttpConnection(fd));
  }

  virtual ~HttpConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  int fd() const { return fd_; }

  // Sends all of `bytes`; false when the peer has gone (reset, broken pipe).
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = rawSend(bytes);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Half-closes the connection: the server reads end of stream.
  void shutdownWrite() { ::shutdown(fd_, SHUT_WR); }

  // Reads one response (a 1xx one included). nullopt when the connection
  // closed or `timeout` passed before a whole response arrived. `head`: the
  // response answers a HEAD request and so has no body, whatever its
  // Content-Length says.
  std::optional<HttpResponse> readResponse(std::chrono::milliseconds timeout = 10s,
                                           bool head = false) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (fill(deadline) != ReadResult::Data) return std::nullopt;
    }
    HttpResponse res;
    std::string_view head_text(buffer_.data(), end);
    size_t line_end = head_text.find("\r\n");
    std::string_view status_line = head_text.substr(0, line_end);
    // "HTTP/1.1 200 OK"
    if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") return std::nullopt;
    res.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
    if (status_line.size() > 13) res.reason = std::string(status_line.substr(13));
    std::string_view rest =
        line_end == std::string_view::npos ? std::string_view() : head_text.substr(line_end + 2);
    while (!rest.empty()) {
      size_t eol = rest.find("\r\n");
      std::string_view line = rest.substr(0, eol);
      rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 2);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      res.headers[name] = std::string(value);
    }
    buffer_.erase(0, end + 4);
    if (res.status / 100 == 1 || head || res.status == 204 || res.status == 304) return res;
    if (res.headers.contains("content-length")) {
      size_t length = std::stoul(res.headers["content-length"]);
      while (buffer_.size() < length) {
        if (fill(deadline) != ReadResult::Data) return std::nullopt;
      }
      res.body = buffer_.substr(0, length);
      buffer_.erase(0, length);
      return res;
    }
    // No length: the body runs to the end of the connection.
    while (true) {
      ReadResult r = fill(deadline);
      if (r == ReadResult::Timeout) return std::nullopt;
      if (r == ReadResult::Closed) break;
    }
    res.body = std::move(buffer_);
    buffer_.clear();
    return res;
  }

  // True when the server closes the connection (end of stream or reset)
  // within `timeout`; bytes that arrive meanwhile are kept for readResponse.
  bool waitClosed(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      ReadResult r = fill(deadline);
      if (r == ReadResult::Closed) return true;
      if (r == ReadResult::Timeout) return false;
    }
  }

  // True when the connection is still open and has nothing to read right now.
  bool openAndQuiet() {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;
  }

  // Bytes received but not yet consumed by readResponse.
  const std::string& pending() const { return buffer_; }

 protected:
  explicit HttpConnection(int fd) : fd_(fd) {}

  static void ignoreSigpipe() {
    static bool done = [] {
      ::signal(SIGPIPE, SIG_IGN);
      return true;
    }();
    (void)done;
  }

  static int connectFd(uint16_t port, const std::string& host) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return -1;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
  }

  // Waits until the socket is readable or the deadline passes.
  bool waitReadable(std::chrono::steady_clock::time_point deadline) {
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n > 0) return true;
      if (n < 0 && errno != EINTR) return true;  // let recv report the error
    }
  }

  virtual ssize_t rawSend(std::string_view bytes) {
    ssize_t n;
    do {
      n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  // Reads what is available into buffer_.
  virtual ReadResult fill(std::chrono::steady_clock::time_point deadline) {
    if (!waitReadable(deadline)) return ReadResult::Timeout;
    char buf[16384];
    ssize_t n;
    do {
      n = ::recv(fd_, buf, sizeof buf, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return ReadResult::Closed;  // end of stream, or reset
    buffer_.append(buf, static_cast<size_t>(n));
    return ReadResult::Data;
  }

  int fd_;
  std::string buffer_;
};

// HTTPS: the same client over TLS, verifying the server's certificate
// against `ca_file` and its IP address against the certificate.
class HttpsConnection : public HttpConnection {
 public:
  // nullptr when the TCP connection or the handshake fails; `error` says why.
  static std::unique_ptr<HttpsConnection> connect(uint16_t port, const std::string& ca_file,
                                                  std::string* error = nullptr,
                                                  const std::string& host = "127.0.0.1") {
    ignoreSigpipe();
    auto fail = [&](std::string why) -> std::unique_ptr<HttpsConnection> {
      if (error) *error = std::move(why);
      return nullptr;
    };
    int fd = connectFd(port, host);
    if (fd < 0) return fail("connect failed");
    std::unique_ptr<HttpsConnection> c(new HttpsConnection(fd));
    // A handshake that never completes must not hang the test.
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    c->ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(c->ctx_, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_load_verify_locations(c->ctx_, ca_file.c_str(), nullptr) != 1) {
      return fail("cannot load " + ca_file);
    }
    c->ssl_ = SSL_new(c->ctx_);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl_), host.c_str());
    SSL_set_fd(c->ssl_, fd);
    if (SSL_connect(c->ssl_) != 1) {
      char buf[256];
      ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
      return fail(std::string("TLS handshake failed: ") + buf);
    }
    return c;
  }

  ~HttpsConnection() override {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
  }

 private:
  explicit HttpsConnection(int fd) : HttpConnection(fd) {}

  ssize_t rawSend(std::string_view bytes) override {
    int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    return n > 0 ? n : -1;
  }

  ReadResult fill(std::chrono::steady_clock::time_point deadline) override {
    if (SSL_pending(ssl_) == 0 && !waitReadable(deadline)) return ReadResult::Timeout;
    char buf[16384];
    int n = SSL_read(ssl_, buf, sizeof buf);
    if (n <= 0) {
      int err = SSL_get_error(ssl_, n);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        return std::chrono::steady_clock::now() < deadline ? ReadResult::Data
                                                           : ReadResult::Timeout;
      }
      return ReadResult::Closed;
    }
    buffer_.append(buf, static_cast<size_t>(n));
    return ReadResult::Data;
  }

  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

// One request on a fresh connection ("Connection: close"); nullopt when the
// connection is refused or no response arrives in time.
inline std::optional<HttpResponse> httpRequest(uint16_t port, const std::string& method,
                                               const std::string& target,
                                               const std::string& body = "") {
  auto c = HttpConnection::connect(port);
  if (!c) return std::nullopt;
  std::string req = method + " " + target +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  if (!c->send(req)) return std::nullopt;
  return c->readResponse(10s, method == "HEAD");
}

inline std::optional<HttpResponse> httpGet(uint16_t port, const std::string& target) {
  return httpRequest(port, "GET", target);
}

}  // namespace ursa::test
