#pragma once

// The control plane's REST API as ursactl uses it (Kuma 2.2's paths and
// shapes; see docs of src/api on the server side). Bodies travel as JSON.
//
// Errors: a response with status >= 400 becomes a Status whose code follows
// the HTTP status (404 -> NotFound, 400 -> InvalidArgument, 501 ->
// Unimplemented, ...) and whose message is kumactl's rendering of Kuma's
// error body:
//     <title> (<details>)
//     * <field>: <message>
// Bodies that are not Kuma errors (405's plain text) appear as "(<status>): <body>".

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/cli/http_transport.h"
#include "ursa/model/codec.h"
#include "ursa/model/resource.h"

namespace ursa::cli {

using Json = model::Json;

struct ListOptions {
  int size = 0;                                            // 0: the server's default page size
  std::string offset;                                      // opaque, from a previous page's `next`
  std::vector<std::pair<std::string, std::string>> query;  // extra parameters (tag=k:v, ...)
};

class ApiClient {
 public:
  explicit ApiClient(std::shared_ptr<HttpTransport> transport);

  const std::string& baseUrl() const { return transport_->baseUrl(); }

  // GET /: {product, version, tagline, ...}.
  absl::StatusOr<Json> index() const;
  // One page of a list ({total, items, next}); `mesh` empty: every mesh (or a global type).
  absl::StatusOr<Json> list(const model::ResourceType& type, std::string_view mesh,
                            const ListOptions& options = {}) const;
  // Every item of a list, following the pages; {total, items, next: null}.
  absl::StatusOr<Json> listAll(const model::ResourceType& type, std::string_view mesh) const;
  absl::StatusOr<Json> get(const model::ResourceType& type, std::string_view mesh,
                           std::string_view name) const;
  // Creates or updates; returns the HTTP status (201 created, 200 updated).
  absl::StatusOr<int> put(const model::ResourceType& type, std::string_view mesh,
                          std::string_view name, const Json& document) const;
  absl::Status remove(const model::ResourceType& type, std::string_view mesh,
                      std::string_view name) const;
  // GET /meshes/{mesh}/dataplanes+insights (mesh empty: /dataplanes+insights), one page.
  absl::StatusOr<Json> dataplaneOverviews(std::string_view mesh, const ListOptions& options) const;
  // Every page of the above.
  absl::StatusOr<Json> allDataplaneOverviews(std::string_view mesh,
                                             const ListOptions& options) const;
  // GET /meshes/{mesh}/dataplanes/{name}/{what}: what = policies | rules | xds.
  absl::StatusOr<Json> inspectDataplane(std::string_view mesh, std::string_view name,
                                        std::string_view what) const;
  // GET /meshes/{mesh}/{policy-path}/{name}/dataplanes.
  absl::StatusOr<Json> policyDataplanes(const model::ResourceType& type, std::string_view mesh,
                                        std::string_view name) const;
  // GET /meshes/{mesh}/explain/traffic?from=...&to=...
  absl::StatusOr<Json> explainTraffic(std::string_view mesh, std::string_view from,
                                      std::string_view to) const;
  // POST /tokens/user; the signed token.
  absl::StatusOr<std::string> userToken(std::string_view name,
                                        const std::vector<std::string>& groups,
                                        std::string_view valid_for) const;
  // POST /tokens/dataplane; the signed token. `type` and `name` may be empty.
  struct DataplaneTokenRequest {
    std::string name;
    std::string mesh;
    std::map<std::string, std::vector<std::string>> tags;
    std::string type;
    std::string valid_for;  // a Go duration
  };
  absl::StatusOr<std::string> dataplaneToken(const DataplaneTokenRequest& request) const;

 private:
  absl::StatusOr<HttpResponse> exchange(HttpRequest request) const;
  absl::StatusOr<Json> getJson(const std::string& target) const;
  absl::StatusOr<Json> collectPages(const std::string& path, const ListOptions& options) const;

  std::shared_ptr<HttpTransport> transport_;
};

// REST paths: /meshes/{mesh}/{path}[/{name}] for mesh-scoped types, /{path}[/{name}]
// for global ones (and for a mesh-scoped list across meshes when `mesh` is empty).
// Segments are percent-encoded.
std::string listPath(const model::ResourceType& type, std::string_view mesh);
std::string itemPath(const model::ResourceType& type, std::string_view mesh, std::string_view name);
std::string percentEncode(std::string_view s);
// `path` with `options` as its query string.
std::string withQuery(const std::string& path, const ListOptions& options);
// The `offset` parameter of a `next` link; empty when there is none.
std::string offsetOf(const Json& next);

// The Status for an error response (see the header comment).
absl::Status errorFromResponse(const HttpResponse& response);

}  // namespace ursa::cli
