// MeshHTTPRoute: validation as Kuma 2.2's
// pkg/plugins/policies/meshhttproute/api/v1alpha1/validation.go, plus the
// string enums Kuma leaves to its schema.

#include <set>

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/policy_helpers_b.h"
#include "ursa/common/strings.h"
#include "ursa/policies/meshhttproute/v1alpha1/meshhttproute.pb.h"

namespace ursa::model::types {
namespace {

using ursa::common::v1alpha1::HeaderModifier;
using ursa::policies::meshhttproute::v1alpha1::MeshHTTPRoute;
using validators::RefKind;
using Match = MeshHTTPRoute::Match;
using Matches = google::protobuf::RepeatedPtrField<Match>;
using Filter = MeshHTTPRoute::Filter;

void validatePathMatch(const MeshHTTPRoute::PathMatch& path, const FieldPath& at, Violations& out) {
  validators::checkEnum(path.type(), {"Exact", "Prefix", "RegularExpression"}, true,
                        at.field("type"), out);
  const std::string& value = path.value();
  const FieldPath value_at = at.field("value");
  if (path.type() == "Prefix" && value != "/") {
    if (value.ends_with("/")) {
      out.add(value_at,
              "does not need a trailing slash because only a `/`-separated prefix or an entire "
              "path is matched");
    }
    if (!value.starts_with("/")) out.add(value_at, "must be an absolute path");
  } else if (path.type() == "Exact" && !value.starts_with("/")) {
    out.add(value_at, "must be an absolute path");
  }
}

void validateQueryParams(const Match& match, const FieldPath& at, Violations& out) {
  std::set<std::string> seen;
  for (int i = 0; i < match.query_params_size(); ++i) {
    const auto& param = match.query_params(i);
    const FieldPath item = at.index(static_cast<size_t>(i));
    if (!seen.insert(param.name()).second) {
      out.add(item.field("name"), ursa::strCat("multiple entries for name ", param.name()));
    }
    validators::checkEnum(param.type(), {"Exact", "RegularExpression"}, true, item.field("type"),
                          out);
  }
}

// Present and Absent matches take no value. The type defaults to Exact.
void validateHeaderMatches(const Match& match, const FieldPath& at, Violations& out) {
  for (int i = 0; i < match.headers_size(); ++i) {
    const auto& header = match.headers(i);
    const FieldPath item = at.index(static_cast<size_t>(i));
    validators::checkEnum(header.type(),
                          {"Exact", "Present", "RegularExpression", "Absent", "Prefix"}, false,
                          item.field("type"), out);
    if ((header.type() == "Present" || header.type() == "Absent") && !header.value().empty()) {
      out.add(item.field("value"), std::string(validators::kMustNotBeDefined));
    }
  }
}

void validateMatches(const Matches& matches, const FieldPath& at, Violations& out) {
  for (int i = 0; i < matches.size(); ++i) {
    const Match& match = matches[i];
    const FieldPath item = at.index(static_cast<size_t>(i));
    if (match.has_path()) validatePathMatch(match.path(), item.field("path"), out);
    validators::checkEnum(
        match.method(),
        {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"}, false,
        item.field("method"), out);
    validateQueryParams(match, item.field("queryParams"), out);
    validateHeaderMatches(match, item.field("headers"), out);
  }
}

// At least one list, and every header name once across set, add and remove.
void validateHeaderModifier(const HeaderModifier& modifier, const FieldPath& at, Violations& out) {
  if (modifier.set().empty() && modifier.add().empty() && modifier.remove().empty()) {
    out.add(at, validators::mustHaveAtLeastOne({"set", "add", "remove"}));
    return;
  }
  std::set<std::string> seen;
  auto note = [&](const std::string& name, const FieldPath& item) {
    if (!seen.insert(name).second) out.add(item.field("name"), "duplicate header name");
  };
  for (int i = 0; i < modifier.set_size(); ++i) {
    note(modifier.set(i).name(), at.field("set").index(static_cast<size_t>(i)));
  }
  for (int i = 0; i < modifier.add_size(); ++i) {
    note(modifier.add(i).name(), at.field("add").index(static_cast<size_t>(i)));
  }
  for (int i = 0; i < modifier.remove_size(); ++i) {
    note(modifier.remove(i), at.field("remove").index(static_cast<size_t>(i)));
  }
}

// replacePrefixMatch needs every match to be a path prefix match (no matches
// at all counts as the "/" prefix).
bool allMatchPrefixes(const Matches& matches) {
  for (const Match& match : matches) {
    if (!match.has_path() || match.path().type() != "Prefix") return false;
  }
  return true;
}

void validatePathRewrite(const MeshHTTPRoute::PathRewrite& path, const Matches& matches,
                         const FieldPath& at, Violations& out) {
  if (path.has_replace_prefix_match() && !allMatchPrefixes(matches)) {
    out.add(at.field("replacePrefixMatch"), "can only appear if all matches match a path prefix");
  }
  validators::checkEnum(path.type(), {"ReplaceFullPath", "ReplacePrefixMatch"}, true,
                        at.field("type"), out);
}

void validateRedirect(const MeshHTTPRoute::RequestRedirect& redirect, const Matches& matches,
                      const FieldPath& at, Violations& out) {
  if (redirect.has_path()) validatePathRewrite(redirect.path(), matches, at.field("path"), out);
  validators::checkEnum(redirect.scheme(), {"http", "https"}, false, at.field("scheme"), out);
  if (redirect.has_status_code()) {
    int32_t code = redirect.status_code();
    if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
      out.add(at.field("statusCode"),
              ursa::strCat("unknown value ", code, "; allowed values: 301, 302, 303, 307, 308"));
    }
  }
}

// The settings message named by `type` must be set.
void validateFilter(const Filter& filter, const Matches& matches, const FieldPath& at,
                    Violations& out) {
  auto require = [&](std::string_view field, bool set) {
    if (!set) out.add(at.field(field), std::string(validators::kMustBeDefined));
    return set;
  };
  const std::string& type = filter.type();
  if (type == "RequestHeaderModifier") {
    if (require("requestHeaderModifier", filter.has_request_header_modifier())) {
      validateHeaderModifier(filter.request_header_modifier(), at.field("requestHeaderModifier"),
                             out);
    }
  } else if (type == "ResponseHeaderModifier") {
    if (require("responseHeaderModifier", filter.has_response_header_modifier())) {
      validateHeaderModifier(filter.response_header_modifier(), at.field("responseHeaderModifier"),
                             out);
    }
  } else if (type == "RequestRedirect") {
    if (require("requestRedirect", filter.has_request_redirect())) {
      validateRedirect(filter.request_redirect(), matches, at.field("requestRedirect"), out);
    }
  } else if (type == "URLRewrite") {
    if (require("urlRewrite", filter.has_url_rewrite()) && filter.url_rewrite().has_path()) {
      validatePathRewrite(filter.url_rewrite().path(), matches,
                          at.field("urlRewrite").field("path"), out);
    }
  } else if (type == "RequestMirror") {
    if (require("requestMirror", filter.has_request_mirror())) {
      validators::validateTargetRef(filter.request_mirror().backend_ref(),
                                    {RefKind::MeshService, RefKind::MeshServiceSubset},
                                    at.field("requestMirror").field("backendRef"), out);
    }
  } else {
    validators::checkEnum(type,
                          {"RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect",
                           "URLRewrite", "RequestMirror"},
                          true, at.field("type"), out);
  }
}

void validateRule(const MeshHTTPRoute::Rule& rule, const FieldPath& at, Violations& out) {
  validateMatches(rule.matches(), at.field("matches"), out);
  const FieldPath conf = at.field("default");
  for (int i = 0; i < rule.default_().filters_size(); ++i) {
    validateFilter(rule.default_().filters(i), rule.matches(),
                   conf.field("filters").index(static_cast<size_t>(i)), out);
  }
  validators::validateBackendRefs(rule.default_().backend_refs(), conf.field("backendRefs"), out);
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const MeshHTTPRoute&>(msg);
  const FieldPath root = FieldPath::rootedAt("spec");
  validators::validateTargetRef(
      spec.target_ref(),
      {RefKind::Mesh, RefKind::MeshSubset, RefKind::MeshService, RefKind::MeshServiceSubset},
      root.field("targetRef"), out);
  for (int i = 0; i < spec.to_size(); ++i) {
    const auto& to = spec.to(i);
    const FieldPath at = root.field("to").index(static_cast<size_t>(i));
    validators::validateTargetRef(to.target_ref(), {RefKind::MeshService}, at.field("targetRef"),
                                  out);
    for (int j = 0; j < to.rules_size(); ++j) {
      validateRule(to.rules(j), at.field("rules").index(static_cast<size_t>(j)), out);
    }
  }
}

}  // namespace

const ResourceType& meshHTTPRoute() {
  static const ResourceType kType{
      .name = "MeshHTTPRoute",
      .scope = Scope::Mesh,
      .path = "meshhttproutes",
      .cli_singular = "meshhttproute",
      .cli_plural = "meshhttproutes",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshHTTPRoute::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
