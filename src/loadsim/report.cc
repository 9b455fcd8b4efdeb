#include "src/loadsim/report.h"

#include <cstdio>

#include "ursa/common/strings.h"

namespace ursa::loadsim {
namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::optional<double> cpuBetween(const std::optional<CpSample>& a, const std::optional<CpSample>& b) {
  if (!a || !b || !a->cpu_seconds || !b->cpu_seconds) return std::nullopt;
  return *b->cpu_seconds - *a->cpu_seconds;
}

std::string quantiles(const CpSample& s, const std::string& metric) {
  auto get = [&](const char* q) -> std::string {
    auto it = s.summaries.find(strCat(metric, "{quantile=\"", q, "\"}"));
    return it == s.summaries.end() ? "?" : formatSeconds(it->second);
  };
  auto count = s.summaries.find(strCat(metric, "_count"));
  return strCat("p50 ", get("0.5"), "  p90 ", get("0.9"), "  p99 ", get("0.99"),
                count == s.summaries.end() ? "" : strCat("  (n=", fixed(count->second, 0), ")"));
}

std::optional<double> rssGrowthPerProxy(const Report& r) {
  if (!r.cp_start || !r.cp_after_connect || !r.cp_start->rss_bytes ||
      !r.cp_after_connect->rss_bytes || r.proxies == 0) {
    return std::nullopt;
  }
  return (*r.cp_after_connect->rss_bytes - *r.cp_start->rss_bytes) / static_cast<double>(r.proxies);
}

void textControlPlane(const Report& r, std::string& out) {
  if (!r.cp_end) return;
  const CpSample& end = *r.cp_end;
  std::string line = "control plane   ";
  if (end.rss_bytes) line += strCat("RSS ", formatBytes(*end.rss_bytes));
  if (end.peak_rss_bytes) line += strCat(" (peak ", formatBytes(*end.peak_rss_bytes), ")");
  if (auto growth = rssGrowthPerProxy(r)) {
    line += strCat(", +", formatBytes(*growth), " per proxy (RSS growth while connecting)");
  }
  out += line + "\n";
  auto connect_cpu = cpuBetween(r.cp_start, r.cp_after_connect);
  if (connect_cpu) {
    out += strCat("  CPU           ", fixed(*connect_cpu, 2), " s to register and connect everyone");
    if (auto idle = cpuBetween(r.cp_before_hold, r.cp_after_hold); idle && r.hold_seconds > 0) {
      out += strCat(", ", fixed(100 * *idle / r.hold_seconds, 2), "% of a core while idle (hold)");
    }
    if (auto all = cpuBetween(r.cp_start, r.cp_end)) out += strCat(", ", fixed(*all, 2), " s in all");
    out += "\n";
  }
  if (end.summaries.contains("xds_generation_count")) {
    out += strCat("  xds_generation  ", quantiles(end, "xds_generation"), "\n");
  }
  if (end.summaries.contains("xds_delivery_count")) {
    out += strCat("  xds_delivery    ", quantiles(end, "xds_delivery"), " (control plane's view)\n");
  }
}

}  // namespace

std::string renderText(const Report& r) {
  std::string out = strCat(
      "ursa-xds-load: ", r.proxies, " proxies (", r.services, " services, ",
      fixed(r.mean_dependencies, 1), " dependencies each), mesh ", r.mesh,
      r.mesh_created ? " (created, mTLS builtin)" : " (existing)", ", ",
      r.delta ? "delta" : "state-of-the-world", " xDS over ", r.channels, " channels, seed ", r.seed,
      r.nack_fraction > 0 ? strCat(", NACKing ", fixed(100 * r.nack_fraction, 1), "% of updates") : "",
      "\n");
  out += strCat("registration    ", r.proxies, " Dataplanes in ", formatSeconds(r.register_seconds),
                r.tokens ? strCat(", ", r.proxies, " tokens in ", formatSeconds(r.tokens_seconds))
                         : ", no tokens",
                "\n");
  out += strCat("initial config  ", r.complete, "/", r.proxies, " complete",
                r.all_complete_after >= 0 ? strCat(", all after ", formatSeconds(r.all_complete_after))
                                          : "",
                "\n                per proxy ", toText(r.completion), "\n");
  for (const auto& s : r.scenarios) {
    out += strCat("scenario ", s.name, std::string(s.name.size() < 9 ? 9 - s.name.size() : 1, ' '),
                  s.change, "\n                ", s.delivered, "/", s.expected,
                  s.name == "reconnect" ? " complete again" : " ACKed",
                  s.all_after >= 0 ? strCat(", all after ", formatSeconds(s.all_after)) : "",
                  s.nacks ? strCat(" (", s.nacks, " NACKed)") : "",
                  s.unexpected ? strCat(", ", s.unexpected, " others") : "",
                  "\n                ", toText(s.delays), "\n");
  }
  out += strCat("traffic         ", r.responses, " responses (", r.nacks, " NACKed), ",
                formatBytes(static_cast<double>(r.bytes)), " received, ", r.stream_errors,
                " stream errors\n");
  for (const auto& e : r.errors) out += strCat("  error         ", e, "\n");
  textControlPlane(r, out);
  out += r.ok() ? "result          OK\n" : "result          FAILED\n";
  for (const auto& p : r.problems) out += strCat("  - ", p, "\n");
  return out;
}

model::Json renderJson(const Report& r) {
  model::Json j = {
      {"ok", r.ok()},
      {"proxies", r.proxies},
      {"services", r.services},
      {"mean_dependencies", r.mean_dependencies},
      {"mesh", r.mesh},
      {"mesh_created", r.mesh_created},
      {"delta", r.delta},
      {"tokens", r.tokens},
      {"nack_fraction", r.nack_fraction},
      {"channels", r.channels},
      {"seed", r.seed},
      {"register_ms", r.register_seconds * 1e3},
      {"tokens_ms", r.tokens_seconds * 1e3},
      {"initial", {{"complete", r.complete},
                   {"all_complete_ms", r.all_complete_after < 0 ? -1 : r.all_complete_after * 1e3},
                   {"per_proxy", toJson(r.completion)}}},
      {"hold_seconds", r.hold_seconds},
      {"traffic", {{"responses", r.responses}, {"nacks", r.nacks}, {"bytes", r.bytes},
                   {"stream_errors", r.stream_errors}, {"errors", r.errors}}},
      {"problems", r.problems},
  };
  j["scenarios"] = model::Json::object();
  for (const auto& s : r.scenarios) {
    j["scenarios"][s.name] = {{"change", s.change},
                              {"expected", s.expected},
                              {"delivered", s.delivered},
                              {"nacks", s.nacks},
                              {"unexpected", s.unexpected},
                              {"all_ms", s.all_after < 0 ? -1 : s.all_after * 1e3},
                              {"delays", toJson(s.delays)},
                              {"ok", s.ok()}};
  }
  model::Json cp = model::Json::object();
  if (r.cp_start) cp["start"] = toJson(*r.cp_start);
  if (auto growth = rssGrowthPerProxy(r)) cp["rss_growth_per_proxy_kb"] = *growth / 1e3;
  if (r.cp_after_connect) cp["after_connect"] = toJson(*r.cp_after_connect);
  if (r.cp_before_hold) cp["before_hold"] = toJson(*r.cp_before_hold);
  if (r.cp_after_hold) cp["after_hold"] = toJson(*r.cp_after_hold);
  if (r.cp_end) cp["end"] = toJson(*r.cp_end);
  j["control_plane"] = cp;
  return j;
}

}  // namespace ursa::loadsim
