// The HTTP server over TLS: HTTPS served, plain HTTP refused, handshake
// timeout and connection limit, a missing certificate named.

#include "test/http/server_test_support.h"

namespace ursa::http::server_test {
namespace {

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
}  // namespace ursa::http::server_test
