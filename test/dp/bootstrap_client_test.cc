// The bootstrap client (src/dp/bootstrap_client.h) against a scripted HTTP
// server (ursa's own, plain and TLS): the request it sends, the answers it
// understands, retries while the control plane cannot answer, and the
// answers it does not retry.

#include "src/dp/bootstrap_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "absl/strings/escaping.h"
#include "src/common/tls_cert.h"
#include "src/http/server.h"

namespace ursa::dp {
namespace {

using ::testing::HasSubstr;

BootstrapParams params() {
  auto dp = parseDataplane(
      "type: Dataplane\nmesh: default\nname: web-1\nnetworking:\n  address: 127.0.0.1\n"
      "  inbound:\n  - port: 8080\n    tags: {kuma.io/service: web}\n",
      {});
  EXPECT_TRUE(dp.ok()) << dp.status();
  BootstrapParams p;
  p.dataplane = *dp;
  p.token = "a.b.c";
  p.ca_pem = "-----BEGIN CERTIFICATE-----\n...";
  p.proxy = "grpc";
  p.xds_server_uri = "127.0.0.1:41000";
  p.certificate_dir = "/run/ursa/web-1";
  return p;
}

RetryPolicy fast(absl::Duration max = absl::Seconds(5)) {
  return {.backoff = absl::Milliseconds(50), .max_duration = max,
          .request_timeout = absl::Seconds(5)};
}

TEST(BootstrapRequestTest, CarriesKumasFieldsAndUrsasExtension) {
  auto body = model::parseJson(bootstrapRequestBody(params()));
  ASSERT_TRUE(body.ok());
  const model::Json& j = *body;
  EXPECT_EQ(j["mesh"], "default");
  EXPECT_EQ(j["name"], "web-1");
  EXPECT_EQ(j["proxyType"], "dataplane");
  EXPECT_EQ(j["dataplaneToken"], "a.b.c");
  EXPECT_EQ(j["caCert"], "-----BEGIN CERTIFICATE-----\n...");
  EXPECT_EQ(j["version"]["kumaDp"]["version"], URSA_VERSION);
  EXPECT_EQ(j["ursa"]["proxy"], "grpc");
  EXPECT_EQ(j["ursa"]["xdsServerUri"], "127.0.0.1:41000");
  EXPECT_EQ(j["ursa"]["certificateDir"], "/run/ursa/web-1");
  // The Dataplane travels as a string holding its JSON.
  auto dp = model::parseJson(j["dataplaneResource"].get<std::string>());
  ASSERT_TRUE(dp.ok());
  EXPECT_EQ((*dp)["name"], "web-1");
  EXPECT_EQ((*dp)["networking"]["inbound"][0]["port"], 8080);
}

TEST(BootstrapRequestTest, WithoutATemplateNamesTheDataplaneAndSendsNoResource) {
  BootstrapParams p = params();
  auto by_name = dataplaneByName({.name = "web-2", .mesh = "demo"});
  ASSERT_TRUE(by_name.ok()) << by_name.status();
  p.dataplane = *by_name;
  auto req = model::Json::parse(bootstrapRequestBody(p));
  EXPECT_EQ(req["name"], "web-2");
  EXPECT_EQ(req["mesh"], "demo");
  EXPECT_FALSE(req.contains("dataplaneResource")) << req.dump();
  EXPECT_TRUE(model::Json::parse(bootstrapRequestBody(params())).contains("dataplaneResource"));
}

TEST(BootstrapResponseTest, DecodesTheJsonEnvelope) {
  std::string envelope = model::Json{{"bootstrap", absl::Base64Escape("{\"xds_servers\":[]}")},
                                     {"kumaSidecarConfiguration", {{"networking", {}}}}}
                             .dump();
  auto r = parseBootstrapResponse(200, "application/json", envelope);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->bootstrap, "{\"xds_servers\":[]}");
  EXPECT_TRUE(r->sidecar.contains("networking"));
}

TEST(BootstrapResponseTest, AcceptsTheBootstrapItself) {
  auto yaml = parseBootstrapResponse(200, "text/x-yaml", "node:\n  id: default.web-1\n");
  ASSERT_TRUE(yaml.ok());
  EXPECT_EQ(yaml->bootstrap, "node:\n  id: default.web-1\n");
  auto json = parseBootstrapResponse(200, "application/json", "{\"xds_servers\":[{}]}");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->bootstrap, "{\"xds_servers\":[{}]}");
}

TEST(BootstrapResponseTest, ClassifiesErrorsByWhetherRetryingHelps) {
  EXPECT_TRUE(absl::IsUnauthenticated(parseBootstrapResponse(401, "", "bad token").status()));
  EXPECT_TRUE(absl::IsPermissionDenied(parseBootstrapResponse(403, "", "other dp").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(parseBootstrapResponse(422, "", "invalid").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(parseBootstrapResponse(400, "", "bad").status()));
  EXPECT_TRUE(absl::IsUnavailable(parseBootstrapResponse(404, "", "not found").status()));
  EXPECT_TRUE(absl::IsUnavailable(parseBootstrapResponse(503, "", "starting").status()));
  auto s = parseBootstrapResponse(401, "text/plain", "token expired\nmore");
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("401: token expired"));
  EXPECT_FALSE(parseBootstrapResponse(200, "application/json", "{\"bootstrap\":\"***\"}").ok());
}

// A server answering from a script; the last answer repeats.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::deque<http::Response> script, std::optional<http::TlsFiles> tls = {},
                          uint16_t port = 0)
      : script_(std::move(script)) {
    auto s = http::Server::start({.name = "fake-cp", .port = port, .tls = tls},
                                 [this](const http::Request& r) { return answer(r); });
    EXPECT_TRUE(s.ok()) << s.status();
    if (s.ok()) server_ = std::move(*s);
  }
  uint16_t port() const { return server_->port(); }
  int requests() {
    std::lock_guard lock(mu_);
    return static_cast<int>(bodies_.size());
  }
  std::string lastBody() {
    std::lock_guard lock(mu_);
    return bodies_.empty() ? "" : bodies_.back();
  }
  std::string lastAccept() {
    std::lock_guard lock(mu_);
    return accept_;
  }

 private:
  http::Response answer(const http::Request& r) {
    std::lock_guard lock(mu_);
    bodies_.push_back(r.method + " " + r.path + " " + r.body);
    accept_ = r.header("accept");
    http::Response res = script_.front();
    if (script_.size() > 1) script_.pop_front();
    return res;
  }
  std::mutex mu_;
  std::deque<http::Response> script_;
  std::vector<std::string> bodies_;
  std::string accept_;
  http::ServerPtr server_;
};

http::Response okEnvelope(const std::string& bootstrap) {
  return http::Response::json(200, model::Json{{"bootstrap", absl::Base64Escape(bootstrap)}}.dump());
}

CpAddress plain(uint16_t port) { return {.tls = false, .host = "127.0.0.1", .port = port}; }

TEST(FetchBootstrapTest, PostsToBootstrapAndDecodes) {
  ScriptedServer cp({okEnvelope("{\"xds_servers\":[]}")});
  auto r = fetchBootstrap(plain(cp.port()), "", params(), fast());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->bootstrap, "{\"xds_servers\":[]}");
  EXPECT_THAT(cp.lastBody(), HasSubstr("POST /bootstrap {"));
  EXPECT_EQ(cp.lastAccept(), "application/json");
}

TEST(FetchBootstrapTest, RetriesWhileTheControlPlaneCannotAnswer) {
  ScriptedServer cp({http::Response::text(503, "starting"),
                     http::Response::text(404, "Dataplane not found"), okEnvelope("boot")});
  auto r = fetchBootstrap(plain(cp.port()), "", params(), fast());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->bootstrap, "boot");
  EXPECT_EQ(cp.requests(), 3);
}

TEST(FetchBootstrapTest, DoesNotRetryABadToken) {
  ScriptedServer cp({http::Response::text(401, "invalid dataplane token: expired")});
  auto r = fetchBootstrap(plain(cp.port()), "", params(), fast());
  EXPECT_TRUE(absl::IsUnauthenticated(r.status()));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("expired"));
  EXPECT_EQ(cp.requests(), 1);
}

TEST(FetchBootstrapTest, GivesUpOnAnUnreachableControlPlaneWithAClearError) {
  uint16_t port;
  {
    ScriptedServer gone({okEnvelope("x")});
    port = gone.port();
  }
  absl::Time start = absl::Now();
  auto r = fetchBootstrap(plain(port), "", params(), fast(absl::Milliseconds(400)));
  EXPECT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("could not reach the control plane"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST(FetchBootstrapTest, WaitsForAControlPlaneThatStartsLater) {
  uint16_t port;
  {
    ScriptedServer probe({okEnvelope("x")});
    port = probe.port();
  }
  std::unique_ptr<ScriptedServer> late;
  std::thread starter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    late = std::make_unique<ScriptedServer>(std::deque<http::Response>{okEnvelope("late")},
                                            std::nullopt, port);
  });
  auto r = fetchBootstrap(plain(port), "", params(), fast());
  starter.join();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->bootstrap, "late");
}

TEST(FetchBootstrapTest, StopsWhenAskedTo) {
  ScriptedServer cp({http::Response::text(503, "starting")});
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
  });
  auto r = fetchBootstrap(plain(cp.port()), "", params(), fast(), &stop);
  stopper.join();
  EXPECT_TRUE(absl::IsCancelled(r.status())) << r.status();
}

class TlsBootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ursa-dp-tls-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(tls::ensureSelfSignedCert(file("cp.crt"), file("cp.key"), {"localhost", "127.0.0.1"})
                    .ok());
    ASSERT_TRUE(
        tls::ensureSelfSignedCert(file("other.crt"), file("other.key"), {"localhost"}).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string file(const std::string& name) { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(TlsBootstrapTest, VerifiesTheControlPlaneWithTheGivenCa) {
  ScriptedServer cp({okEnvelope("tls-boot")}, http::TlsFiles{file("cp.crt"), file("cp.key")});
  CpAddress address{.tls = true, .host = "127.0.0.1", .port = cp.port()};
  auto ok = fetchBootstrap(address, file("cp.crt"), params(), fast());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->bootstrap, "tls-boot");

  auto wrong = fetchBootstrap(address, file("other.crt"), params(), fast(absl::Milliseconds(200)));
  EXPECT_FALSE(wrong.ok());
  EXPECT_THAT(std::string(wrong.status().message()), HasSubstr("certificate"));

  auto unverified = fetchBootstrap(address, "", params(), fast());
  EXPECT_TRUE(unverified.ok()) << unverified.status();
}

}  // namespace
}  // namespace ursa::dp
