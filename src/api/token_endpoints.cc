// POST /tokens/user: {name, groups, validFor} -> a signed user token (text/plain).
// POST /tokens/dataplane: {name, mesh, tags: {tag: [value...]}, type, validFor}
//   -> a signed dataplane token (text/plain). As in Kuma 2.2 the request is
//   checked first (400 "Invalid request"), then access (403); an empty
//   validFor means ten years (Kuma's legacy default).

#include <algorithm>
#include <map>
#include <set>

#include "src/api/api_handler.h"
#include "src/api/auth/dataplane_tokens.h"
#include "src/api/auth/user_token.h"
#include "src/api/rest.h"
#include "ursa/common/strings.h"

namespace ursa::api {

using model::Json;

namespace {

// A string field of the body: "" when absent or null; a violation otherwise.
std::string stringField(const Json& body, const char* key, model::Violations& v) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  v.add(model::FieldPath::rootedAt(key), "must be a string");
  return "";
}

// `tags`: {"tag": ["value", ...]}.
std::map<std::string, std::set<std::string>> tagsField(const Json& body, model::Violations& v) {
  std::map<std::string, std::set<std::string>> tags;
  auto it = body.find("tags");
  if (it == body.end() || it->is_null()) return tags;
  if (!it->is_object()) {
    v.add(model::FieldPath::rootedAt("tags"), "must be a map of tag to list of values");
    return tags;
  }
  for (const auto& [key, values] : it->items()) {
    if (values.is_null()) continue;
    bool strings = values.is_array() && std::all_of(values.begin(), values.end(),
                                                    [](const Json& x) { return x.is_string(); });
    if (!strings) {
      v.add(model::FieldPath::rootedAt("tags").key(key), "must be a list of strings");
      continue;
    }
    for (const auto& value : values) tags[key].insert(value.get<std::string>());
  }
  return tags;
}

absl::StatusOr<DataplaneTokenRequest> dataplaneTokenRequest(const Json& body) {
  model::Violations v;
  DataplaneTokenRequest request;
  request.name = stringField(body, "name", v);
  request.mesh = stringField(body, "mesh", v);
  if (request.mesh.empty()) v.add(model::FieldPath::rootedAt("mesh"), "cannot be empty");
  request.tags = tagsField(body, v);
  request.type = stringField(body, "type", v);
  if (!request.type.empty() && request.type != "dataplane" && request.type != "ingress" &&
      request.type != "egress") {
    v.add(model::FieldPath::rootedAt("type"), strCat(request.type, " is not a valid proxy type"));
  }
  std::string valid_for = stringField(body, "validFor", v);
  if (!valid_for.empty() && (!absl::ParseDuration(valid_for, &request.valid_for) ||
                             request.valid_for <= absl::ZeroDuration() ||
                             request.valid_for == absl::InfiniteDuration())) {
    v.add(model::FieldPath::rootedAt("validFor"), "must be a positive duration such as 24h");
  }
  if (!v.empty()) return model::invalidArgument("invalid token request", v);
  return request;
}

}  // namespace

http::Response ApiHandler::userToken(const http::Request& req, const User& user) const {
  if (auto s = deps_.access->checkGenerateUserToken(user); !s.ok()) {
    return error(req, "Access Denied", s);
  }
  if (!deps_.user_tokens) {
    return error(req, "Could not issue a user token",
                 absl::UnimplementedError("the user token issuer is disabled"));
  }
  auto body = parseBody(req, options_.max_body_bytes);
  if (!body.ok()) return error(req, "Could not issue a user token", body.status());
  model::Violations v;
  UserTokenRequest request;
  if (!body->is_object()) body = Json::object();
  if (auto it = body->find("name"); it != body->end() && it->is_string()) {
    request.name = it->get<std::string>();
  }
  if (request.name.empty()) v.add(model::FieldPath::rootedAt("name"), "cannot be empty");
  if (auto it = body->find("groups"); it != body->end() && !it->is_null()) {
    if (!it->is_array()) {
      v.add(model::FieldPath::rootedAt("groups"), "must be a list of strings");
    } else {
      for (const auto& g : *it) {
        if (g.is_string()) request.groups.push_back(g.get<std::string>());
      }
    }
  }
  std::string valid_for;
  if (auto it = body->find("validFor"); it != body->end() && it->is_string()) {
    valid_for = it->get<std::string>();
  }
  if (!absl::ParseDuration(valid_for, &request.valid_for) ||
      request.valid_for <= absl::ZeroDuration()) {
    v.add(model::FieldPath::rootedAt("validFor"), "must be a positive duration such as 24h");
  }
  if (!v.empty()) {
    return error(req, "Could not issue a user token",
                 model::invalidArgument("invalid token request", v));
  }
  auto token = deps_.user_tokens->issue(request);
  if (!token.ok()) return error(req, "Could not issue a user token", token.status());
  return http::Response::text(200, *token);
}

http::Response ApiHandler::dataplaneToken(const http::Request& req, const User& user) const {
  auto body = parseBody(req, options_.max_body_bytes);
  if (!body.ok()) return error(req, "Invalid request", body.status());
  if (!body->is_object()) body = Json::object();
  auto request = dataplaneTokenRequest(*body);
  if (!request.ok()) return error(req, "Invalid request", request.status());
  if (auto s = deps_.access->checkGenerateDataplaneToken(user); !s.ok()) {
    return error(req, "Access Denied", s);
  }
  if (!deps_.dataplane_tokens) {
    return error(req, "Could not issue a token",
                 absl::UnimplementedError("the dataplane token issuer is not available"));
  }
  auto token = deps_.dataplane_tokens->issue(*request);
  if (!token.ok()) return error(req, "Could not issue a token", token.status());
  return http::Response::text(200, *token);
}

}  // namespace ursa::api
