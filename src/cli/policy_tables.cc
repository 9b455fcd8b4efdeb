#include "src/cli/policy_tables.h"

#include "src/cli/resource_tables.h"
#include "src/cli/table.h"
#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

using model::Json;

// "Type/name, Type/name" from {<Type>: [resource...]}.
std::string matchedText(const Json& matched) {
  std::vector<std::string> out;
  if (!matched.is_object()) return "-";
  for (const auto& [type, list] : matched.items()) {
    for (const Json& p : list) out.push_back(strCat(type, "/", stringAt(p, "name")));
  }
  return out.empty() ? "-" : strJoin(out, ", ");
}

std::string originsText(const Json& origins) {
  std::vector<std::string> out;
  for (const Json& o : origins) out.push_back(stringAt(o, "name"));
  return out.empty() ? "-" : strJoin(out, ",");
}

// Warnings and notes after the tables, one per line.
std::string trailer(const Json& body) {
  std::string out;
  for (const Json& n : at(body, "notes")) out += strCat("NOTE: ", n.get<std::string>(), "\n");
  for (const Json& w : at(body, "warnings")) {
    out += strCat("WARNING: ", w.get<std::string>(), "\n");
  }
  return out;
}

std::string contributorsText(const Json& aspect) {
  std::vector<std::string> out;
  for (const Json& c : at(aspect, "contributors")) {
    out.push_back(strCat(stringAt(c, "name"), " ", stringAt(c, "item")));
  }
  return out.empty() ? "-" : strJoin(out, ", ");
}

std::string permissionText(const Json& mtp) {
  std::string decision = stringAt(mtp, "decision");
  const Json& action = at(mtp, "action");
  std::string why = stringAt(mtp, "reason");
  if (action.is_string()) return strCat(decision, " (", action.get<std::string>(), "): ", why);
  return strCat(decision, ": ", why);
}

std::string aspectText(const Json& aspect) {
  if (aspect.is_null()) return "-";
  return at(at(aspect, "rule"), "conf").dump();
}

// "kuma.io/service=web,version=v1" from {key: value}.
std::string tagsText(const Json& tags) {
  std::vector<std::string> out;
  if (tags.is_object()) {
    for (const auto& [k, v] : tags.items()) out.push_back(strCat(k, "=", v.get<std::string>()));
  }
  return strJoin(out, ",");
}

std::string instanceName(const Json& entry, std::string_view fallback) {
  const Json& dp = at(entry, "dataplane");
  return dp.is_string() ? dp.get<std::string>() : std::string(fallback);
}

}  // namespace

std::string subsetText(const Json& subset) {
  std::vector<std::string> out;
  for (const Json& t : subset) {
    bool negated = at(t, "not").is_boolean() && at(t, "not").get<bool>();
    out.push_back(strCat(stringAt(t, "key"), negated ? "!=" : "=", stringAt(t, "value")));
  }
  return out.empty() ? "*" : strJoin(out, ",");
}

std::string renderDataplanePolicies(const Json& body) {
  Table t;
  t.headers = {"TYPE", "NAME", "SERVICE", "POLICIES"};
  for (const Json& item : at(body, "items")) {
    std::string service = stringAt(item, "service");
    t.rows.push_back({stringAt(item, "type"), stringAt(item, "name"), service.empty() ? "-" : service,
                      matchedText(at(item, "matchedPolicies"))});
  }
  Json rules = {{"items", at(body, "rules")}, {"warnings", at(body, "warnings")}};
  return renderTable(t) + "\n" + renderDataplaneRules(rules);
}

std::string renderDataplaneRules(const Json& body) {
  Table t;
  t.headers = {"TYPE", "NAME", "POLICY TYPE", "SUBSET", "CONF", "ORIGINS"};
  for (const Json& r : at(body, "items")) {
    std::string name = stringAt(r, "name");
    t.rows.push_back({stringAt(r, "type"), name.empty() ? "-" : name, stringAt(r, "policyType"),
                      subsetText(at(r, "subset")), at(r, "conf").dump(),
                      originsText(at(r, "origins"))});
  }
  return renderTable(t) + trailer(body);
}

std::string renderPolicyDataplanes(const Json& body) {
  Table t;
  t.headers = {"MESH", "DATAPLANE", "ATTACHMENTS"};
  for (const Json& item : at(body, "items")) {
    std::vector<std::string> attachments;
    for (const Json& a : at(item, "attachments")) {
      std::string service = stringAt(a, "service");
      attachments.push_back(strCat(stringAt(a, "type"), " ", stringAt(a, "name"),
                                   service.empty() || service == stringAt(a, "name")
                                       ? "" : strCat(" (", service, ")")));
    }
    const Json& dp = at(item, "dataplane");
    t.rows.push_back({stringAt(dp, "mesh"), stringAt(dp, "name"), strJoin(attachments, ", ")});
  }
  return renderTable(t) + trailer(body);
}

std::string renderExplainTraffic(const Json& body) {
  std::string head = strCat("Traffic from ", tagsText(at(at(body, "from"), "tags")), " to ",
                            stringAt(at(body, "to"), "service"));
  if (const Json& port = at(at(body, "to"), "port"); port.is_number()) {
    head += strCat(":", port.get<uint32_t>());
  }
  bool mtls = at(body, "mtls").is_boolean() && at(body, "mtls").get<bool>();
  head += strCat(" in mesh ", stringAt(body, "mesh"), " (mTLS ", mtls ? "on" : "off", "): ",
                 stringAt(body, "decision"), "\n\n");
  Table t;
  t.headers = {"SIDE", "INSTANCE", "ASPECT", "RESULT", "CONTRIBUTORS (LAST DECIDES)"};
  for (const Json& d : at(body, "destinations")) {
    std::string who = strCat(instanceName(d, "-"), " ", stringAt(d, "inbound"));
    const Json& mtp = at(d, "trafficPermission");
    t.rows.push_back({"destination", who, "trafficPermission", permissionText(mtp),
                      contributorsText(mtp)});
    for (const char* key : {"faultInjection", "rateLimit", "timeout"}) {
      t.rows.push_back({"destination", who, key, aspectText(at(d, key)),
                        contributorsText(at(d, key))});
    }
  }
  for (const Json& s : at(body, "sources")) {
    std::string who = instanceName(s, "(no dataplane)");
    for (const auto& [key, aspect] : s.items()) {
      if (key == "dataplane") continue;
      t.rows.push_back({"source", who, key, aspectText(aspect), contributorsText(aspect)});
    }
  }
  std::string out = head + renderTable(t);
  std::string tail = trailer(body);
  return tail.empty() ? out : out + "\n" + tail;
}

}  // namespace ursa::cli
