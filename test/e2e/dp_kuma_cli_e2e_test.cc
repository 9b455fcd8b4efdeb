// `ursa-dp run` with kuma-dp 2.2's command line and KUMA_* variables, as real
// processes against a real ursa-cp: the Envoy command line they produce (a
// fake Envoy, a script, records its arguments), a Kuma-style proxyless run
// with the inline template and token, and the errors that end the agent
// with exit code 1 before it contacts anything.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "test/e2e/control_plane_suite.h"
#include "test/e2e/mesh_harness.h"

namespace ursa::e2e {
namespace {

namespace fs = std::filesystem;

// A Dataplane template naming neither itself nor its mesh (--name and --mesh do).
constexpr char kUnnamedTemplate[] =
    "type: Dataplane\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: {{ port }}\n"
    "    tags:\n      kuma.io/service: web\n      kuma.io/protocol: grpc\n";

class DpKumaCliE2eTest : public ControlPlaneSuite {
 protected:
  static std::string unique(const std::string& prefix) {
    static int n = 0;
    return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
  }

  // A fake Envoy writing its arguments, one a line, to <dir>/<name>.argv.
  static fs::path fakeEnvoy(const std::string& name) {
    fs::path script = *dir_ / (name + "-envoy.sh");
    fs::path out = *dir_ / (name + ".argv");
    std::ofstream(script) << "#!/bin/sh\n"
                          << "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" << out.string()
                          << ".tmp' && mv '" << out.string() << ".tmp' '" << out.string() << "'\n"
                          << "exec sleep 60\n";
    fs::permissions(script, fs::perms::owner_all);
    return script;
  }

  static fs::path writeFile(const std::string& file, const std::string& text) {
    fs::path path = *dir_ / file;
    std::ofstream(path) << text;
    return path;
  }

  // Runs `argv` (after `ursa-dp run --proxy envoy`) with `env` until the fake
  // Envoy of `name` starts; its arguments, empty when it did not start.
  static std::vector<std::string> envoyArgs(const std::string& name,
                                            std::vector<std::string> argv,
                                            const std::map<std::string, std::string>& env,
                                            std::string* log_text) {
    argv.insert(argv.begin(), {binDir() + "/ursa-dp", "run", "--proxy", "envoy", "--admin-port",
                               std::to_string(freePort()), "--cp-retry-backoff", "200ms"});
    fs::path log = *dir_ / (name + ".log");
    fs::path recorded = *dir_ / (name + ".argv");
    test::BackgroundProcess agent(argv, env, log.string());
    bool started = eventually([&] { return fs::exists(recorded); }, milliseconds(20000));
    agent.stop();
    *log_text = readFile(log);
    std::vector<std::string> args;
    if (!started) return args;
    std::istringstream in(readFile(recorded));
    for (std::string line; std::getline(in, line);) args.push_back(line);
    return args;
  }

};

TEST_F(DpKumaCliE2eTest, EnvoyGetsKumaDpsArgumentsFromFlags) {
  const std::string name = unique("flags");
  fs::path dp = writeFile(name + ".yaml", kUnnamedTemplate);
  fs::path work = *dir_ / ("work-" + name);
  std::string log;
  // The variable loses to the flag.
  auto args = envoyArgs(
      name,
      {"--cp-address", cp_->cpAddress(), "--ca-cert-file", cp_->caCertFile().string(),
       "--binary-path", fakeEnvoy(name).string(), "--name", name, "--mesh", "default", "-d",
       dp.string(), "-v", "port=18081", "--dataplane-token-file", cp_->tokenFile(name).string(),
       "--config-dir", work.string(), "--drain-time", "7s", "--concurrency", "3",
       "--envoy-log-level", "debug", "--dns-coredns-port", "15053", "--bootstrap-version", "3"},
      {{"KUMA_DATAPLANE_DRAIN_TIME", "12s"}}, &log);
  std::vector<std::string> expected = {"--config-path", (work / "bootstrap.yaml").string(),
                                       "--drain-time-s", "7", "--disable-hot-restart",
                                       "--log-level", "debug", "--concurrency", "3"};
  EXPECT_EQ(args, expected) << tail(log);
  EXPECT_NE(log.find("ursa-dp has no built-in DNS"), std::string::npos) << tail(log);
  EXPECT_NE(log.find("--bootstrap-version is deprecated"), std::string::npos) << tail(log);
}

TEST_F(DpKumaCliE2eTest, EnvoyGetsKumaDpsArgumentsFromTheEnvironment) {
  const std::string name = unique("env");
  // A systemd unit's way: everything but ursa's own flags from KUMA_*.
  std::string text = std::string("name: ") + name + "\nmesh: default\n" + kUnnamedTemplate;
  fs::path dp = writeFile(name + ".yaml", text);
  fs::path work = *dir_ / ("work-" + name);
  std::map<std::string, std::string> env = {
      {"KUMA_CONTROL_PLANE_URL", cp_->cpAddress()},
      {"KUMA_CONTROL_PLANE_CA_CERT_FILE", cp_->caCertFile().string()},
      {"KUMA_DATAPLANE_RUNTIME_BINARY_PATH", fakeEnvoy(name).string()},
      {"KUMA_DATAPLANE_RUNTIME_RESOURCE_PATH", dp.string()},
      {"KUMA_DATAPLANE_RUNTIME_TOKEN_PATH", cp_->tokenFile(name).string()},
      {"KUMA_DATAPLANE_RUNTIME_CONFIG_DIR", work.string()},
      {"KUMA_DATAPLANE_DRAIN_TIME", "12s"},
  };
  std::string log;
  // No concurrency: --cpuset-threads; Envoy's level follows ursa-dp's (warn).
  auto args = envoyArgs(name, {"--log-level", "warn", "-v", "port=18082"}, env, &log);
  std::vector<std::string> expected = {"--config-path", (work / "bootstrap.yaml").string(),
                                       "--drain-time-s", "12", "--disable-hot-restart",
                                       "--log-level", "warning", "--cpuset-threads"};
  EXPECT_EQ(args, expected) << tail(log);

  const std::string again = unique("env");
  env["KUMA_DATAPLANE_RUNTIME_BINARY_PATH"] = fakeEnvoy(again).string();
  env["KUMA_DATAPLANE_RUNTIME_TOKEN_PATH"] = cp_->tokenFile(again).string();
  env["KUMA_DATAPLANE_RUNTIME_RESOURCE_PATH"] =
      writeFile(again + ".yaml", std::string("name: ") + again + "\n" + kUnnamedTemplate).string();
  env["KUMA_DATAPLANE_RUNTIME_CONCURRENCY"] = "2";
  env["KUMA_DATAPLANE_RUNTIME_ENVOY_LOG_LEVEL"] = "error";
  env["KUMA_DATAPLANE_RUNTIME_CONFIG_DIR"] = (*dir_ / ("work-" + again)).string();
  args = envoyArgs(again, {"-v", "port=18083"}, env, &log);
  expected = {"--config-path", (*dir_ / ("work-" + again) / "bootstrap.yaml").string(),
              "--drain-time-s", "12", "--disable-hot-restart", "--log-level", "error",
              "--concurrency", "2"};
  EXPECT_EQ(args, expected) << tail(log);
}

// The registered Dataplane without what differs between two of them.
nlohmann::json comparable(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    for (const char* k : {"name", "creationTime", "modificationTime"}) j.erase(k);
  }
  return j;
}

TEST_F(DpKumaCliE2eTest, AKumaStyleRunRegistersTheDataplaneAndTheAppGetsItsBootstrap) {
  const std::string inline_name = unique("inline");
  const std::string file_name = unique("file");
  auto agent = [&](const std::string& name, std::vector<std::string> source) {
    fs::path seen = *dir_ / (name + ".bootstrap.json");
    std::vector<std::string> argv = {binDir() + "/ursa-dp", "run", "--cp-address",
                                     cp_->cpAddress(), "--ca-cert-file",
                                     cp_->caCertFile().string(), "--name", name, "--mesh",
                                     "default", "-v", "port=18090", "--cp-retry-backoff", "200ms",
                                     "--proxy", "grpc"};
    argv.insert(argv.end(), source.begin(), source.end());
    argv.insert(argv.end(), {"--", "/bin/sh", "-c",
                             "cp \"$GRPC_XDS_BOOTSTRAP\" '" + seen.string() + "'; exec sleep 60"});
    return std::make_unique<test::BackgroundProcess>(argv, std::map<std::string, std::string>{},
                                                     (*dir_ / (name + ".log")).string());
  };
  fs::path token_file = cp_->tokenFile(inline_name);
  ASSERT_FALSE(token_file.empty());
  auto inline_agent = agent(inline_name, {"--dataplane", kUnnamedTemplate, "--dataplane-token",
                                          readFile(token_file)});
  auto file_agent = agent(file_name, {"--dataplane-file",
                                      writeFile(file_name + ".yaml", kUnnamedTemplate).string(),
                                      "--dataplane-token-file",
                                      cp_->tokenFile(file_name).string()});
  for (const auto& name : {inline_name, file_name}) {
    fs::path seen = *dir_ / (name + ".bootstrap.json");
    ASSERT_TRUE(eventually([&] { return fs::exists(seen) && fs::file_size(seen) > 0; },
                           milliseconds(20000)))
        << tail(readFile(*dir_ / (name + ".log")));
    auto bootstrap = nlohmann::json::parse(readFile(seen), nullptr, false);
    EXPECT_EQ(bootstrap["node"]["id"], "default." + name) << bootstrap.dump();
    EXPECT_TRUE(bootstrap.contains("xds_servers")) << bootstrap.dump();
  }
  auto [inline_status, inline_body] = cp_->api("GET", "/meshes/default/dataplanes/" + inline_name);
  auto [file_status, file_body] = cp_->api("GET", "/meshes/default/dataplanes/" + file_name);
  EXPECT_EQ(inline_status, 200) << inline_body;
  EXPECT_EQ(file_status, 200) << file_body;
  // The inline forms register what the file forms do.
  EXPECT_EQ(comparable(inline_body), comparable(file_body));
  EXPECT_EQ(comparable(inline_body)["networking"]["inbound"][0]["port"], 18090) << inline_body;
}

TEST_F(DpKumaCliE2eTest, WithoutATemplateNameAndMeshPickADataplaneTheControlPlaneHas) {
  const std::string name = unique("existing");
  nlohmann::json dp = {{"type", "Dataplane"},
                       {"mesh", "default"},
                       {"name", name},
                       {"networking",
                        {{"address", "127.0.0.1"},
                         {"inbound", {{{"port", 18095}, {"tags", {{"kuma.io/service", "web"}}}}}}}}};
  auto [put, put_body] = cp_->api("PUT", "/meshes/default/dataplanes/" + name, dp.dump());
  ASSERT_TRUE(put == 200 || put == 201) << put << " " << put_body;
  fs::path seen = *dir_ / (name + ".bootstrap.json");
  fs::path log = *dir_ / (name + ".log");
  test::BackgroundProcess agent(
      {binDir() + "/ursa-dp", "run", "--cp-address", cp_->cpAddress(), "--ca-cert-file",
       cp_->caCertFile().string(), "--dataplane-token-file", cp_->tokenFile(name).string(),
       "--cp-retry-backoff", "200ms", "--", "/bin/sh", "-c",
       "cp \"$GRPC_XDS_BOOTSTRAP\" '" + seen.string() + "'; exec sleep 60"},
      {{"KUMA_DATAPLANE_NAME", name}, {"KUMA_DATAPLANE_MESH", "default"}}, log.string());
  ASSERT_TRUE(eventually([&] { return fs::exists(seen) && fs::file_size(seen) > 0; },
                         milliseconds(20000)))
      << tail(readFile(log));
  auto bootstrap = nlohmann::json::parse(readFile(seen), nullptr, false);
  EXPECT_EQ(bootstrap["node"]["id"], "default." + name) << bootstrap.dump();
}

TEST_F(DpKumaCliE2eTest, RefusedSettingsExitWithCodeOneNamingThem) {
  fs::path dp = writeFile("refused.yaml", "name: b1\n" + std::string(kUnnamedTemplate));
  const std::string bin = binDir() + "/ursa-dp";
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string message;
    std::string stdin_text = "";
  };
  const std::vector<Case> cases = {
      {{"--dataplane", "x", "--dataplane-file", dp.string()},
       {},
       "--dataplane (KUMA_DATAPLANE_RUNTIME_RESOURCE) and --dataplane-file "
       "(KUMA_DATAPLANE_RUNTIME_RESOURCE_PATH) are both set"},
      {{"--dataplane-token-file", "/nonexistent"},
       {{"KUMA_DATAPLANE_RUNTIME_TOKEN", "a.b.c"}},
       "--dataplane-token (KUMA_DATAPLANE_RUNTIME_TOKEN) and --dataplane-token-file "
       "(KUMA_DATAPLANE_RUNTIME_TOKEN_PATH) are both set"},
      {{"--proxy-type", "ingress"}, {}, "ursa does not run zone proxies"},
      {{}, {{"KUMA_DATAPLANE_DRAIN_TIME", "soon"}}, "KUMA_DATAPLANE_DRAIN_TIME"},
      {{"-d", dp.string(), "-v", "port=1", "--name", "b2", "--dataplane-token", "a.b.c"},
       {},
       R"(--name is "b2" but the Dataplane template's name is "b1")"},
      {{"-d", "-", "-v", "port=1", "--name", "b2", "--dataplane-token", "a.b.c"},
       {},
       R"(dataplane from standard input: --name is "b2" but the Dataplane template's name is "b1")",
       "name: b1\n" + std::string(kUnnamedTemplate)},
      {{"--name", "b1", "--dataplane-token", "not-a-token"},
       {},
       "--dataplane-token does not hold a dataplane token"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {bin, "run", "--cp-address", "http://127.0.0.1:1"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    auto r = test::runProcess(argv, c.env, c.stdin_text, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 1) << c.message << "\n" << r.err;
    EXPECT_NE((r.out + r.err).find(c.message), std::string::npos) << r.out << r.err;
  }
}

}  // namespace
}  // namespace ursa::e2e
