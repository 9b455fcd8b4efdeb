#pragma once

// The outcome of one simulator run, and its two renderings: text for people
// and JSON for scripts (the same facts; durations in milliseconds there).

#include <optional>
#include <string>
#include <vector>

#include "src/loadsim/cp_metrics.h"
#include "src/loadsim/stats.h"

namespace ursa::loadsim {

struct ScenarioResult {
  std::string name;    // "endpoint", "policy", "reconnect"
  std::string change;  // what was changed, for people
  size_t expected = 0;
  size_t delivered = 0;   // expected proxies that ACKed (or NACKed) the change
  size_t nacks = 0;       // of those, NACKed
  size_t unexpected = 0;  // proxies outside the expected set that got it
  Summary delays;         // change -> ACK, per expected proxy
  double all_after = -1;  // seconds until the last expected ACK; -1: not all
  bool ok() const { return delivered == expected; }
};

struct Report {
  // The run.
  size_t proxies = 0, services = 0;
  double mean_dependencies = 0;
  std::string mesh;
  bool delta = false, mesh_created = false, tokens = true;
  double nack_fraction = 0;
  int channels = 0;
  uint64_t seed = 0;
  // Registration through the API.
  double register_seconds = 0, tokens_seconds = 0;
  // Initial connection: complete configuration per proxy, from the start.
  size_t complete = 0;
  Summary completion;
  double all_complete_after = -1;
  std::vector<ScenarioResult> scenarios;
  double hold_seconds = 0;  // the idle-CPU window: the second half of --hold
  // Traffic seen by the simulator.
  uint64_t responses = 0, nacks = 0, bytes = 0, stream_errors = 0;
  std::vector<std::string> errors;  // "<count> x <code>: <message>"
  // The control plane, when it can be observed.
  std::optional<CpSample> cp_after_connect, cp_before_hold, cp_after_hold, cp_end;
  std::optional<CpSample> cp_start;
  std::vector<std::string> problems;  // why the run is not OK

  bool ok() const { return problems.empty(); }
};

std::string renderText(const Report& r);
model::Json renderJson(const Report& r);

}  // namespace ursa::loadsim
