#pragma once

// What every command shares: the global flags, the streams, the clock, the
// saved configuration and a way to reach the current control plane. The
// process pieces (streams, environment, clock, transport) are injected so a
// test can run commands in-process against a fake transport.

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "src/cli/api_client.h"
#include "src/cli/cli_config.h"
#include "src/cli/http_transport.h"

namespace ursa::cli {

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool out_is_terminal = false;
};

using TransportFactory =
    std::function<absl::StatusOr<std::unique_ptr<HttpTransport>>(const TransportOptions&)>;

struct Runtime {
  Io io;
  TransportFactory transports;
  EnvLookup env;
  std::function<absl::Time()> clock;
};

// Flags every command accepts.
struct GlobalFlags {
  std::string config_file;  // --config-file; empty: defaultConfigPath()
  std::string api_timeout = "1m";
  std::string log_level = "off";  // off | info | debug (debug logs each request to stderr)
};

class Session {
 public:
  explicit Session(Runtime runtime) : rt_(std::move(runtime)) {}

  GlobalFlags flags;
  // The parsed command's work, run once parsing succeeded.
  std::function<absl::Status()> action;

  const Io& io() const { return rt_.io; }
  std::ostream& out() const { return rt_.io.out; }
  std::ostream& err() const { return rt_.io.err; }
  absl::Time now() const { return rt_.clock(); }

  // Checks the global flags (timeout and log level).
  absl::Status validateFlags() const;

  std::string configPath() const;
  // The saved configuration, or the defaults when there is no file. Warns on
  // stderr when the file is readable by others (it may hold tokens).
  absl::StatusOr<CliConfig> loadConfig() const;
  absl::Status saveConfig(const CliConfig& config) const;

  // A client for the current control plane, or for `cp`.
  absl::StatusOr<ApiClient> client() const;
  absl::StatusOr<ApiClient> clientFor(const ControlPlaneEntry& cp) const;
  // A bare transport (apply -f https://...).
  absl::StatusOr<std::unique_ptr<HttpTransport>> transport(const TransportOptions& options) const;

  // The mesh to use: `flag` when given, else the current context's default
  // mesh, else "default".
  std::string mesh(const std::string& flag) const;

 private:
  absl::StatusOr<absl::Duration> apiTimeout() const;

  Runtime rt_;
};

}  // namespace ursa::cli
