#include "src/loadsim/cp_metrics.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "src/cli/curl_transport.h"
#include "ursa/common/strings.h"

namespace ursa::loadsim {
namespace {

bool interesting(std::string_view name) {
  return name.starts_with("xds_generation") || name.starts_with("xds_delivery") ||
         name == "process_resident_memory_bytes" || name == "process_cpu_seconds_total";
}

// Drops labels other than `quantile` ("x{a="b",quantile="0.5"}" -> "x{quantile="0.5"}").
std::string keyOf(std::string_view name, std::string_view labels) {
  size_t q = labels.find("quantile=\"");
  if (q == std::string_view::npos) return std::string(name);
  size_t end = labels.find('"', q + 10);
  return strCat(name, "{quantile=\"", labels.substr(q + 10, end - q - 10), "\"}");
}

}  // namespace

CpSample parsePrometheus(std::string_view text) {
  CpSample s;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? text.npos : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    if (line.empty() || line[0] == '#') continue;
    size_t name_end = line.find_first_of("{ ");
    if (name_end == std::string_view::npos) continue;
    std::string_view name = line.substr(0, name_end);
    if (!interesting(name)) continue;
    std::string_view labels;
    size_t value_at = name_end;
    if (line[name_end] == '{') {
      size_t close = line.find('}', name_end);
      if (close == std::string_view::npos) continue;
      labels = line.substr(name_end, close - name_end + 1);
      value_at = close + 1;
    }
    double value = std::strtod(std::string(line.substr(value_at)).c_str(), nullptr);
    if (name == "process_resident_memory_bytes") {
      s.rss_bytes = value;
    } else if (name == "process_cpu_seconds_total") {
      s.cpu_seconds = value;
    } else {
      s.summaries[keyOf(name, labels)] = value;
    }
  }
  return s;
}

bool readProc(int pid, CpSample& sample) {
  std::ifstream status(strCat("/proc/", pid, "/status"));
  if (!status) return false;
  std::string line;
  while (std::getline(status, line)) {
    auto kb = [&](std::string_view prefix) {
      return std::strtod(line.c_str() + prefix.size(), nullptr) * 1024;
    };
    if (line.starts_with("VmRSS:")) sample.rss_bytes = kb("VmRSS:");
    if (line.starts_with("VmHWM:")) sample.peak_rss_bytes = kb("VmHWM:");
  }
  std::ifstream stat(strCat("/proc/", pid, "/stat"));
  std::string all((std::istreambuf_iterator<char>(stat)), {});
  size_t paren = all.rfind(')');
  if (paren == std::string::npos) return true;
  std::istringstream fields(all.substr(paren + 2));
  std::string f;
  double utime = 0, stime = 0;
  for (int i = 3; fields >> f; ++i) {  // field 3 is the state
    if (i == 14) utime = std::strtod(f.c_str(), nullptr);
    if (i == 15) {
      stime = std::strtod(f.c_str(), nullptr);
      break;
    }
  }
  sample.cpu_seconds = (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return true;
}

CpMetrics::CpMetrics(std::string diagnostics_address, int pid)
    : address_(std::move(diagnostics_address)), pid_(pid) {}

CpSample CpMetrics::sample() const {
  CpSample s;
  if (!address_.empty()) {
    auto transport = cli::makeCurlTransport({.base_url = address_, .timeout = absl::Seconds(10)});
    if (transport.ok()) {
      auto r = (*transport)->send({.method = "GET", .target = "/metrics", .accept = "text/plain"});
      if (r.ok() && r->status == 200) s = parsePrometheus(r->body);
    }
  }
  if (pid_ > 0) readProc(pid_, s);
  return s;
}

model::Json toJson(const CpSample& s) {
  model::Json j = model::Json::object();
  if (s.rss_bytes) j["rss_mb"] = *s.rss_bytes / 1e6;
  if (s.peak_rss_bytes) j["peak_rss_mb"] = *s.peak_rss_bytes / 1e6;
  if (s.cpu_seconds) j["cpu_seconds"] = *s.cpu_seconds;
  for (const auto& [k, v] : s.summaries) j["metrics"][k] = v;
  return j;
}

}  // namespace ursa::loadsim
