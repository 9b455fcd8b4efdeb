#pragma once

// One simulator run, start to end: generate the topology, register it
// through the API, connect every proxy and wait for complete configuration,
// run the scenarios, hold, then disconnect, clean up and report.
//
// Scenarios (each waits for its expected ACK count, up to scenario_timeout):
//  - endpoint:  one instance of the most-consumed service moves to another
//               port; expected: every proxy that reaches the service ACKs an
//               EDS response with the new endpoint. Reverted afterwards.
//  - policy:    a mesh-wide MeshTimeout (targetRef Mesh, from and to Mesh,
//               http.requestTimeout 17s) is created; expected: every proxy
//               ACKs an LDS response whose inbound listener's route has the
//               17s timeout. Its deletion is timed too ("policy-delete":
//               every inbound route back to another timeout; with
//               --nack-fraction its shortfall is reported, not a failure).
//  - reconnect: every stream is cancelled at once and reopened at once, each
//               proxy starting afresh; expected: every proxy complete again,
//               timed from the disconnect.

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "src/loadsim/report.h"

namespace ursa::loadsim {

struct RunOptions {
  std::string cp_address = "https://localhost:5678";  // data plane server (ADS)
  std::string api_address = "http://localhost:5681";
  std::string diagnostics_address;  // e.g. http://localhost:5680; empty: not read
  int cp_pid = 0;                   // read /proc/<pid> for RSS and CPU; 0: not read
  size_t proxies = 100;
  absl::Duration hold = absl::Seconds(10);
  uint64_t seed = 1;
  double edge_percent = 50;
  std::string mesh = "loadsim";
  bool delta = false;
  double nack_fraction = 0;
  std::vector<std::string> scenarios = {"endpoint", "policy", "reconnect"};
  std::string ca_cert_file;
  bool insecure_skip_verify = false;
  std::string tls_server_name;
  bool tokens = true;
  bool keep = false;
  int channels = 4;
  int api_workers = 4;
  double connect_rate = 0;
  absl::Duration connect_timeout = absl::Minutes(5);
  absl::Duration scenario_timeout = absl::Seconds(60);
};

// Checks option values; InvalidArgument naming the first bad one.
absl::Status validate(const RunOptions& options);

// Runs everything; `log` receives progress lines. Errors that stop the run
// (API unreachable, registration refused) are returned; problems met on the
// way (incomplete proxies, missing ACKs) are in Report::problems.
absl::StatusOr<Report> run(const RunOptions& options,
                           const std::function<void(const std::string&)>& log);

}  // namespace ursa::loadsim
