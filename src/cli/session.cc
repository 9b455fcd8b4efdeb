#include "src/cli/session.h"

#include <sys/stat.h>

#include <chrono>
#include <ostream>

#include "src/cli/args.h"
#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

// Logs each exchange on stderr (--log-level=debug).
class LoggingTransport final : public HttpTransport {
 public:
  LoggingTransport(std::unique_ptr<HttpTransport> inner, std::ostream& log)
      : inner_(std::move(inner)), log_(log) {}

  const std::string& baseUrl() const override { return inner_->baseUrl(); }

  absl::StatusOr<HttpResponse> send(const HttpRequest& request) override {
    auto start = std::chrono::steady_clock::now();
    auto response = inner_->send(request);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    log_ << "debug: " << request.method << " " << inner_->baseUrl() << request.target << " -> ";
    if (response.ok()) {
      log_ << response->status << " (" << ms << "ms, " << response->body.size() << " bytes)\n";
    } else {
      log_ << response.status().message() << "\n";
    }
    return response;
  }

 private:
  std::unique_ptr<HttpTransport> inner_;
  std::ostream& log_;
};

}  // namespace

absl::Status Session::validateFlags() const {
  URSA_RETURN_IF_ERROR(apiTimeout().status());
  const std::string& level = flags.log_level;
  if (level != "off" && level != "info" && level != "debug") {
    return absl::InvalidArgumentError(
        strCat("invalid argument \"", level, "\" for \"--log-level\": one of off|info|debug"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Duration> Session::apiTimeout() const {
  return parseDuration("--api-timeout", flags.api_timeout, /*positive=*/false);
}

std::string Session::configPath() const {
  return flags.config_file.empty() ? defaultConfigPath(rt_.env) : flags.config_file;
}

absl::StatusOr<CliConfig> Session::loadConfig() const {
  std::string path = configPath();
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    err() << "warning: " << path << " is accessible by other users; it may hold tokens "
          << "(chmod 600 it)\n";
  }
  return loadCliConfig(path);
}

absl::Status Session::saveConfig(const CliConfig& config) const {
  return saveCliConfig(configPath(), config);
}

absl::StatusOr<std::unique_ptr<HttpTransport>> Session::transport(
    const TransportOptions& options) const {
  URSA_ASSIGN_OR_RETURN(auto t, rt_.transports(options));
  if (flags.log_level == "debug") {
    return std::unique_ptr<HttpTransport>(new LoggingTransport(std::move(t), err()));
  }
  return t;
}

absl::StatusOr<ApiClient> Session::clientFor(const ControlPlaneEntry& cp) const {
  const ApiServerCoordinates& api = cp.api_server;
  URSA_ASSIGN_OR_RETURN(absl::Duration timeout, apiTimeout());
  TransportOptions options{.base_url = api.url,
                           .timeout = timeout,
                           .headers = api.headers,
                           .ca_cert_file = api.ca_cert_file,
                           .client_cert_file = api.client_cert_file,
                           .client_key_file = api.client_key_file,
                           .skip_verify = api.skip_verify};
  if (api.auth_type == "tokens") {
    auto token = api.auth_conf.find("token");
    if (token != api.auth_conf.end()) options.bearer_token = token->second;
  } else if (!api.auth_type.empty()) {
    return absl::InvalidArgumentError(
        strCat("authentication plugin of type \"", api.auth_type, "\" not found"));
  }
  auto t = transport(options);
  if (!t.ok()) {
    return absl::Status(t.status().code(), strCat("failed to create a client for Control Plane \"",
                                                  cp.name, "\": ", fromAbsl(t.status().message())));
  }
  return ApiClient(std::shared_ptr<HttpTransport>(std::move(*t)));
}

absl::StatusOr<ApiClient> Session::client() const {
  URSA_ASSIGN_OR_RETURN(CliConfig config, loadConfig());
  URSA_ASSIGN_OR_RETURN(const ControlPlaneEntry* cp, config.currentControlPlane());
  return clientFor(*cp);
}

std::string Session::mesh(const std::string& flag) const {
  if (!flag.empty()) return flag;
  if (auto config = loadCliConfig(configPath()); config.ok()) {
    if (auto ctx = config->currentContext(); ctx.ok() && !(*ctx)->default_mesh.empty()) {
      return (*ctx)->default_mesh;
    }
  }
  return "default";
}

}  // namespace ursa::cli
