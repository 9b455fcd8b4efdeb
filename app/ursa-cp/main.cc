// ursa-cp: the control plane. Wiring only; see src/cp/control_plane.h.
//
//   ursa-cp run [--config FILE]      serve until SIGINT/SIGTERM
//   ursa-cp config print [--config]  print the effective configuration
//   ursa-cp config docs              print the reference of every key (Markdown)
//   ursa-cp migrate up [--config]    apply pending store schema migrations
//   ursa-cp version

#include <signal.h>

#include <iostream>

#include "CLI/CLI.hpp"
#include "src/config/cp_config.h"
#include "src/cp/control_plane.h"
#include "src/cp/store_factory.h"
#include "ursa/common/logging.h"
#include "ursa/common/process.h"
#include "ursa/common/strings.h"
#include "ursa/model/codec.h"

namespace {

int fail(const absl::Status& s) {
  std::cerr << "ursa-cp: " << s.message() << "\n";
  return 1;
}

absl::StatusOr<ursa::config::CpConfig> load(const std::string& file) {
  auto config = ursa::config::loadConfig({file, ursa::config::processEnvironment()});
  if (!config.ok()) return config.status();
  auto s = ursa::setupLogging(config->log_level, config->log_format == "json"
                                                     ? ursa::LogFormat::Json
                                                     : ursa::LogFormat::Text);
  if (!s.ok()) return s;
  return config;
}

int run(const std::string& file) {
  // Block the stop signals in every thread; this one waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto config = load(file);
  if (!config.ok()) return fail(config.status());
  auto log = ursa::logger("cp");
  log->info("ursa-cp {} starting", URSA_VERSION);
  if (auto fds = ursa::raiseOpenFileLimit(); !fds.ok()) {
    log->warn("open file limit: {}", ursa::fromAbsl(fds.status().message()));
  } else {
    log->info("open file limit: {} (was {}, hard limit {})", fds->current, fds->previous, fds->hard);
  }
  auto cp = ursa::cp::ControlPlane::start(*config);
  if (!cp.ok()) return fail(cp.status());
  log->info("ursa-cp ready");

  int sig = 0;
  sigwait(&stop_signals, &sig);
  log->info("received {}, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
  (*cp)->stop();
  log->info("stopped");
  return 0;
}

int printConfig(const std::string& file) {
  auto config = load(file);
  if (!config.ok()) return fail(config.status());
  std::cout << ursa::model::toYaml(config->tree);
  return 0;
}

int migrateUp(const std::string& file) {
  auto config = load(file);
  if (!config.ok()) return fail(config.status());
  // Opening a store applies its pending migrations.
  auto store = ursa::cp::openStore(config->store);
  if (!store.ok()) return fail(store.status());
  std::cout << "the " << (*store)->backendName() << " store schema is up to date\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ursa-cp: the ursa control plane (Kuma 2.2 compatible)"};
  app.require_subcommand(1);
  std::string config_file;

  auto* run_cmd = app.add_subcommand("run", "Run the control plane until SIGINT or SIGTERM");
  run_cmd->add_option("-c,--config,--config-file", config_file, "YAML configuration file")
      ->check(CLI::ExistingFile);

  auto* config_cmd = app.add_subcommand("config", "Inspect the configuration");
  config_cmd->require_subcommand(1);
  auto* print_cmd = config_cmd->add_subcommand("print", "Print the effective configuration");
  print_cmd->add_option("-c,--config,--config-file", config_file, "YAML configuration file")
      ->check(CLI::ExistingFile);
  auto* docs_cmd = config_cmd->add_subcommand("docs", "Print every configuration key (Markdown)");

  auto* migrate_cmd = app.add_subcommand("migrate", "Store schema migrations");
  migrate_cmd->require_subcommand(1);
  auto* up_cmd = migrate_cmd->add_subcommand("up", "Apply pending migrations");
  up_cmd->add_option("-c,--config,--config-file", config_file, "YAML configuration file")
      ->check(CLI::ExistingFile);

  auto* version_cmd = app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);
  if (run_cmd->parsed()) return run(config_file);
  if (print_cmd->parsed()) return printConfig(config_file);
  if (docs_cmd->parsed()) {
    std::cout << ursa::config::configReferenceMarkdown();
    return 0;
  }
  if (up_cmd->parsed()) return migrateUp(config_file);
  if (version_cmd->parsed()) {
    std::cout << "ursa-cp " << URSA_VERSION << "\n";
    return 0;
  }
  return 0;
}
