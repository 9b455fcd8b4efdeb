// POST /tokens/user: {name, groups, validFor} -> a signed user token (text/plain).

#include "src/api/api_handler.h"
#include "src/api/auth/user_token.h"
#include "src/api/rest.h"
#include "ursa/common/strings.h"

namespace ursa::api {

using model::Json;

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

}  // namespace ursa::api
