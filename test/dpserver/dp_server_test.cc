// The data plane server end to end, in one control plane process: POST
// /bootstrap over HTTPS and ADS over gRPC share one TLS port; dataplane
// tokens are checked on both; a registered proxyless proxy receives its
// listeners, clusters and mTLS identity; a proxy may act only as the
// Dataplane its token names; bad input ends only the stream that sent it.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/secret.pb.h"
#include "spdlog/sinks/ostream_sink.h"
#include "src/cp/control_plane.h"
#include "test/support/fake_clock.h"
#include "test/support/http_client.h"
#include "test/xds/ads_client.h"
#include "ursa/common/logging.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::dpserver {
namespace {

using envoy::service::discovery::v3::DiscoveryRequest;
using model::Json;
using namespace std::chrono_literals;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr char kDataplane[] = R"({"type":"Dataplane","mesh":"default","name":"backend-1",
  "networking":{"address":"127.0.0.1","inbound":[{"port":50051,
  "tags":{"kuma.io/service":"backend","kuma.io/protocol":"grpc"}}]}})";

class DpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir("dp");
    std::map<std::string, std::string> env = {
        {"HOME", dir_.string()},
        {"URSA_STORE_TYPE", "memory"},
        {"URSA_API_SERVER_HTTP_PORT", "0"},
        {"URSA_API_SERVER_HTTPS_PORT", "0"},
        {"URSA_DIAGNOSTICS_SERVER_PORT", "0"},
        {"URSA_DP_SERVER_PORT", "0"},
        {"URSA_LOG_LEVEL", "warn"},
    };
    auto config = config::loadConfig({"", env});
    ASSERT_TRUE(config.ok()) << config.status();
    auto cp = cp::ControlPlane::start(*config);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = std::move(*cp);
    enableMtls();
    auto token = cp_->dataplaneTokens()->issue({.name = "backend-1", .mesh = "default"});
    ASSERT_TRUE(token.ok()) << token.status();
    token_ = *token;
  }
  void TearDown() override {
    cp_.reset();
    std::filesystem::remove_all(dir_);
  }

  void enableMtls() {
    auto doc = model::parseYaml(R"(
type: Mesh
name: default
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
)");
    auto mesh = model::decodeResource(*doc);
    ASSERT_TRUE(mesh.ok()) << mesh.status();
    ASSERT_TRUE(cp_->manager().upsert(*mesh).ok());
  }

  test::HttpResponse post(const std::string& body, bool json = false) {
    std::string error;
    auto c = test::HttpsConnection::connect(cp_->dpServerPort(), cp_->dpServerCertFile(), &error);
    if (!c) {
      ADD_FAILURE() << "HTTPS to the data plane server failed: " << error;
      return {};
    }
    std::string req = "POST /bootstrap HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                      std::string(json ? "Accept: application/json\r\n" : "") +
                      "Content-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body;
    c->send(req);
    auto r = c->readResponse(10s);
    return r ? *r : test::HttpResponse{};
  }

  std::string bootstrapBody(const std::string& token, const std::string& name = "backend-1") {
    Json j = {{"mesh", "default"},
              {"name", name},
              {"dataplaneToken", token},
              {"dataplaneResource", Json::parse(kDataplane).dump()},
              {"ursa", {{"proxy", "grpc"}, {"xdsServerUri", "127.0.0.1:1"},
                        {"certificateDir", "/tmp/certs"}}}};
    if (name != "backend-1") {
      Json dp = Json::parse(kDataplane);
      dp["name"] = name;
      j["dataplaneResource"] = dp.dump();
    }
    return j.dump();
  }

  std::shared_ptr<grpc::Channel> channel() {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = readFile(cp_->dpServerCertFile());
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(cp_->dpServerPort()),
                                     grpc::SslCredentials(ssl), args);
  }

  DiscoveryRequest request(xds::TypeIndex t, std::vector<std::string> names,
                           const std::string& node = "default.backend-1") {
    DiscoveryRequest r;
    r.set_type_url(std::string(xds::typeUrl(t)));
    r.mutable_node()->set_id(node);
    r.mutable_node()->set_user_agent_name("gRPC C-core");
    r.mutable_node()->set_user_agent_version("1.51.1");
    for (auto& n : names) r.add_resource_names(n);
    return r;
  }

  std::filesystem::path dir_;
  std::unique_ptr<cp::ControlPlane> cp_;
  std::string token_;
};

TEST_F(DpServerTest, BootstrapRegistersTheDataplaneAndReturnsAGrpcBootstrap) {
  auto r = post(bootstrapBody(token_), /*json=*/true);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("kuma-bootstrap-version"), "3");
  auto body = Json::parse(r.body);
  std::string decoded;
  ASSERT_TRUE(absl::Base64Unescape(body["bootstrap"].get<std::string>(), &decoded));
  auto bootstrap = Json::parse(decoded);
  EXPECT_EQ(bootstrap["node"]["id"], "default.backend-1");
  // @grpc/grpc-js-xds rejects a node without a locality.
  EXPECT_TRUE(bootstrap["node"]["locality"].is_object()) << decoded;
  EXPECT_EQ(bootstrap["xds_servers"][0]["server_uri"], "127.0.0.1:1");
  auto provider = bootstrap["certificate_providers"]["default"];
  EXPECT_EQ(provider["plugin_name"], "file_watcher");
  // One file for the chain and the key: a refresh cannot pair a new
  // certificate with the old key.
  EXPECT_EQ(provider["config"]["certificate_file"], provider["config"]["private_key_file"]);
  EXPECT_TRUE(provider["config"]["certificate_file"].get<std::string>().ends_with("/identity.pem"))
      << decoded;
  EXPECT_TRUE(cp_->manager().store().get({&model::TypeRegistry::instance().dataplane(), "default",
                                          "backend-1"}).ok());
}

TEST_F(DpServerTest, BootstrapRefusesBadTokensAndForeignDataplanes) {
  EXPECT_EQ(post(bootstrapBody("not-a-token")).status, 401);
  EXPECT_EQ(post(bootstrapBody("")).status, 401);
  // A token for backend-1 cannot register backend-2.
  auto r = post(bootstrapBody(token_, "backend-2"));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(post("{not json").status, 400);
}

TEST_F(DpServerTest, AProxylessProxyGetsItsListenersAndIdentity) {
  ASSERT_EQ(post(bootstrapBody(token_)).status, 200);
  auto c = xds::test::openSotw(channel(), {{"authorization", token_}});
  std::string server_listener = "grpc/server?xds.resource.listening_address=0.0.0.0:50051";
  ASSERT_TRUE(c->send(request(xds::TypeIndex::Listener, {server_listener})));
  auto lds = c->next(10s);
  ASSERT_TRUE(lds) << "no Listener response";
  ASSERT_EQ(lds->resources_size(), 1);
  envoy::config::listener::v3::Listener l;
  ASSERT_TRUE(lds->resources(0).UnpackTo(&l));
  EXPECT_EQ(l.name(), server_listener);
  EXPECT_EQ(l.address().socket_address().port_value(), 50051u);
  EXPECT_TRUE(l.filter_chains(0).has_transport_socket()) << "mTLS is on";

  ASSERT_TRUE(c->send(request(xds::TypeIndex::Secret, {"identity_cert:secret:default",
                                                      "mesh_ca:secret:default"})));
  auto sds = c->next(10s);
  ASSERT_TRUE(sds);
  ASSERT_EQ(sds->resources_size(), 2);
  envoy::extensions::transport_sockets::tls::v3::Secret identity;
  for (const auto& any : sds->resources()) {
    envoy::extensions::transport_sockets::tls::v3::Secret s;
    ASSERT_TRUE(any.UnpackTo(&s));
    if (s.name() == "identity_cert:secret:default") identity = s;
  }
  const std::string& pem = identity.tls_certificate().certificate_chain().inline_bytes();
  ASSERT_FALSE(pem.empty());
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(cert, nullptr);
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  std::set<std::string> uris;
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(sans, i);
    if (n->type == GEN_URI) {
      uris.insert(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.uniformResourceIdentifier)));
    }
  }
  GENERAL_NAMES_free(sans);
  X509_free(cert);
  EXPECT_TRUE(uris.contains("spiffe://default/backend")) << *uris.begin();
  EXPECT_TRUE(uris.contains("kuma://kuma.io/protocol/grpc"));
}

TEST_F(DpServerTest, StreamsAreRefusedWithoutAValidTokenForThatDataplane) {
  ASSERT_EQ(post(bootstrapBody(token_)).status, 200);
  auto none = xds::test::openSotw(channel());
  none->send(request(xds::TypeIndex::Listener, {}));
  auto s1 = none->status(10s);
  ASSERT_TRUE(s1);
  EXPECT_EQ(s1->error_code(), grpc::StatusCode::UNAUTHENTICATED) << s1->error_message();

  auto forged = xds::test::openSotw(channel(), {{"authorization", token_ + "x"}});
  forged->send(request(xds::TypeIndex::Listener, {}));
  EXPECT_EQ(forged->status(10s)->error_code(), grpc::StatusCode::UNAUTHENTICATED);

  auto other = cp_->dataplaneTokens()->issue({.name = "someone-else", .mesh = "default"});
  ASSERT_TRUE(other.ok());
  auto impostor = xds::test::openSotw(channel(), {{"authorization", *other}});
  impostor->send(request(xds::TypeIndex::Listener, {}));
  auto s3 = impostor->status(10s);
  ASSERT_TRUE(s3);
  EXPECT_EQ(s3->error_code(), grpc::StatusCode::PERMISSION_DENIED) << s3->error_message();

  auto unknown = xds::test::openSotw(channel(), {{"authorization", token_}});
  unknown->send(request(xds::TypeIndex::Listener, {}, "default.nobody"));
  EXPECT_EQ(unknown->status(10s)->error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

// A proxyless proxy opens two streams under one node id: ursa-dp's own
// certificate writer ("ursa-dp (gRPC C++)", Secrets only) and the
// application's. The application's capabilities apply whichever connects
// last (the "connected" log line shows the ones in force).
TEST_F(DpServerTest, CapabilitiesComeFromTheApplicationNotFromUrsaDpsOwnStream) {
  ASSERT_EQ(post(bootstrapBody(token_)).status, 200);
  std::ostringstream log;
  auto xds_log = logger("xds");
  auto level = xds_log->level();
  xds_log->set_level(spdlog::level::info);
  xds_log->sinks().push_back(std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  auto open = [&](const std::string& agent, const std::string& version) {
    auto c = xds::test::openSotw(channel(), {{"authorization", token_}});
    auto r = request(xds::TypeIndex::Listener, {});
    r.mutable_node()->set_user_agent_name(agent);
    r.mutable_node()->set_user_agent_version(version);
    (*r.mutable_node()->mutable_metadata()->mutable_fields())["ursa.proxy"].set_string_value("grpc");
    EXPECT_TRUE(c->send(r));
    EXPECT_TRUE(c->next(10s)) << agent << ": no response";
    return c;
  };
  auto app = open("gRPC Node Pure JS", "1.14.1");
  auto agent = open("ursa-dp (gRPC C++)", "1.51.1");
  xds_log->sinks().pop_back();
  xds_log->set_level(level);
  std::string text = log.str();
  EXPECT_NE(text.find("default.backend-1 connected (sotw gRPC Node Pure JS 1.14.1; profile grpc, "
                      "ring_hash yes"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("default.backend-1 connected (sotw ursa-dp (gRPC C++) 1.51.1; profile grpc, "
                      "ring_hash yes, exact timeouts yes"),
            std::string::npos)
      << text;
}

TEST_F(DpServerTest, InsightsRecordTheConnection) {
  ASSERT_EQ(post(bootstrapBody(token_)).status, 200);
  auto c = xds::test::openSotw(channel(), {{"authorization", token_}});
  ASSERT_TRUE(c->send(request(xds::TypeIndex::Cluster, {})));
  auto cds = c->next(10s);
  ASSERT_TRUE(cds);
  DiscoveryRequest ack;
  ack.set_type_url(cds->type_url());
  ack.set_version_info(cds->version_info());
  ack.set_response_nonce(cds->nonce());
  ASSERT_TRUE(c->send(ack));
  std::this_thread::sleep_for(200ms);
  cp_->dpServer()->insights().flushForTest();
  auto insight = cp_->manager().store().get(
      {model::TypeRegistry::instance().byName("DataplaneInsight"), "default", "backend-1"});
  ASSERT_TRUE(insight.ok()) << insight.status();
  Json j = model::encodeResource(**insight);
  EXPECT_EQ(j["subscriptions"].size(), 1u) << j.dump();
  EXPECT_TRUE(j["subscriptions"][0].contains("connectTime"));
  EXPECT_TRUE(j.contains("mTLS")) << j.dump();
}

}  // namespace
}  // namespace ursa::dpserver
