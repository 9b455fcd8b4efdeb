#include "test/e2e/mesh_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "nlohmann/json.hpp"
#include "test/support/http_client.h"

namespace ursa::e2e {

namespace fs = std::filesystem;


int64_t unixMillis() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool eventually(const std::function<bool()>& condition, milliseconds timeout, milliseconds every) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string tail(const std::string& text, size_t lines) {
  size_t pos = text.size();
  for (size_t n = 0; n <= lines && pos > 0; ++n) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return text.substr(pos + 1);
}

// --- ControlPlane -----------------------------------------------------------

ControlPlane::ControlPlane(fs::path dir) : dir_(std::move(dir)) {
  if (binDir().empty()) {
    error_ = "URSA_BINARY_DIR is not set (run through ctest)";
    return;
  }
  api_port_ = freePort();
  dp_port_ = freePort();
  uint16_t diagnostics = freePort();
  std::map<std::string, std::string> env = {
      {"URSA_STORE_TYPE", "memory"},
      {"URSA_API_SERVER_HTTP_PORT", std::to_string(api_port_)},
      {"URSA_API_SERVER_HTTPS_PORT", std::to_string(freePort())},
      {"URSA_DP_SERVER_PORT", std::to_string(dp_port_)},
      {"URSA_DIAGNOSTICS_SERVER_PORT", std::to_string(diagnostics)},
      {"URSA_GENERAL_WORK_DIR", dir_.string()},
      {"URSA_XDS_DATAPLANE_DEREGISTRATION_DELAY", "1s"},
      {"HOME", dir_.string()},
  };
  process_ = std::make_unique<test::BackgroundProcess>(
      std::vector<std::string>{binDir() + "/ursa-cp", "run"}, env,
      (dir_ / "ursa-cp.log").string());
  bool ready = eventually(
      [&] {
        if (!process_->running()) return true;
        auto r = test::httpGet(diagnostics, "/ready");
        return r && r->status == 200;
      },
      milliseconds(20'000));
  if (!ready || !process_->running()) error_ = "ursa-cp did not become ready; its log:\n" + log();
}

ControlPlane::~ControlPlane() { process_.reset(); }

std::string ControlPlane::cpAddress() const {
  return "https://127.0.0.1:" + std::to_string(dp_port_);
}

std::pair<int, std::string> ControlPlane::api(const std::string& method,
                                              const std::string& target,
                                              const std::string& body) const {
  auto r = test::httpRequest(api_port_, method, target, body);
  if (!r) return {0, ""};
  return {r->status, r->body};
}

int ControlPlane::putDefaultMesh(const std::string& mtls_json) const {
  std::string body = R"({"type":"Mesh","name":"default")";
  if (!mtls_json.empty()) body += R"(,"mtls":)" + mtls_json;
  body += "}";
  return api("PUT", "/meshes/default", body).first;
}

fs::path ControlPlane::tokenFile(const std::string& name) const {
  nlohmann::json request = {{"name", name}, {"mesh", "default"}};
  auto [status, token] = api("POST", "/tokens/dataplane", request.dump());
  if (status != 200) return "";
  fs::path file = dir_ / (name + ".token");
  std::ofstream(file) << token;
  return file;
}

// --- Workload ---------------------------------------------------------------

namespace {

fs::path demoTemplate(const std::string& name) {
  const char* src = std::getenv("URSA_SOURCE_DIR");
  fs::path root = src != nullptr ? fs::path(src) : fs::current_path();
  return root / "examples" / "grpc-demo" / "dataplanes" / (name + ".yaml");
}

// Writes the template of `spec` to <dir>/<name>.dataplane.yaml.
fs::path specTemplate(const fs::path& dir, const std::string& name, const DataplaneSpec& spec) {
  fs::path file = dir / (name + ".dataplane.yaml");
  std::ofstream out(file);
  out << "type: Dataplane\nmesh: default\nname: {{ name }}\nnetworking:\n"
         "  address: {{ address }}\n  inbound:\n  - port: {{ port }}\n    tags:\n"
         "      kuma.io/service: " << spec.service << "\n      kuma.io/protocol: grpc\n";
  for (const auto& [k, v] : spec.tags) out << "      " << k << ": " << v << "\n";
  return file;
}

std::vector<std::string> agentCommand(const ControlPlane& cp, const fs::path& dir,
                                      const std::string& name, const fs::path& tmpl,
                                      uint16_t port, std::vector<std::string> app) {
  std::vector<std::string> argv = {binDir() + "/ursa-dp",
                                   "run",
                                   "--cp-address",
                                   cp.cpAddress(),
                                   "--dataplane-file",
                                   tmpl.string(),
                                   "-v",
                                   "name=" + name,
                                   "-v",
                                   "address=127.0.0.1",
                                   "-v",
                                   "port=" + std::to_string(port),
                                   "--dataplane-token-file",
                                   cp.tokenFile(name).string(),
                                   "--ca-cert-file",
                                   cp.caCertFile().string(),
                                   "--work-dir",
                                   (dir / ("dp-" + name)).string(),
                                   "--cp-retry-backoff",
                                   "200ms",
                                   "--"};
  argv.insert(argv.end(), app.begin(), app.end());
  return argv;
}

}  // namespace

Workload::Workload(const ControlPlane& cp, const fs::path& dir, const std::string& name,
                   const std::string& dataplane_template, uint16_t port,
                   std::vector<std::string> app)
    : name_(name),
      log_(dir / (name + ".log")),
      process_(agentCommand(cp, dir, name, demoTemplate(dataplane_template), port,
                            std::move(app)),
               {}, log_.string()) {}

Workload::Workload(const ControlPlane& cp, const fs::path& dir, const std::string& name,
                   const DataplaneSpec& spec, uint16_t port, std::vector<std::string> app)
    : name_(name),
      log_(dir / (name + ".log")),
      process_(agentCommand(cp, dir, name, specTemplate(dir, name, spec), port, std::move(app)),
               {}, log_.string()) {}

// --- Calls ------------------------------------------------------------------

std::vector<Call> parseCalls(const std::string& log) {
  std::vector<Call> out;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(R"({"call":)", 0) != 0) continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) continue;  // a line cut short: the client is still writing it
    Call c;
    c.t_ms = j.value("t_ms", int64_t{0});
    c.code = j.value("code", -1);
    c.latency_ms = j.value("latency_ms", int64_t{0});
    c.error = j.value("error", "");
    c.instance = j.value("instance", "");
    c.peer_identity = j.value("peer_identity", "");
    c.peer_certificate = j.value("peer_certificate", "");
    c.server_identity = j.value("server_identity", "");
    c.server_certificate = j.value("server_certificate", "");
    c.security = j.value("security", "");
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Call> callsSince(const std::vector<Call>& calls, int64_t since_ms) {
  std::vector<Call> out;
  for (const auto& c : calls) {
    if (c.t_ms >= since_ms) out.push_back(c);
  }
  return out;
}

std::string describe(const std::vector<Call>& calls) {
  std::map<std::string, int> codes, instances;
  std::string first_error;
  for (const auto& c : calls) {
    ++codes[std::to_string(c.code)];
    if (c.ok()) ++instances[c.instance + "/" + c.security + "/" + c.peer_identity];
    if (!c.ok() && first_error.empty()) first_error = c.error;
  }
  std::string out = std::to_string(calls.size()) + " calls; codes:";
  for (const auto& [k, n] : codes) out += " " + k + "x" + std::to_string(n);
  out += "; instance/security/peer:";
  for (const auto& [k, n] : instances) out += " " + k + "x" + std::to_string(n);
  if (!first_error.empty()) out += "; first error: " + first_error;
  return out;
}

}  // namespace ursa::e2e
