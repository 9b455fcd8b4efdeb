// The HTTP server's limits over real sockets: what keeps a misbehaving
// client from hurting the others (body size, header size and timeout, idle
// and connection limits, Expect: 100-continue, malformed requests, handlers
// that throw).

#include "test/http/server_test_support.h"

namespace ursa::http::server_test {
namespace {

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

}  // namespace
}  // namespace ursa::http::server_test
