#include "src/cli/inspect_tables.h"

#include <algorithm>
#include <optional>

#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

using model::Json;

std::optional<absl::Time> timeAt(const Json& obj, std::string_view key) {
  std::string text = stringAt(obj, key);
  if (text.empty()) return std::nullopt;
  auto t = parseTime(text);
  return t.ok() ? std::optional<absl::Time>(*t) : std::nullopt;
}

// Protobuf JSON writes 64-bit integers as strings; accept both.
uint64_t countAt(const Json& obj, std::string_view key) {
  const Json& v = at(obj, key);
  if (v.is_number_unsigned() || v.is_number_integer()) return v.get<uint64_t>();
  if (v.is_string()) {
    try {
      return std::stoull(v.get<std::string>());
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

bool connected(const Json& subscription) {
  return !stringAt(subscription, "connectTime").empty() &&
         stringAt(subscription, "disconnectTime").empty();
}

const Json& lastSubscription(const Json& insight) {
  static const Json kEmpty = Json::object();
  const Json& subs = at(insight, "subscriptions");
  return subs.is_array() && !subs.empty() ? subs.back() : kEmpty;
}

std::vector<std::string> versionCells(const Json& subscription) {
  const Json& version = at(subscription, "version");
  std::vector<std::string> deps;
  if (const Json& d = at(version, "dependencies"); d.is_object()) {
    for (const auto& [name, v] : d.items()) {
      deps.push_back(strCat(name, ": ", v.is_string() ? v.get<std::string>() : v.dump()));
    }
  }
  std::sort(deps.begin(), deps.end());
  return {stringAt(at(version, "kumaDp"), "version"), stringAt(at(version, "envoy"), "version"),
          deps.empty() ? "-" : strJoin(deps, ", ")};
}

std::vector<std::string> overviewRow(const Json& o, absl::Time now, absl::TimeZone zone) {
  const Json& insight = at(o, "dataplaneInsight");
  const Json& last = lastSubscription(insight);
  uint64_t sent = 0, rejected = 0;
  for (const Json& s : at(insight, "subscriptions")) {
    sent += countAt(at(at(s, "status"), "total"), "responsesSent");
    rejected += countAt(at(at(s, "status"), "total"), "responsesRejected");
  }
  const Json& mtls = at(insight, "mTLS");
  std::vector<std::string> supported;
  for (const Json& b : at(mtls, "supportedBackends")) {
    if (b.is_string()) supported.push_back(b.get<std::string>());
  }
  DataplaneStatus status = dataplaneStatus(o);
  std::vector<std::string> row = {
      stringAt(o, "mesh"),
      stringAt(o, "name"),
      dataplaneTags(at(o, "dataplane")),
      status.status,
      formatAgo(timeAt(last, "connectTime"), now),
      formatAgo(timeAt(at(last, "status"), "lastUpdateTime"), now),
      std::to_string(sent),
      std::to_string(rejected),
      formatAgo(timeAt(mtls, "lastCertificateRegeneration"), now),
      formatDate(timeAt(mtls, "certificateExpirationTime"), zone),
      std::to_string(countAt(mtls, "certificateRegenerations")),
      mtls.is_object() ? stringAt(mtls, "issuedBackend") : "-",
      strJoin(supported, ","),
  };
  for (std::string& cell : versionCells(last)) row.push_back(std::move(cell));
  row.push_back(strJoin(status.notes, ";"));
  return row;
}

}  // namespace

DataplaneStatus dataplaneStatus(const Json& overview) {
  DataplaneStatus s;
  for (const Json& sub : at(at(overview, "dataplaneInsight"), "subscriptions")) {
    s.proxy_online = s.proxy_online || connected(sub);
  }
  const Json& net = at(at(overview, "dataplane"), "networking");
  size_t inbounds = 0;
  for (const Json& inbound : at(net, "inbound")) {
    ++inbounds;
    const Json& health = at(inbound, "health");
    if (health.is_object() &&
        !(at(health, "ready").is_boolean() && at(health, "ready").get<bool>())) {
      s.notes.push_back(strCat("inbound[port=", countAt(inbound, "port"), ",svc=",
                               stringAt(at(inbound, "tags"), "kuma.io/service"), "] is not ready"));
    }
  }
  bool all_offline = s.notes.size() == inbounds;
  bool all_online = s.notes.empty();
  if (at(net, "gateway").is_object()) {
    all_offline = false;
    all_online = true;
  }
  if (!s.proxy_online || all_offline) {
    s.status = "Offline";
  } else if (!all_online) {
    s.status = "Partially degraded";
  } else {
    s.status = "Online";
    s.notes.clear();
  }
  return s;
}

Table dataplaneOverviewTable(const Json& items, absl::Time now, absl::TimeZone zone) {
  Table t;
  t.headers = {"MESH",
               "NAME",
               "TAGS",
               "STATUS",
               "LAST CONNECTED AGO",
               "LAST UPDATED AGO",
               "TOTAL UPDATES",
               "TOTAL ERRORS",
               "CERT REGENERATED AGO",
               "CERT EXPIRATION",
               "CERT REGENERATIONS",
               "CERT BACKEND",
               "SUPPORTED CERT BACKENDS",
               "KUMA-DP VERSION",
               "ENVOY VERSION",
               "DEPENDENCIES VERSIONS",
               "NOTES"};
  for (const Json& o : items) t.rows.push_back(overviewRow(o, now, zone));
  return t;
}

std::vector<MeshInsight> computeMeshInsights(const Json& meshes, const Json& overviews,
                                             const std::map<std::string, Json>& policies) {
  std::vector<MeshInsight> out;
  std::map<std::string, size_t> index;
  for (const Json& m : meshes) {
    index[stringAt(m, "name")] = out.size();
    out.push_back({.name = stringAt(m, "name"), .summary = summarizeMesh(m)});
  }
  for (const Json& o : overviews) {
    auto it = index.find(stringAt(o, "mesh"));
    if (it == index.end()) continue;
    MeshInsight& mi = out[it->second];
    ++mi.dataplanes_total;
    if (dataplaneStatus(o).proxy_online) ++mi.dataplanes_online;
  }
  for (const auto& [type, items] : policies) {
    for (const Json& p : items) {
      auto it = index.find(stringAt(p, "mesh"));
      if (it == index.end()) continue;
      ++out[it->second].policies[type];
      ++out[it->second].policies_total;
    }
  }
  return out;
}

Table meshInsightTable(const std::vector<MeshInsight>& insights) {
  Table t;
  t.headers = {"NAME",     "MTLS",       "METRICS",   "LOGGING", "TRACING",
               "LOCALITY", "ZONEEGRESS", "DPs/TOTAL", "POLICIES"};
  for (const MeshInsight& mi : insights) {
    const MeshSummary& s = mi.summary;
    t.rows.push_back({mi.name, s.mtls, s.metrics, s.logging, s.tracing, s.locality, s.zone_egress,
                      strCat(mi.dataplanes_online, "/", mi.dataplanes_total),
                      std::to_string(mi.policies_total)});
  }
  return t;
}

Json meshInsightList(const std::vector<MeshInsight>& insights) {
  Json items = Json::array();
  for (const MeshInsight& mi : insights) {
    Json policies = Json::object();
    for (const auto& [type, n] : mi.policies) policies[type] = {{"total", n}};
    items.push_back({{"type", "MeshInsight"},
                     {"name", mi.name},
                     {"dataplanes",
                      {{"online", mi.dataplanes_online},
                       {"offline", mi.dataplanes_total - mi.dataplanes_online},
                       {"total", mi.dataplanes_total}}},
                     {"policies", std::move(policies)}});
  }
  return Json{{"total", insights.size()}, {"items", std::move(items)}, {"next", nullptr}};
}

}  // namespace ursa::cli
