// The HTTP server (src/http/server.h) over real sockets: what a handler sees
// and returns, keep-alive, start and shutdown. Limits are in
// server_limits_test.cc, TLS in server_tls_test.cc.

#include "test/http/server_test_support.h"

namespace ursa::http::server_test {
namespace {

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

}  // namespace
}  // namespace ursa::http::server_test
