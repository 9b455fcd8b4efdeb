// The HTTP server (src/http/server.h) over real sockets: what a handler sees
// and returns, keep-alive, and the limits that keep a misbehaving client from
// hurting the others (body size, header timeout, connection count), TLS and
// shutdown.

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "src/http/server.h"
#include "test/support/fake_clock.h"
#include "test/support/http_client.h"

namespace ursa::http {
namespace {

using namespace std::chrono_literals;
using test::HttpConnection;
using test::HttpResponse;
using test::HttpsConnection;
using Clock = std::chrono::steady_clock;

// Every request the handler saw, for the test to inspect.
class Recorder {
 public:
  void add(const Request& r) {
    std::lock_guard lock(mu_);
    seen_.push_back(r);
  }
  std::vector<Request> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return seen_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<Request> seen_;
};

class ServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_) server_->stop();
  }

  // Starts a server whose handler records the request and answers with
  // `respond` (by default: 200, the request's decoded path as the body).
  void start(ServerOptions options, Handler respond = nullptr) {
    if (!respond) respond = [](const Request& r) { return Response::text(200, r.path); };
    auto handler = [this, respond](const Request& r) {
      recorder_.add(r);
      return respond(r);
    };
    auto s = Server::start(std::move(options), std::move(handler));
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
    ASSERT_NE(server_->port(), 0);
  }

  uint16_t port() const { return server_->port(); }

  std::unique_ptr<HttpConnection> connect() {
    auto c = HttpConnection::connect(port());
    EXPECT_NE(c, nullptr) << "cannot connect to 127.0.0.1:" << port();
    return c;
  }

  static std::string get(const std::string& target, const std::string& extra_headers = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n";
  }

  ServerPtr server_;
  Recorder recorder_;
};

// --- Requests and responses ----------------------------------------------------------

TEST_F(ServerTest, AGetGetsTheHandlersStatusBodyHeadersAndContentType) {
  start({}, [](const Request& r) {
    if (r.path == "/json") return Response::json(201, R"({"a":1})");
    Response res{418, "application/x-tea", "short and stout", {{"X-Pot", "brown"}}};
    return res;
  });
  auto c = connect();
  ASSERT_TRUE(c->send(get("/teapot", "X-Mixed-Case: Value\r\n")));
  auto res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 418);
  EXPECT_EQ(res->header("content-type"), "application/x-tea");
  EXPECT_EQ(res->header("x-pot"), "brown");
  EXPECT_EQ(res->header("content-length"), "15");
  EXPECT_EQ(res->body, "short and stout");

  ASSERT_TRUE(c->send(get("/json")));
  res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->header("content-type"), "application/json");
  EXPECT_EQ(res->body, R"({"a":1})");

  auto seen = recorder_.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/teapot");
  EXPECT_EQ(seen[0].path, "/teapot");
  EXPECT_EQ(seen[0].header("x-mixed-case"), "Value");  // names lower-cased, values kept
  EXPECT_EQ(seen[0].header("host"), "127.0.0.1");
  EXPECT_EQ(seen[0].remote_address, "127.0.0.1");
  EXPECT_FALSE(seen[0].tls);
  EXPECT_TRUE(seen[0].body.empty());
}

TEST_F(ServerTest, ThePostBodyReachesTheHandler) {
  start({}, [](const Request& r) { return Response::text(200, r.method + ":" + r.body); });
  std::string body(100'000, 'x');
  for (size_t i = 0; i < body.size(); i += 7) body[i] = static_cast<char>('a' + i % 26);
  auto c = connect();
  ASSERT_TRUE(c->send("PUT /p HTTP/1.1\r\nHost: h\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body));
  auto res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "PUT:" + body);
}

TEST_F(ServerTest, PathAndQueryArePercentDecoded) {
  start({});
  auto c = connect();
  ASSERT_TRUE(c->send(
      get("/a%20b/c%2Fd/%E2%9C%93?x=1%262&y=%E2%9C%93&x=2&flag&plus=a+b&bad=%zz&%3Dk=v%3D&=novalue")));
  auto res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto seen = recorder_.seen();
  ASSERT_EQ(seen.size(), 1u);
  const Request& r = seen[0];
  EXPECT_EQ(r.target,
            "/a%20b/c%2Fd/%E2%9C%93?x=1%262&y=%E2%9C%93&x=2&flag&plus=a+b&bad=%zz&%3Dk=v%3D&="
            "novalue");
  EXPECT_EQ(r.path, "/a b/c/d/\xE2\x9C\x93");
  std::vector<std::pair<std::string, std::string>> xs;
  auto [lo, hi] = r.query.equal_range("x");
  for (auto it = lo; it != hi; ++it) xs.emplace_back(it->first, it->second);
  EXPECT_EQ(xs, (std::vector<std::pair<std::string, std::string>>{{"x", "1&2"}, {"x", "2"}}));
  EXPECT_EQ(r.queryParam("y"), "\xE2\x9C\x93");
  EXPECT_EQ(r.queryParam("flag"), "");
  EXPECT_EQ(r.queryParam("plus"), "a+b");  // '+' is not a space here
  EXPECT_EQ(r.queryParam("bad"), "%zz");   // an invalid escape is kept as written
  EXPECT_EQ(r.queryParam("=k"), "v=");
  EXPECT_EQ(r.queryParam("missing"), std::nullopt);
  EXPECT_EQ(r.query.size(), 7u);  // the pair without a name is dropped
}

TEST(PercentDecodeTest, DecodesValidEscapesAndKeepsInvalidOnes) {
  EXPECT_EQ(percentDecode("%41%62%2f%2F"), "Ab//");
  EXPECT_EQ(percentDecode("100%"), "100%");
  EXPECT_EQ(percentDecode("%4"), "%4");
  EXPECT_EQ(percentDecode("%g1x"), "%g1x");
  EXPECT_EQ(percentDecode("a%00b"), std::string("a\0b", 3));
  EXPECT_EQ(percentDecode("%%41"), "%A");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start({});
  auto c = connect();
  for (std::string path : {"/one", "/two", "/three"}) {
    ASSERT_TRUE(c->send(get(path))) << path;
    auto res = c->readResponse();
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->body, path);
    EXPECT_NE(res->header("connection"), "close");
  }
  // Pipelined: two requests in one write, answered in order.
  ASSERT_TRUE(c->send(get("/p1") + get("/p2")));
  auto r1 = c->readResponse();
  auto r2 = c->readResponse();
  ASSERT_TRUE(r1 && r2);
  EXPECT_EQ(r1->body, "/p1");
  EXPECT_EQ(r2->body, "/p2");
  // `Connection: close` is honoured: answered, then closed.
  ASSERT_TRUE(c->send(get("/last", "Connection: close\r\n")));
  auto last = c->readResponse();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->body, "/last");
  EXPECT_EQ(last->header("connection"), "close");
  EXPECT_TRUE(c->waitClosed(10s));
  EXPECT_EQ(recorder_.count(), 6u);
}

TEST_F(ServerTest, HttpOneZeroWithoutKeepAliveIsClosedAfterTheResponse) {
  start({});
  auto c = connect();
  ASSERT_TRUE(c->send("GET /old HTTP/1.0\r\n\r\n"));
  auto res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "/old");
  EXPECT_TRUE(c->waitClosed(10s));
}

// HEAD gets the headers a GET would get and no body (RFC 9110 §9.3.2); a
// body would be read as the start of the next response on the connection.
TEST_F(ServerTest, HeadGetsHeadersWithoutABodyAndTheConnectionStaysUsable) {
  start({}, [](const Request& r) { return Response::text(200, "the body of " + r.path); });
  auto c = connect();
  ASSERT_TRUE(c->send("HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n"));
  auto head = c->readResponse(10s, /*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), std::to_string(std::string("the body of /h").size()));
  ASSERT_TRUE(c->send(get("/g")));
  auto res = c->readResponse();
  ASSERT_TRUE(res) << "pending bytes: " << c->pending();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "the body of /g");
}

// 204 and 304 responses have no body (RFC 9110 §15.3.5, §15.4.5); a handler
// that gives one anyway must not take the server down.
TEST_F(ServerTest, ABodyOnA204IsDroppedAndTheServerSurvives) {
  start({}, [](const Request& r) {
    if (r.path == "/nothing") return Response::text(204, "a body that must not be sent");
    return Response::text(200, "after");
  });
  auto c = connect();
  ASSERT_TRUE(c->send(get("/nothing") + get("/after")));
  auto res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  auto after = c->readResponse();
  ASSERT_TRUE(after) << "pending bytes: " << c->pending();
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(after->body, "after");
}

// --- Limits ---------------------------------------------------------------------------

TEST_F(ServerTest, ABodyOverTheLimitGets413AndOthersAreStillServed) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  start(o, [](const Request& r) { return Response::text(200, r.body); });

  // Exactly the limit is fine.
  std::string at_limit(1024, 'a');
  auto ok = connect();
  ASSERT_TRUE(ok->send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1024\r\n\r\n" + at_limit));
  auto res = ok->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, at_limit);

  // One byte over, announced by Content-Length.
  auto big = connect();
  big->send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1025\r\n\r\n" + std::string(1025, 'b'));
  res = big->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_NE(res->body.find("1024"), std::string::npos) << res->body;
  EXPECT_TRUE(big->waitClosed(10s));

  // Over the limit in chunks, without a Content-Length.
  auto chunked = connect();
  std::string chunk(800, 'c');
  chunked->send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk +
                "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n");
  res = chunked->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);

  EXPECT_EQ(recorder_.count(), 1u);  // the handler never saw the large ones
  auto after = test::httpGet(port(), "/after");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(ServerTest, OversizedHeadersGet431) {
  ServerOptions o;
  o.max_header_bytes = 1024;
  start(o);
  auto c = connect();
  c->send(get("/", "X-Big: " + std::string(4096, 'h') + "\r\n"));
  auto res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 431);
  EXPECT_EQ(recorder_.count(), 0u);
  auto after = test::httpGet(port(), "/after");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(ServerTest, AClientStalledInItsHeadersIsCutOffWhileOthersAreServed) {
  ServerOptions o;
  o.header_timeout = 300ms;
  o.idle_timeout = 60s;
  o.body_timeout = 60s;
  o.threads = 1;  // one thread: the stalled client must not occupy it
  start(o);

  auto stalled = connect();
  auto started = Clock::now();
  ASSERT_TRUE(stalled->send("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Partial: "));
  // Others are served while it stalls.
  for (int i = 0; i < 3; ++i) {
    auto res = test::httpGet(port(), "/other");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  }
  // The stalled one is closed after header_timeout, long before the other timeouts.
  ASSERT_TRUE(stalled->waitClosed(10s));
  auto took = Clock::now() - started;
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 10s);
  EXPECT_EQ(recorder_.count(), 3u);
}

// The header deadline holds for every request on a connection, not only the
// first: after one request, half a header must not hold the connection for
// the (much longer) idle timeout.
TEST_F(ServerTest, AClientStalledInTheHeadersOfItsSecondRequestIsCutOff) {
  ServerOptions o;
  o.header_timeout = 300ms;
  o.idle_timeout = 30s;
  o.body_timeout = 30s;
  start(o);
  auto c = connect();
  ASSERT_TRUE(c->send(get("/first")));
  ASSERT_TRUE(c->readResponse());
  auto started = Clock::now();
  ASSERT_TRUE(c->send("GET /second HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Partial: "));
  ASSERT_TRUE(c->waitClosed(20s));
  auto took = Clock::now() - started;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 10s) << "cut off by the idle timeout, not the header timeout";
}

// An idle keep-alive connection, on the other hand, may stay for idle_timeout.
TEST_F(ServerTest, AnIdleKeepAliveConnectionOutlivesTheHeaderTimeout) {
  ServerOptions o;
  o.header_timeout = 200ms;
  o.idle_timeout = 30s;
  start(o);
  auto c = connect();
  ASSERT_TRUE(c->send(get("/first")));
  ASSERT_TRUE(c->readResponse());
  EXPECT_FALSE(c->waitClosed(1s));  // idle for five header timeouts
  ASSERT_TRUE(c->send(get("/second")));
  auto res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "/second");
}

TEST_F(ServerTest, AnIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions o;
  o.idle_timeout = 300ms;
  start(o);
  auto c = connect();
  ASSERT_TRUE(c->send(get("/first")));
  ASSERT_TRUE(c->readResponse());
  auto started = Clock::now();
  EXPECT_TRUE(c->waitClosed(10s));
  EXPECT_GE(Clock::now() - started, 250ms);
}

// A client that keeps sending one header byte at a time never completes its
// headers; the deadline is for the whole header, not for each byte.
TEST_F(ServerTest, AClientDribblingItsHeadersIsCutOffAtTheHeaderTimeout) {
  ServerOptions o;
  o.header_timeout = 300ms;
  o.idle_timeout = 60s;
  o.body_timeout = 60s;
  start(o);
  auto c = connect();
  auto started = Clock::now();
  ASSERT_TRUE(c->send("GET / HTTP/1.1\r\nX-Slow: "));
  bool closed = false;
  while (Clock::now() - started < 10s) {
    if (!c->send("a") || c->waitClosed(50ms)) {
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed) << "a client dribbling one byte every 50ms held its connection for 10s";
  auto took = Clock::now() - started;
  EXPECT_GE(took, 300ms);
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(ServerTest, AConnectionBeyondTheLimitGets503) {
  ServerOptions o;
  o.max_connections = 2;
  start(o);
  // Two connections, each known to the server (a request answered on it).
  auto a = connect();
  auto b = connect();
  for (auto* c : {a.get(), b.get()}) {
    ASSERT_TRUE(c->send(get("/held")));
    auto res = c->readResponse();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  }
  auto third = connect();
  third->send(get("/third"));
  auto refused = third->readResponse();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->header("connection"), "close");
  EXPECT_TRUE(third->waitClosed(10s));
  // The held connections still work.
  ASSERT_TRUE(a->send(get("/still")));
  auto still = a->readResponse();
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);

  // Once one closes, a new connection is served again.
  a.reset();
  std::optional<HttpResponse> res;
  auto deadline = Clock::now() + 10s;
  do {
    res = test::httpGet(port(), "/again");
    if (res && res->status == 200) break;
    std::this_thread::sleep_for(20ms);
  } while (Clock::now() < deadline);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "/again");
}

TEST_F(ServerTest, ExpectContinueGets100ThenTheResponse) {
  start({}, [](const Request& r) { return Response::text(200, "got " + r.body); });
  auto c = connect();
  ASSERT_TRUE(c->send(
      "PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n"));
  auto cont = c->readResponse();
  ASSERT_TRUE(cont);
  EXPECT_EQ(cont->status, 100);
  EXPECT_EQ(recorder_.count(), 0u);  // the handler waits for the body
  ASSERT_TRUE(c->send("hello world"));
  auto res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "got hello world");
}

TEST_F(ServerTest, ExpectContinueWithATooLargeBodyGets413InsteadOf100) {
  ServerOptions o;
  o.max_body_bytes = 10;
  start(o);
  auto c = connect();
  ASSERT_TRUE(c->send(
      "PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n"));
  auto res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(ServerTest, MalformedRequestsGet400AndTheServerKeepsServing) {
  start({});
  const std::vector<std::string> bad = {
      "GARBAGE\r\n\r\n",
      "GET / HTTP/1.1\r\nthis line has no colon\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "GET / HTTP/x.y\r\nHost: h\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      std::string("GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n"),
  };
  for (const auto& raw : bad) {
    auto c = connect();
    c->send(raw);
    auto res = c->readResponse();
    ASSERT_TRUE(res) << "no response to: " << raw;
    EXPECT_EQ(res->status, 400) << raw;
    EXPECT_TRUE(c->waitClosed(10s)) << raw;
  }
  EXPECT_EQ(recorder_.count(), 0u);
  auto good = test::httpGet(port(), "/fine");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
}

TEST_F(ServerTest, AHandlerThatThrowsGets500AndTheServerSurvives) {
  start({}, [](const Request& r) -> Response {
    if (r.path == "/std") throw std::runtime_error("boom");
    if (r.path == "/other") throw 42;  // not a std::exception
    return Response::text(200, "fine");
  });
  auto c = connect();
  for (std::string path : {"/std", "/other"}) {
    ASSERT_TRUE(c->send(get(path))) << path;
    auto res = c->readResponse();
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 500) << path;
    EXPECT_EQ(res->body.find("boom"), std::string::npos);  // no internals to the client
  }
  ASSERT_TRUE(c->send(get("/ok")));  // same connection
  auto res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto fresh = test::httpGet(port(), "/ok");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 200);
}

// --- Start and stop -----------------------------------------------------------------

TEST_F(ServerTest, StartFailsClearlyOnABusyPortOrABadAddress) {
  start({});
  ServerOptions same;
  same.port = port();
  auto second = Server::start(same, [](const Request&) { return Response::text(200, ""); });
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(absl::IsUnavailable(second.status())) << second.status();
  EXPECT_NE(second.status().message().find(std::to_string(port())), absl::string_view::npos)
      << second.status();

  ServerOptions bad;
  bad.address = "not-an-address";
  auto third = Server::start(bad, [](const Request&) { return Response::text(200, ""); });
  ASSERT_FALSE(third.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(third.status())) << third.status();
}

TEST_F(ServerTest, StopIsPromptIdempotentAndClosesEverything) {
  ServerOptions o;
  o.header_timeout = 60s;
  o.idle_timeout = 60s;
  o.body_timeout = 60s;
  start(o);
  uint16_t p = port();
  auto idle = connect();
  ASSERT_TRUE(idle->send(get("/")));
  ASSERT_TRUE(idle->readResponse());
  auto stalled = connect();
  ASSERT_TRUE(stalled->send("GET / HTTP/1.1\r\nHost: h\r\n"));

  auto started = Clock::now();
  server_->stop();
  EXPECT_LT(Clock::now() - started, 5s);
  started = Clock::now();
  server_->stop();
  EXPECT_LT(Clock::now() - started, 1s);

  // The connections are closed, and nothing listens any more.
  EXPECT_TRUE(idle->waitClosed(5s));
  EXPECT_TRUE(stalled->waitClosed(5s));
  auto late = HttpConnection::connect(p);
  if (late) {
    late->send(get("/late"));
    EXPECT_FALSE(late->readResponse(2s)) << "a stopped server answered";
  }
  server_.reset();  // the destructor after stop() is fine too
}

TEST(ServerLifetimeTest, DestroyingARunningServerStopsIt) {
  auto s = Server::start({}, [](const Request&) { return Response::text(200, "x"); });
  ASSERT_TRUE(s.ok()) << s.status();
  uint16_t p = (*s)->port();
  auto c = HttpConnection::connect(p);
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->send("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(c->readResponse());
  auto started = Clock::now();
  s->reset();
  EXPECT_LT(Clock::now() - started, 5s);
  EXPECT_TRUE(c->waitClosed(5s));
}

// --- TLS -----------------------------------------------------------------------------

// A self-signed certificate for IP 127.0.0.1 and its key, written as PEM.
void writeSelfSignedCertificate(const std::string& cert_file, const std::string& key_file) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("ursa test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    ASSERT_NE(ext, nullptr);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  FILE* f = std::fopen(cert_file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen(key_file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

class TlsServerTest : public ServerTest {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir("http-tls");
    cert_ = (dir_ / "cert.pem").string();
    key_ = (dir_ / "key.pem").string();
    ASSERT_NO_FATAL_FAILURE(writeSelfSignedCertificate(cert_, key_));
  }
  void TearDown() override {
    ServerTest::TearDown();
    std::filesystem::remove_all(dir_);
  }
  ServerOptions tlsOptions() {
    ServerOptions o;
    o.tls = TlsFiles{cert_, key_};
    return o;
  }
  std::unique_ptr<HttpsConnection> connectTls() {
    std::string error;
    auto c = HttpsConnection::connect(port(), cert_, &error);
    EXPECT_NE(c, nullptr) << error;
    return c;
  }

  std::filesystem::path dir_;
  std::string cert_;
  std::string key_;
};

TEST_F(TlsServerTest, ServesHttps) {
  start(tlsOptions(), [](const Request& r) {
    return Response::text(200, std::string(r.tls ? "tls " : "plain ") + r.path + " " + r.body);
  });
  auto c = connectTls();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->send(get("/secure")));
  auto res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "tls /secure ");
  // Keep-alive over TLS, with a body.
  ASSERT_TRUE(c->send("POST /again HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody"));
  res = c->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "tls /again body");
  auto seen = recorder_.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0].tls);
}

TEST_F(TlsServerTest, PlainHttpOnTheTlsPortIsNotServed) {
  start(tlsOptions());
  auto c = connect();
  c->send(get("/plain"));
  auto res = c->readResponse(5s);
  EXPECT_FALSE(res && res->status == 200);
  EXPECT_EQ(recorder_.count(), 0u);
  // The server is fine afterwards.
  auto tls = connectTls();
  ASSERT_NE(tls, nullptr);
  ASSERT_TRUE(tls->send(get("/x")));
  auto ok = tls->readResponse();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(TlsServerTest, AClientThatNeverHandshakesIsCutOffAtTheHeaderTimeout) {
  ServerOptions o = tlsOptions();
  o.header_timeout = 300ms;
  o.idle_timeout = 60s;
  o.body_timeout = 60s;
  start(o);
  auto c = connect();
  auto started = Clock::now();
  EXPECT_TRUE(c->waitClosed(10s));
  EXPECT_GE(Clock::now() - started, 250ms);
}

TEST_F(TlsServerTest, AConnectionBeyondTheLimitGets503OverTls) {
  ServerOptions o = tlsOptions();
  o.max_connections = 1;
  start(o);
  auto first = connectTls();
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(first->send(get("/held")));
  ASSERT_TRUE(first->readResponse());
  std::string error;
  auto second = HttpsConnection::connect(port(), cert_, &error);
  ASSERT_NE(second, nullptr) << "a refused TLS client should still get a handshake and a 503: "
                             << error;
  second->send(get("/refused"));
  auto res = second->readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
}

TEST_F(TlsServerTest, AMissingCertificateFailsTheStartNamingTheFile) {
  ServerOptions o = tlsOptions();
  o.tls->cert_file = (dir_ / "missing.pem").string();
  auto s = Server::start(o, [](const Request&) { return Response::text(200, ""); });
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(s.status())) << s.status();
  EXPECT_NE(s.status().message().find("missing.pem"), absl::string_view::npos) << s.status();
}

}  // namespace
}  // namespace ursa::http
