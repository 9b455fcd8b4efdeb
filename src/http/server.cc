#include "src/http/server.h"

#include <atomic>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "src/http/client_hello.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"

namespace ursa::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

// --- Request / Response helpers -----------------------------------------------

std::string Request::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::optional<std::string> Request::queryParam(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

Response Response::text(int status, std::string body) {
  return Response{status, "text/plain; charset=utf-8", std::move(body), {}};
}

Response Response::json(int status, std::string body) {
  return Response{status, "application/json", std::move(body), {}};
}

std::string percentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex(s[i + 1]);
      int lo = hex(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

namespace {

void parseTarget(std::string_view target, Request& req) {
  size_t q = target.find('?');
  req.path = percentDecode(target.substr(0, q));
  if (q == std::string_view::npos) return;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    size_t eq = pair.find('=');
    std::string key = percentDecode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : percentDecode(pair.substr(eq + 1));
    if (!key.empty()) req.query.emplace(std::move(key), std::move(value));
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
}

// State shared by the server and every session; outlives both.
struct Shared {
  ServerOptions options;
  Handler handler;
  std::atomic<size_t> connections{0};
  std::shared_ptr<spdlog::logger> log;
};

// A stream-agnostic session: Stream is beast::tcp_stream or an SSL stream on it.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(std::shared_ptr<Shared> shared, Stream stream, std::string remote, bool tls)
      : shared_(std::move(shared)), stream_(std::move(stream)), remote_(std::move(remote)),
        tls_(tls) {
    ++shared_->connections;
  }
  ~Session() { --shared_->connections; }

  void start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      readHeader(shared_->options.header_timeout);
    } else {
      beast::get_lowest_layer(stream_).expires_after(shared_->options.header_timeout);
      if (shared_->options.handoff) return readClientHello();
      handshake();
    }
  }

  // TLS: handshake, with whatever ClientHello bytes were already read.
  void handshake() {
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      auto done = [self = this->shared_from_this()](beast::error_code ec, size_t) {
        if (!ec) self->readHeader(self->shared_->options.header_timeout);
      };
      stream_.async_handshake(ssl::stream_base::server, net::buffer(hello_), std::move(done));
    }
  }

  // Reads the raw ClientHello to decide who serves this connection.
  void readClientHello() {
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      constexpr size_t kMaxHello = 16 << 10;
      size_t have = hello_.size();
      hello_.resize(have + 2048);
      beast::get_lowest_layer(stream_).socket().async_read_some(
          net::buffer(hello_.data() + have, hello_.size() - have),
          [self = this->shared_from_this(), have](beast::error_code ec, size_t n) {
            self->hello_.resize(have + n);
            if (ec) return self->close();
            ClientHello hello = parseClientHello(self->hello_);
            if (hello.status == HelloStatus::NeedMore && self->hello_.size() < kMaxHello) {
              return self->readClientHello();
            }
            const auto& o = self->shared_->options;
            bool wanted = std::find(hello.alpn.begin(), hello.alpn.end(), o.handoff_alpn) !=
                          hello.alpn.end();
            if (hello.status == HelloStatus::Complete && wanted) {
              beast::error_code rel;
              int fd = beast::get_lowest_layer(self->stream_).socket().release(rel);
              if (!rel) o.handoff(fd, std::move(self->hello_));
              return;
            }
            self->handshake();
          });
    }
  }

  // Answers 503 and closes: used when the server is at its connection limit.
  // A TLS client gets the handshake first, or it could not read the answer.
  void refuse() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      writeRefusal();
    } else {
      beast::get_lowest_layer(stream_).expires_after(shared_->options.header_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->writeRefusal();
                              });
    }
  }

 private:
  void writeRefusal() {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        bhttp::status::service_unavailable, 11);
    res->set(bhttp::field::content_type, "text/plain; charset=utf-8");
    res->set(bhttp::field::connection, "close");
    res->body() = "too many connections; try again later\n";
    res->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    bhttp::async_write(stream_, *res,
                       [self = this->shared_from_this(), res](beast::error_code, size_t) {
                         self->close();
                       });
  }

  // Between requests on a keep-alive connection: the next request may take
  // up to idle_timeout to begin, and its headers then have header_timeout to
  // arrive in full, as the first request's did.
  void awaitNextRequest() {
    if (buffer_.size() > 0) return readHeader(shared_->options.header_timeout);  // pipelined
    beast::get_lowest_layer(stream_).expires_after(shared_->options.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(4096), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
          if (ec) return self->close();  // closed by the client, or idle too long
          self->buffer_.commit(n);
          self->readHeader(self->shared_->options.header_timeout);
        });
  }

  void readHeader(std::chrono::milliseconds timeout) {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(shared_->options.max_header_bytes));
    parser_->body_limit(shared_->options.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, size_t) {
                               self->onHeader(ec);
                             });
  }

  void onHeader(beast::error_code ec) {
    if (ec) return onReadError(ec);
    auto& req = parser_->get();
    beast::get_lowest_layer(stream_).expires_after(shared_->options.body_timeout);
    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       req.version());
      bhttp::async_write(stream_, *cont,
                         [self = this->shared_from_this(), cont](beast::error_code wec, size_t) {
                           if (wec) return self->close();
                           self->readBody();
                         });
      return;
    }
    readBody();
  }

  void readBody() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->onReadError(ec);
                        self->handle();
                      });
  }

  void onReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return replyAndClose(413, strCat("request body is larger than the limit of ",
                                       shared_->options.max_body_bytes, " bytes\n"));
    }
    if (ec == bhttp::error::header_limit) {
      return replyAndClose(431, "request headers are too large\n");
    }
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::eof || ec == net::error::connection_reset ||
        ec == net::error::operation_aborted || ec == ssl::error::stream_truncated) {
      return close();
    }
    replyAndClose(400, strCat("malformed HTTP request: ", ec.message(), "\n"));
  }

  void replyAndClose(int status, std::string body) {
    Response r = Response::text(status, std::move(body));
    write(r, /*keep_alive=*/false, parser_ ? parser_->get().version() : 11);
  }

  void handle() {
    auto& raw = parser_->get();
    Request req;
    req.method = std::string(raw.method_string());
    req.target = std::string(raw.target());
    parseTarget(req.target, req);
    for (const auto& field : raw) {
      std::string name(field.name_string());
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      req.headers[name] = std::string(field.value());
    }
    req.body = std::move(raw.body());
    req.remote_address = remote_;
    req.tls = tls_;
    Response res;
    try {
      res = shared_->handler(req);
    } catch (const std::exception& e) {
      shared_->log->error("handler failed on {} {}: {}", req.method, req.path, e.what());
      res = Response::text(500, "internal server error\n");
    } catch (...) {
      shared_->log->error("handler failed on {} {}: unknown exception", req.method, req.path);
      res = Response::text(500, "internal server error\n");
    }
    write(res, raw.keep_alive(), raw.version(), raw.method() == bhttp::verb::head);
  }

  // `head`: the response answers a HEAD request, so it carries the headers of
  // the response (Content-Length included) but not its body.
  void write(const Response& r, bool keep_alive, unsigned version, bool head = false) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(r.status), version);
    res->set(bhttp::field::server, "ursa");
    res->set(bhttp::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res->set(k, v);
    res->body() = r.body;
    // 1xx, 204 and 304 responses have no body (and Beast throws on one).
    int code = r.status;
    if (code / 100 == 1 || code == 204 || code == 304) res->body().clear();
    res->keep_alive(keep_alive);
    res->prepare_payload();
    if (head) res->body().clear();
    beast::get_lowest_layer(stream_).expires_after(shared_->options.body_timeout);
    bhttp::async_write(stream_, *res,
                       [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
                         if (ec || !res->keep_alive()) return self->close();
                         self->awaitNextRequest();
                       });
  }

  void close() {
    beast::error_code ec;
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(1));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both,
                                                                 ignored);
      });
      return;
    }
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  std::shared_ptr<Shared> shared_;
  Stream stream_;
  std::string remote_;
  bool tls_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string hello_;  // TLS bytes read before the handshake (handoff servers)
};

class ServerImpl : public Server {
 public:
  ServerImpl(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {
    ioc_.emplace();
    acceptor_.emplace(*ioc_);
  }
  ~ServerImpl() override { stop(); }

  absl::Status listen() {
    const auto& o = shared_->options;
    if (o.tls) URSA_RETURN_IF_ERROR(setupTls(*o.tls));
    beast::error_code ec;
    auto address = net::ip::make_address(o.address, ec);
    if (ec) return absl::InvalidArgumentError(strCat(o.name, ": bad address \"", o.address, "\""));
    tcp::endpoint ep(address, o.port);
    acceptor_->open(ep.protocol(), ec);
    if (!ec) acceptor_->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(ep, ec);
    if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(
          strCat(o.name, ": cannot listen on ", o.address, ":", o.port, ": ", ec.message()));
    }
    port_ = acceptor_->local_endpoint().port();
    accept();
    for (int i = 0; i < std::max(1, o.threads); ++i) threads_.emplace_back([this] { ioc_->run(); });
    return absl::OkStatus();
  }

  uint16_t port() const override { return port_; }

  void stop() override {
    if (stopped_.exchange(true)) return;
    ioc_->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    // No thread runs the io_context any more. Close the listener, then destroy
    // the io_context: that destroys the pending handlers, and with them every
    // session and its socket, so that clients see their connections close now
    // rather than when the Server is destroyed.
    beast::error_code ec;
    acceptor_->close(ec);
    acceptor_.reset();
    ioc_.reset();
  }

 private:
  absl::Status setupTls(const TlsFiles& files) {
    tls_ = std::make_unique<ssl::context>(ssl::context::tls_server);
    tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    tls_->use_certificate_chain_file(files.cert_file, ec);
    if (!ec) tls_->use_private_key_file(files.key_file, ssl::context::pem, ec);
    if (ec) {
      return absl::InvalidArgumentError(strCat(shared_->options.name, ": TLS certificate ",
                                               files.cert_file, " / key ", files.key_file, ": ",
                                               ec.message()));
    }
    return absl::OkStatus();
  }

  void accept() {
    acceptor_->async_accept(net::make_strand(*ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec != net::error::operation_aborted) accept();
        return;
      }
      onAccept(std::move(s));
      accept();
    });
  }

  void onAccept(tcp::socket socket) {
    beast::error_code ec;
    auto peer = socket.remote_endpoint(ec);
    std::string remote = ec ? "" : peer.address().to_string();
    bool full = shared_->connections.load() >= shared_->options.max_connections;
    if (tls_) {
      using TlsStream = ssl::stream<beast::tcp_stream>;
      auto s = std::make_shared<Session<TlsStream>>(
          shared_, TlsStream(beast::tcp_stream(std::move(socket)), *tls_), remote, true);
      full ? s->refuse() : s->start();
    } else {
      auto s = std::make_shared<Session<beast::tcp_stream>>(
          shared_, beast::tcp_stream(std::move(socket)), remote, false);
      full ? s->refuse() : s->start();
    }
  }

  std::shared_ptr<Shared> shared_;
  // Optional so that stop() can destroy them (the acceptor first).
  std::optional<net::io_context> ioc_;
  std::optional<tcp::acceptor> acceptor_;
  std::unique_ptr<ssl::context> tls_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::start(ServerOptions options, Handler handler) {
  auto shared = std::make_shared<Shared>();
  shared->log = logger(options.name);
  shared->options = std::move(options);
  shared->handler = std::move(handler);
  auto server = std::make_unique<ServerImpl>(shared);
  URSA_RETURN_IF_ERROR(server->listen());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace ursa::http
