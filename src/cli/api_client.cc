#include "src/cli/api_client.h"

#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::cli {
namespace {

constexpr int kPageSize = 1000;  // the server's maximum
constexpr int kMaxPages = 100000;

absl::StatusCode codeOf(int http_status) {
  switch (http_status) {
    case 400:
    case 415:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 405:
    case 412:
      return absl::StatusCode::kFailedPrecondition;
    case 409:
      return absl::StatusCode::kAborted;
    case 413:
    case 429:
      return absl::StatusCode::kResourceExhausted;
    case 501:
      return absl::StatusCode::kUnimplemented;
    case 503:
      return absl::StatusCode::kUnavailable;
    default:
      return http_status >= 500 ? absl::StatusCode::kInternal : absl::StatusCode::kUnknown;
  }
}

std::string stringField(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// kumactl's rendering of a Kuma error body; empty when `body` is not one.
std::string formatKumaError(const Json& body) {
  if (!body.is_object() || !body.contains("title")) return "";
  std::string details = stringField(body, "details");
  std::string msg = stringField(body, "title");
  if (!details.empty()) msg += strCat(" (", details, ")");
  auto causes = body.find("causes");
  bool has_causes = causes != body.end() && causes->is_array() && !causes->empty();
  if (has_causes) {
    for (const auto& cause : *causes) {
      msg += strCat("\n* ", stringField(cause, "field"), ": ", stringField(cause, "message"));
    }
  }
  // Kuma 2.3+ (and ursa) add `detail`, sometimes more specific than `details`.
  std::string detail = stringField(body, "detail");
  if (!has_causes && !detail.empty() && detail != details) msg += strCat(": ", detail);
  return msg;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

}  // namespace

std::string percentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

std::string listPath(const model::ResourceType& type, std::string_view mesh) {
  if (type.scope == model::Scope::Mesh && !mesh.empty()) {
    return strCat("/meshes/", percentEncode(mesh), "/", type.path);
  }
  return strCat("/", type.path);
}

std::string itemPath(const model::ResourceType& type, std::string_view mesh,
                     std::string_view name) {
  return strCat(listPath(type, type.scope == model::Scope::Mesh ? mesh : ""), "/",
                percentEncode(name));
}

std::string withQuery(const std::string& path, const ListOptions& options) {
  std::vector<std::pair<std::string, std::string>> params = options.query;
  if (options.size > 0) params.emplace_back("size", std::to_string(options.size));
  if (!options.offset.empty()) params.emplace_back("offset", options.offset);
  std::string out = path;
  char sep = '?';
  for (const auto& [key, value] : params) {
    out += strCat(sep, percentEncode(key), "=", percentEncode(value));
    sep = '&';
  }
  return out;
}

std::string offsetOf(const Json& next) {
  if (!next.is_string()) return "";
  const std::string& url = next.get_ref<const std::string&>();
  size_t q = url.find('?');
  if (q == std::string::npos) return "";
  std::string_view query = std::string_view(url).substr(q + 1);
  while (!query.empty()) {
    std::string_view param = query.substr(0, query.find('&'));
    if (param.starts_with("offset=")) return std::string(param.substr(7));
    if (param.size() == query.size()) break;
    query.remove_prefix(param.size() + 1);
  }
  return "";
}

absl::Status errorFromResponse(const HttpResponse& response) {
  std::string msg;
  if (auto body = model::parseJson(response.body); body.ok()) msg = formatKumaError(*body);
  if (msg.empty()) msg = strCat("(", response.status, "): ", trimmed(response.body));
  return absl::Status(codeOf(response.status), msg);
}

ApiClient::ApiClient(std::shared_ptr<HttpTransport> transport) : transport_(std::move(transport)) {}

absl::StatusOr<HttpResponse> ApiClient::exchange(HttpRequest request) const {
  URSA_ASSIGN_OR_RETURN(HttpResponse response, transport_->send(request));
  if (response.status < 200 || response.status >= 300) return errorFromResponse(response);
  return response;
}

absl::StatusOr<Json> ApiClient::getJson(const std::string& target) const {
  URSA_ASSIGN_OR_RETURN(HttpResponse response, exchange({.method = "GET", .target = target}));
  auto json = model::parseJson(response.body);
  if (!json.ok()) {
    return absl::InternalError(
        strCat("the control plane at ", baseUrl(), " answered GET ", target,
               " with a body that is not JSON: ", fromAbsl(json.status().message())));
  }
  return json;
}

absl::StatusOr<Json> ApiClient::index() const { return getJson("/"); }

absl::StatusOr<Json> ApiClient::inspectDataplane(std::string_view mesh, std::string_view name,
                                                 std::string_view what) const {
  const auto& dataplane = model::TypeRegistry::instance().dataplane();
  return getJson(strCat(itemPath(dataplane, mesh, name), "/", what));
}

absl::StatusOr<Json> ApiClient::policyDataplanes(const model::ResourceType& type,
                                                 std::string_view mesh,
                                                 std::string_view name) const {
  return getJson(strCat(itemPath(type, mesh, name), "/dataplanes"));
}

absl::StatusOr<Json> ApiClient::explainTraffic(std::string_view mesh, std::string_view from,
                                               std::string_view to) const {
  ListOptions query;
  query.query = {{"from", std::string(from)}, {"to", std::string(to)}};
  return getJson(withQuery(strCat("/meshes/", percentEncode(mesh), "/explain/traffic"), query));
}

absl::StatusOr<Json> ApiClient::list(const model::ResourceType& type, std::string_view mesh,
                                     const ListOptions& options) const {
  return getJson(withQuery(listPath(type, mesh), options));
}

absl::StatusOr<Json> ApiClient::collectPages(const std::string& path,
                                             const ListOptions& options) const {
  ListOptions page = options;
  page.size = kPageSize;
  Json all = {{"total", 0}, {"items", Json::array()}, {"next", nullptr}};
  for (int i = 0; i < kMaxPages; ++i) {
    URSA_ASSIGN_OR_RETURN(Json body, getJson(withQuery(path, page)));
    if (body.contains("total")) all["total"] = body["total"];
    if (auto items = body.find("items"); items != body.end() && items->is_array()) {
      for (auto& item : *items) all["items"].push_back(std::move(item));
    }
    page.offset = offsetOf(body.value("next", Json()));
    if (page.offset.empty()) return all;
  }
  return absl::InternalError(
      strCat("the list at ", path, " did not end after ", kMaxPages, " pages"));
}

absl::StatusOr<Json> ApiClient::listAll(const model::ResourceType& type,
                                        std::string_view mesh) const {
  return collectPages(listPath(type, mesh), {});
}

absl::StatusOr<Json> ApiClient::get(const model::ResourceType& type, std::string_view mesh,
                                    std::string_view name) const {
  return getJson(itemPath(type, mesh, name));
}

absl::StatusOr<int> ApiClient::put(const model::ResourceType& type, std::string_view mesh,
                                   std::string_view name, const Json& document) const {
  URSA_ASSIGN_OR_RETURN(HttpResponse response, exchange({.method = "PUT",
                                                         .target = itemPath(type, mesh, name),
                                                         .body = document.dump(),
                                                         .content_type = "application/json"}));
  return response.status;
}

absl::Status ApiClient::remove(const model::ResourceType& type, std::string_view mesh,
                               std::string_view name) const {
  return exchange({.method = "DELETE", .target = itemPath(type, mesh, name)}).status();
}

namespace {
std::string overviewPath(std::string_view mesh) {
  if (mesh.empty()) return "/dataplanes+insights";
  return strCat("/meshes/", percentEncode(mesh), "/dataplanes+insights");
}
}  // namespace

absl::StatusOr<Json> ApiClient::dataplaneOverviews(std::string_view mesh,
                                                   const ListOptions& options) const {
  return getJson(withQuery(overviewPath(mesh), options));
}

absl::StatusOr<Json> ApiClient::allDataplaneOverviews(std::string_view mesh,
                                                      const ListOptions& options) const {
  return collectPages(overviewPath(mesh), options);
}

absl::StatusOr<std::string> ApiClient::userToken(std::string_view name,
                                                 const std::vector<std::string>& groups,
                                                 std::string_view valid_for) const {
  Json body = {
      {"name", std::string(name)}, {"groups", groups}, {"validFor", std::string(valid_for)}};
  URSA_ASSIGN_OR_RETURN(HttpResponse response,
                        exchange({.method = "POST",
                                  .target = "/tokens/user",
                                  .body = body.dump(),
                                  .content_type = "application/json",
                                  .accept = "text/plain, application/json"}));
  return response.body;
}

absl::StatusOr<std::string> ApiClient::dataplaneToken(const DataplaneTokenRequest& request) const {
  Json body = {{"name", request.name},
               {"mesh", request.mesh},
               {"tags", Json(request.tags)},
               {"type", request.type},
               {"validFor", request.valid_for}};
  URSA_ASSIGN_OR_RETURN(HttpResponse response,
                        exchange({.method = "POST",
                                  .target = "/tokens/dataplane",
                                  .body = body.dump(),
                                  .content_type = "application/json",
                                  .accept = "text/plain, application/json"}));
  return response.body;
}

}  // namespace ursa::cli
