#include "src/dpserver/bootstrap.h"

#include "envoy/config/bootstrap/v3/bootstrap.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "envoy/extensions/upstreams/http/v3/http_protocol_options.pb.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "ursa/common/strings.h"
#include "ursa/model/codec.h"

namespace ursa::dpserver {

namespace {

using Json = nlohmann::json;

std::string stringField(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

absl::Status fieldError(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(strCat("bootstrap request: ", field, ": ", problem));
}

void setAdsCluster(envoy::config::bootstrap::v3::Bootstrap& b, const XdsEndpoint& xds) {
  auto* c = b.mutable_static_resources()->add_clusters();
  c->set_name("ads_cluster");
  c->set_type(envoy::config::cluster::v3::Cluster::STRICT_DNS);
  c->mutable_connect_timeout()->set_seconds(1);
  envoy::extensions::upstreams::http::v3::HttpProtocolOptions http2;
  http2.mutable_explicit_http_config()->mutable_http2_protocol_options();
  (*c->mutable_typed_extension_protocol_options())
      ["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
          .PackFrom(http2);
  auto* sa = c->mutable_load_assignment()->add_endpoints()->add_lb_endpoints()->mutable_endpoint()
                 ->mutable_address()->mutable_socket_address();
  c->mutable_load_assignment()->set_cluster_name("ads_cluster");
  sa->set_address(xds.host);
  sa->set_port_value(xds.port);
  envoy::extensions::transport_sockets::tls::v3::UpstreamTlsContext tls;
  tls.set_sni(xds.host);
  tls.mutable_common_tls_context()->mutable_validation_context()->mutable_trusted_ca()
      ->set_inline_bytes(xds.ca_pem);
  c->mutable_transport_socket()->set_name("envoy.transport_sockets.tls");
  c->mutable_transport_socket()->mutable_typed_config()->PackFrom(tls);
}

void setDynamicResources(envoy::config::bootstrap::v3::Bootstrap& b, const std::string& token) {
  auto* dynamic = b.mutable_dynamic_resources();
  auto* ads = dynamic->mutable_ads_config();
  ads->set_api_type(envoy::config::core::v3::ApiConfigSource::GRPC);
  ads->set_transport_api_version(envoy::config::core::v3::V3);
  ads->set_set_node_on_first_message_only(true);
  auto* grpc = ads->add_grpc_services();
  grpc->mutable_envoy_grpc()->set_cluster_name("ads_cluster");
  if (!token.empty()) {
    auto* md = grpc->add_initial_metadata();
    md->set_key("authorization");
    md->set_value(token);
  }
  for (auto* source : {dynamic->mutable_cds_config(), dynamic->mutable_lds_config()}) {
    source->mutable_ads();
    source->set_resource_api_version(envoy::config::core::v3::V3);
  }
}

}  // namespace

absl::StatusOr<BootstrapRequest> parseBootstrapRequest(std::string_view body) {
  auto parsed = model::parseJson(body, 1 << 20);
  if (!parsed.ok()) return fieldError("body", fromAbsl(parsed.status().message()));
  const Json j = Json::parse(parsed->dump());
  if (!j.is_object()) return fieldError("body", "must be a JSON object");
  BootstrapRequest r;
  r.mesh = stringField(j, "mesh");
  r.name = stringField(j, "name");
  if (r.name.empty()) return fieldError("name", "must be set");
  if (r.mesh.empty()) return fieldError("mesh", "must be set");
  if (auto t = stringField(j, "proxyType"); !t.empty()) r.proxy_type = t;
  if (r.proxy_type != "dataplane") {
    return fieldError("proxyType", strCat("\"", r.proxy_type,
                                          "\" is not supported (zone proxies are not yet)"));
  }
  r.dataplane_token = stringField(j, "dataplaneToken");
  r.dataplane_resource = stringField(j, "dataplaneResource");
  r.ca_cert = stringField(j, "caCert");
  if (auto v = j.find("version"); v != j.end() && v->is_object()) {
    if (auto e = v->find("envoy"); e != v->end() && e->is_object()) {
      r.envoy_version = stringField(*e, "version");
    }
  }
  if (auto u = j.find("ursa"); u != j.end() && u->is_object()) {
    if (auto p = stringField(*u, "proxy"); !p.empty()) r.proxy = p;
    r.xds_server_uri = stringField(*u, "xdsServerUri");
    r.certificate_dir = stringField(*u, "certificateDir");
    if (auto a = u->find("adminPort"); a != u->end() && a->is_number_unsigned()) {
      r.admin_port = a->get<uint32_t>();
    }
  }
  if (r.proxy != "envoy" && r.proxy != "grpc") {
    return fieldError("ursa.proxy", "must be \"envoy\" or \"grpc\"");
  }
  if (r.proxy == "grpc" && r.xds_server_uri.empty()) {
    return fieldError("ursa.xdsServerUri", "must be set for a proxyless gRPC application");
  }
  return r;
}

std::string envoyBootstrap(const BootstrapRequest& req, const XdsEndpoint& xds,
                           const std::string& service) {
  envoy::config::bootstrap::v3::Bootstrap b;
  auto* node = b.mutable_node();
  node->set_id(strCat(req.mesh, ".", req.name));
  node->set_cluster(service);
  auto& md = *node->mutable_metadata()->mutable_fields();
  md["dataplane.admin.port"].set_string_value(std::to_string(req.admin_port));
  md["dataplane.admin.address"].set_string_value("127.0.0.1");
  md["dataplane.proxyType"].set_string_value(req.proxy_type);
  md["ursa.proxy"].set_string_value("envoy");
  auto* admin = b.mutable_admin()->mutable_address()->mutable_socket_address();
  admin->set_address("127.0.0.1");
  admin->set_port_value(req.admin_port);
  setDynamicResources(b, req.dataplane_token);
  setAdsCluster(b, xds);
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(b, &json, options);
  auto tree = model::parseJson(json);
  return tree.ok() ? model::toYaml(*tree) : json;
}

std::string grpcBootstrap(const BootstrapRequest& req, const std::string& service) {
  const std::string& dir = req.certificate_dir;
  Json b = {
      {"xds_servers",
       Json::array({{{"server_uri", req.xds_server_uri},
                     {"channel_creds", Json::array({{{"type", "insecure"}}})},
                     {"server_features", Json::array({"xds_v3"})}}})},
      {"node",
       {{"id", strCat(req.mesh, ".", req.name)},
        {"cluster", service},
        // @grpc/grpc-js-xds refuses a bootstrap whose node has no locality
        // ("locality field missing in node element"); C-core accepts both.
        {"locality", Json::object()},
        {"metadata", {{"ursa.proxy", "grpc"}, {"dataplane.proxyType", req.proxy_type}}}}},
      {"certificate_providers",
       {{"default",
         {{"plugin_name", "file_watcher"},
          {"config",
           // One file holds the chain and the key (ursa-dp's cert_files.h):
           // replaced by one rename, a refresh never pairs a new certificate
           // with the old key.
           {{"certificate_file", dir + "/identity.pem"},
            {"private_key_file", dir + "/identity.pem"},
            {"ca_certificate_file", dir + "/ca.pem"},
            {"refresh_interval", "1s"}}}}}}},
      {"server_listener_resource_name_template", "grpc/server?xds.resource.listening_address=%s"},
  };
  return b.dump(2);
}

}  // namespace ursa::dpserver
