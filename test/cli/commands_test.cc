// ursactl's commands run in-process (src/cli/ursactl.h) against a fake
// transport: argument validation, exit codes, what is sent and printed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/decoder.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/cli/cli_config.h"
#include "absl/strings/escaping.h"
#include "src/cli/ursactl.h"
#include "src/common/openssl.h"
#include "test/support/fake_clock.h"

namespace ursa::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// Answers every request with `respond`, recording what was sent and where.
class FakeTransport : public HttpTransport {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  FakeTransport(TransportOptions options, Handler handler, std::vector<HttpRequest>& log,
                std::vector<TransportOptions>& opened)
      : options_(std::move(options)), handler_(std::move(handler)), log_(log) {
    opened.push_back(options_);
  }
  const std::string& baseUrl() const override { return options_.base_url; }
  absl::StatusOr<HttpResponse> send(const HttpRequest& request) override {
    log_.push_back(request);
    if (!handler_) return absl::UnavailableError("could not reach the control plane (fake)");
    return handler_(request);
  }

 private:
  TransportOptions options_;
  Handler handler_;
  std::vector<HttpRequest>& log_;
};

struct Result {
  int code;
  std::string out;
  std::string err;
};

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::scratchDir("cli-commands"); }
  void TearDown() override { fs::remove_all(dir_); }

  Result run(std::vector<std::string> args, const std::string& stdin_text = "") {
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    args.insert(args.begin(), "ursactl");
    Runtime rt{
        .io = Io{in, out, err, false},
        .transports =
            [this](const TransportOptions& o) -> absl::StatusOr<std::unique_ptr<HttpTransport>> {
          return std::unique_ptr<HttpTransport>(new FakeTransport(o, handler_, requests_, opened_));
        },
        .env = [this](const std::string& k) -> std::optional<std::string> {
          if (k == "XDG_CONFIG_HOME") return dir_.string();
          if (k == "HOME") return dir_.string();
          return std::nullopt;
        },
        .clock = [] { return absl::FromUnixSeconds(1712052000); },
    };
    int code = runUrsactl(args, std::move(rt));
    return {code, out.str(), err.str()};
  }

  fs::path configFile() const { return dir_ / "ursactl" / "config.yaml"; }

  static HttpResponse json(int status, const std::string& body) {
    return {status, "application/json", body};
  }

  fs::path dir_;
  FakeTransport::Handler handler_;
  std::vector<HttpRequest> requests_;
  std::vector<TransportOptions> opened_;
};

TEST_F(CommandsTest, HelpExitsZeroAndListsCommands) {
  Result r = run({"--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* cmd :
       {"apply", "get", "delete", "inspect", "config", "generate", "version", "completion"}) {
    EXPECT_THAT(r.out, HasSubstr(cmd));
  }
  EXPECT_EQ(run({"get", "--help"}).code, 0);
}

TEST_F(CommandsTest, UsageErrorsExitOneOnStderr) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"get"},
           {"get", "meshes", "-o", "xml"},
           {"apply"},
           {"delete", "mesh"},
           {"config", "control-planes", "add", "--name", "x"},
           {"generate", "user-token", "--name", "x"},
           {"--log-level", "loud", "get", "meshes"},
           {"--api-timeout", "soon", "get", "meshes"},
       }) {
    Result r = run(args);
    EXPECT_EQ(r.code, 1) << testing::PrintToString(args);
    EXPECT_THAT(r.err, StartsWith("Error: ")) << testing::PrintToString(args);
    EXPECT_THAT(r.out, IsEmpty()) << testing::PrintToString(args);
  }
  EXPECT_THAT(requests_, IsEmpty());
}

TEST_F(CommandsTest, GetValidatesTheResourceNoun) {
  Result unknown = run({"get", "widgets"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("unknown TYPE: widgets. Allowed values: dataplanes,"));
  Result plural_with_name = run({"get", "meshes", "default"});
  EXPECT_EQ(plural_with_name.code, 1);
  EXPECT_THAT(plural_with_name.err, HasSubstr("ursactl get mesh default"));
  Result singular_without_name = run({"get", "meshtimeout"});
  EXPECT_EQ(singular_without_name.code, 1);
  EXPECT_THAT(singular_without_name.err, HasSubstr("ursactl get meshtimeout NAME"));
  EXPECT_EQ(run({"get", "meshes", "--size", "5000"}).code, 1);
  Result delete_plural = run({"delete", "meshes", "x"});
  EXPECT_EQ(delete_plural.code, 1);
  EXPECT_THAT(delete_plural.err, HasSubstr("Use the singular: ursactl delete mesh x"));
  EXPECT_THAT(requests_, IsEmpty());
}

TEST_F(CommandsTest, GetListsWithMeshPagingAndGlobalFlagsAfterTheCommand) {
  handler_ = [](const HttpRequest&) {
    return json(200, R"({"total": 0, "items": [], "next": null})");
  };
  std::string other = (dir_ / "other.yaml").string();
  Result r = run({"get", "meshtimeouts", "-m", "prod", "--size", "2", "--offset", "4",
                  "--config-file", other, "--api-timeout", "5s"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0].target, "/meshes/prod/meshtimeouts?size=2&offset=4");
  EXPECT_EQ(opened_[0].base_url, "http://localhost:5681");  // no config: the local default
  EXPECT_EQ(opened_[0].timeout, absl::Seconds(5));
  EXPECT_EQ(r.out, "MESH   NAME   AGE\n");
}

TEST_F(CommandsTest, MeshDefaultsToTheContextsThenToDefault) {
  handler_ = [](const HttpRequest&) {
    return json(200, R"({"total": 0, "items": [], "next": null})");
  };
  ASSERT_EQ(run({"get", "dataplanes"}).code, 0);
  EXPECT_EQ(requests_.back().target, "/meshes/default/dataplanes");
  CliConfig c = CliConfig::defaults();
  c.contexts[0].default_mesh = "payments";
  ASSERT_TRUE(saveCliConfig(configFile().string(), c).ok());
  ASSERT_EQ(run({"get", "dataplanes"}).code, 0);
  EXPECT_EQ(requests_.back().target, "/meshes/payments/dataplanes");
  ASSERT_EQ(run({"get", "meshes"}).code, 0);
  EXPECT_EQ(requests_.back().target, "/meshes");
}

TEST_F(CommandsTest, GetOnePrintsTheResourceOrSaysNotFound) {
  handler_ = [](const HttpRequest& req) {
    if (req.target == "/meshes/default/meshtimeouts/t1") {
      return json(200, R"({"type": "MeshTimeout", "mesh": "default", "name": "t1", "spec": {}})");
    }
    return json(404, R"({"title": "Could not retrieve a resource", "details": "Not found"})");
  };
  Result r = run({"get", "meshtimeout", "t1", "-o", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(model::Json::parse(r.out)["name"], "t1");
  Result missing = run({"get", "meshtimeout", "t2"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "Error: No resources found in default mesh\n");
  Result global = run({"get", "zone", "z"});
  EXPECT_EQ(global.err, "Error: No resources found\n");
}

TEST_F(CommandsTest, ApplyPutsEachDocumentAndStopsAtTheFirstFailure) {
  handler_ = [](const HttpRequest& req) {
    if (req.target == "/meshes/demo/meshtimeouts/bad") {
      return json(400,
                  R"({"title": "Could not process a resource", "details": "Resource is not valid",
                           "causes": [{"field": "spec.to", "message": "must be defined"}]})");
    }
    return HttpResponse{201, "application/json", ""};
  };
  std::string manifest =
      "type: Mesh\nname: {{ mesh }}\n---\n"
      "type: MeshTimeout\nname: bad\nmesh: {{ mesh }}\nspec: {}\n---\n"
      "type: Mesh\nname: after\n";
  Result r = run({"apply", "-f", "-", "-v", "mesh=demo"}, manifest);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, HasSubstr("Error: document 2 (MeshTimeout \"bad\" in mesh \"demo\"): "
                               "Could not process a resource (Resource is not valid)\n"
                               "* spec.to: must be defined\n"));
  EXPECT_THAT(r.err, HasSubstr("1 of 3 documents applied before this one"));
  ASSERT_EQ(requests_.size(), 2u);
  EXPECT_EQ(requests_[0].method, "PUT");
  EXPECT_EQ(requests_[0].target, "/meshes/demo");
  EXPECT_EQ(requests_[0].content_type, "application/json");
  EXPECT_EQ(model::Json::parse(requests_[0].body)["name"], "demo");
}

TEST_F(CommandsTest, ApplyReadsFilesAndReportsMissingOnes) {
  handler_ = [](const HttpRequest&) { return HttpResponse{200, "", ""}; };
  fs::path file = dir_ / "m.yaml";
  std::ofstream(file) << "type: Zone\nname: z1\n";
  Result r = run({"apply", "-f", file.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(requests_.back().target, "/zones/z1");
  Result missing = run({"apply", "-f", (dir_ / "nope.yaml").string()});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("error while reading provided file"));
  EXPECT_EQ(run({"apply", "-f", "-"}, "").code, 1);
}

TEST_F(CommandsTest, ApplyFetchesHttpUrls) {
  handler_ = [](const HttpRequest& req) {
    if (req.method == "GET") return HttpResponse{200, "text/yaml", "type: Zone\nname: z2\n"};
    return HttpResponse{201, "", ""};
  };
  Result r = run({"apply", "-f", "https://example.com/zone.yaml"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(opened_[0].base_url, "https://example.com/zone.yaml");
  EXPECT_EQ(opened_[0].timeout, absl::Seconds(10));
  EXPECT_EQ(requests_.back().method, "PUT");
  EXPECT_EQ(requests_.back().target, "/zones/z2");
}

TEST_F(CommandsTest, DryRunPrintsRenderedDocumentsAndSendsNothing) {
  Result r = run({"apply", "--dry-run", "-f", "-", "--var", "name=demo"},
                 "type: Mesh\nname: {{ name }}\n---\ntype: Mesh\nname: two\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "type: Mesh\nname: demo\n---\ntype: Mesh\nname: two\n");
  EXPECT_THAT(requests_, IsEmpty());
  EXPECT_THAT(opened_, IsEmpty());
  Result invalid = run({"apply", "--dry-run", "-f", "-"}, "type: Mesh\nname: x\nbogus: 1\n");
  EXPECT_EQ(invalid.code, 1);
  EXPECT_THAT(invalid.err, HasSubstr("* bogus: unknown field"));
  EXPECT_THAT(invalid.out, IsEmpty());
}

TEST_F(CommandsTest, DeleteReportsWhatHappened) {
  handler_ = [](const HttpRequest& req) {
    if (req.target == "/meshes/m/meshretries/r1") return HttpResponse{200, "", ""};
    return json(404, R"({"title": "Could not delete a resource", "details": "Not found"})");
  };
  Result ok = run({"delete", "meshretry", "r1", "-m", "m"});
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(ok.out, "deleted MeshRetry \"r1\"\n");
  EXPECT_EQ(requests_.back().method, "DELETE");
  Result missing = run({"delete", "meshretry", "r2", "-m", "m"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "Error: there is no MeshRetry with name \"r2\" in mesh \"m\"\n");
}

TEST_F(CommandsTest, NonKumaErrorBodiesAreShownWithTheirStatus) {
  handler_ = [](const HttpRequest&) { return HttpResponse{405, "text/plain", "read-only\n"}; };
  Result r = run({"delete", "mesh", "x"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("(405): read-only"));
}

TEST_F(CommandsTest, ControlPlanesAddSwitchRemoveAndView) {
  Result unchecked = run({"config", "control-planes", "add", "--name", "a", "--address",
                          "https://a:5682", "--skip-check", "--auth-type", "tokens", "--auth-conf",
                          "token=secret-jwt", "--headers", "x-team=blue"});
  ASSERT_EQ(unchecked.code, 0) << unchecked.err;
  EXPECT_EQ(unchecked.out, "added Control Plane \"a\"\nswitched active Control Plane to \"a\"\n");
  EXPECT_THAT(requests_, IsEmpty());
  EXPECT_EQ(fs::status(configFile()).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);

  Result dup = run(
      {"config", "control-planes", "add", "--name", "a", "--address", "http://b", "--skip-check"});
  EXPECT_EQ(dup.code, 1);
  EXPECT_THAT(dup.err, HasSubstr("already exists. Use --overwrite"));

  Result list = run({"config", "control-planes", "list"});
  EXPECT_EQ(list.out,
            "ACTIVE   NAME    ADDRESS\n"
            "         local   http://localhost:5681\n"
            "*        a       https://a:5682\n");

  Result view = run({"config", "view"});
  EXPECT_THAT(view.out, HasSubstr("token: REDACTED"));
  EXPECT_THAT(view.out, Not(HasSubstr("secret-jwt")));
  EXPECT_THAT(run({"config", "view", "--raw"}).out, HasSubstr("token: secret-jwt"));

  handler_ = [](const HttpRequest&) {
    return json(200, R"({"total": 0, "items": [], "next": null})");
  };
  ASSERT_EQ(run({"get", "meshes"}).code, 0);
  EXPECT_EQ(opened_.back().base_url, "https://a:5682");
  EXPECT_EQ(opened_.back().bearer_token, "secret-jwt");
  ASSERT_EQ(opened_.back().headers.size(), 1u);
  EXPECT_EQ(opened_.back().headers[0].first, "x-team");

  EXPECT_EQ(run({"config", "control-planes", "switch", "--name", "local"}).out,
            "switched active Control Plane to \"local\"\n");
  EXPECT_EQ(run({"config", "control-planes", "switch", "--name", "zzz"}).code, 1);
  EXPECT_EQ(run({"config", "control-planes", "remove", "--name", "local"}).out,
            "removed Control Plane \"local\"\nswitched active Control Plane to \"a\"\n");
  EXPECT_THAT(run({"config", "control-planes", "remove", "--name", "a"}).out,
              HasSubstr("there is no active Control Plane left"));
  Result none = run({"get", "meshes"});
  EXPECT_EQ(none.code, 1);
  EXPECT_THAT(none.err, HasSubstr("active Control Plane is not set"));
}

TEST_F(CommandsTest, ControlPlanesAddValidatesAndChecksTheAddress) {
  auto add = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"config", "control-planes", "add", "--name", "n"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  };
  EXPECT_THAT(add({"--address", "localhost:5681"}).err, HasSubstr("API Server URL is invalid"));
  EXPECT_THAT(add({"--address", "http://a", "--auth-type", "tokens"}).err,
              HasSubstr("provide token=YOUR_TOKEN"));
  EXPECT_THAT(add({"--address", "http://a", "--auth-type", "magic"}).err,
              HasSubstr("authentication plugin of type \"magic\" is not found"));
  EXPECT_THAT(add({"--address", "http://a", "--client-cert-file", "c.pem"}).err,
              HasSubstr("Both --client-cert-file and --client-key-file"));
  EXPECT_THAT(requests_, IsEmpty());

  Result unreachable = add({"--address", "http://a:1"});  // handler_ unset: the fake cannot connect
  EXPECT_EQ(unreachable.code, 1);
  EXPECT_THAT(unreachable.err, HasSubstr("could not connect to the Control Plane API Server"));
  EXPECT_FALSE(fs::exists(configFile()));

  handler_ = [](const HttpRequest& req) {
    EXPECT_EQ(req.target, "/");
    return json(200, R"({"product": "ursa", "version": "0.1.0", "tagline": "Kuma"})");
  };
  EXPECT_EQ(add({"--address", "http://a:5681"}).code, 0);
  EXPECT_TRUE(fs::exists(configFile()));
}

TEST_F(CommandsTest, GenerateUserTokenPostsTheRequest) {
  EXPECT_EQ(run({"generate", "user-token", "--name", "john", "--valid-for", "tomorrow"}).code, 1);
  EXPECT_THAT(requests_, IsEmpty());
  handler_ = [](const HttpRequest&) { return HttpResponse{200, "text/plain", "aaa.bbb.ccc"}; };
  Result r = run({"generate", "user-token", "--name", "john", "--group", "users", "--group",
                  "ops,dev", "--valid-for", "24h"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "aaa.bbb.ccc");  // no newline when not a terminal, as kumactl
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0].method, "POST");
  EXPECT_EQ(requests_[0].target, "/tokens/user");
  model::Json body = model::Json::parse(requests_[0].body);
  EXPECT_EQ(body["name"], "john");
  EXPECT_EQ(body["groups"], model::Json({"users", "ops", "dev"}));
  EXPECT_EQ(body["validFor"], "24h0m0s");
}

TEST_F(CommandsTest, VersionWorksWithoutAServer) {
  Result r = run({"version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, StartsWith("Client: ursa "));
  EXPECT_THAT(r.err, HasSubstr("Unable to connect to control plane"));
  handler_ = [](const HttpRequest&) {
    return json(200, R"({"product": "ursa", "version": "9.9.9", "basedOnKuma": "2.2.9"})");
  };
  EXPECT_THAT(run({"version"}).out, HasSubstr("Server: ursa 9.9.9 (based on Kuma 2.2.9)"));
}

TEST_F(CommandsTest, InspectDataplanesSendsFilters) {
  handler_ = [](const HttpRequest&) {
    return json(200, R"({"total": 0, "items": [], "next": null})");
  };
  Result r = run({"inspect", "dataplanes", "-m", "m1", "--tag", "kuma.io/service=web", "--gateway",
                  "-o", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(requests_.back().target,
            "/meshes/m1/dataplanes+insights?tag=kuma.io%2Fservice%3Aweb&gateway=true&size=1000");
  EXPECT_EQ(model::Json::parse(r.out)["total"], 0);
}

TEST_F(CommandsTest, WarnsWhenTheConfigFileIsReadableByOthers) {
  ASSERT_TRUE(saveCliConfig(configFile().string(), CliConfig::defaults()).ok());
  EXPECT_THAT(run({"config", "view"}).err, IsEmpty());
  fs::permissions(configFile(), fs::perms(0644));
  EXPECT_THAT(run({"config", "view"}).err, HasSubstr("is accessible by other users"));
}

TEST_F(CommandsTest, TransportFailuresAreErrors) {
  Result r = run({"get", "meshes"});  // handler_ unset: nothing answers
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("could not reach the control plane"));
}

// A key read from `pem` by OpenSSL's decoder (type-specific structures:
// PKCS#1 for RSA), null when it does not decode.
tls::PkeyPtr decodeKey(const std::string& pem, int selection) {
  EVP_PKEY* key = nullptr;
  std::unique_ptr<OSSL_DECODER_CTX, decltype(&OSSL_DECODER_CTX_free)> ctx(
      OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", "type-specific", "RSA", selection, nullptr,
                                    nullptr),
      OSSL_DECODER_CTX_free);
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  size_t size = pem.size();
  if (!ctx || OSSL_DECODER_from_data(ctx.get(), &data, &size) != 1) return nullptr;
  return tls::PkeyPtr(key);
}

TEST_F(CommandsTest, GenerateSigningKeyAndItsPublicKeyOfflineAsKumactl) {
  Result b64 = run({"generate", "signing-key"});
  ASSERT_EQ(b64.code, 0) << b64.err;
  EXPECT_THAT(requests_, IsEmpty());  // offline
  std::string pem;
  ASSERT_TRUE(absl::Base64Unescape(b64.out, &pem)) << "not base64: " << b64.out;
  EXPECT_THAT(pem, StartsWith("-----BEGIN RSA PRIVATE KEY-----\n"));
  tls::PkeyPtr key = decodeKey(pem, OSSL_KEYMGMT_SELECT_KEYPAIR);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 2048);

  Result plain = run({"generate", "signing-key", "--format", "pem"});
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_THAT(plain.out, StartsWith("-----BEGIN RSA PRIVATE KEY-----\n"));
  EXPECT_NE(plain.out, pem);  // a new key each time
  fs::path file = dir_ / "key.pem";
  std::ofstream(file) << plain.out;
  Result pub = run({"generate", "public-key", "--signing-key-path", file.string()});
  ASSERT_EQ(pub.code, 0) << pub.err;
  EXPECT_THAT(pub.out, StartsWith("-----BEGIN RSA PUBLIC KEY-----\n"));
  tls::PkeyPtr public_key = decodeKey(pub.out, OSSL_KEYMGMT_SELECT_PUBLIC_KEY);
  tls::PkeyPtr private_key = decodeKey(plain.out, OSSL_KEYMGMT_SELECT_KEYPAIR);
  ASSERT_NE(public_key, nullptr);
  ASSERT_NE(private_key, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(public_key.get(), private_key.get()), 1);
}

TEST_F(CommandsTest, GenerateKeysRefuseBadInputNamingTheFlag) {
  Result format = run({"generate", "signing-key", "--format", "der"});
  EXPECT_EQ(format.code, 1);
  EXPECT_THAT(format.err, HasSubstr(R"(--format "der" is invalid: it must be pem-base64 or pem)"));
  Result missing =
      run({"generate", "public-key", "--signing-key-path", (dir_ / "nope.pem").string()});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("--signing-key-path: could not read a signing key file"));
  fs::path other = dir_ / "other.pem";
  std::ofstream(other) << "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n";
  Result wrong = run({"generate", "public-key", "--signing-key-path", other.string()});
  EXPECT_EQ(wrong.code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("is not a PEM-encoded signing key"));
  EXPECT_EQ(run({"generate", "public-key"}).code, 1);  // the path is required
}

}  // namespace
}  // namespace ursa::cli
