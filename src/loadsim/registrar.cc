#include "src/loadsim/registrar.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "src/cli/curl_transport.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::loadsim {
namespace {

const model::ResourceType& meshType() { return model::TypeRegistry::instance().mesh(); }
const model::ResourceType& dataplaneType() { return model::TypeRegistry::instance().dataplane(); }

}  // namespace

absl::StatusOr<std::unique_ptr<Registrar>> Registrar::connect(const std::string& api_address,
                                                              int workers) {
  std::vector<std::unique_ptr<cli::ApiClient>> clients;
  for (int w = 0; w < std::max(1, workers); ++w) {
    URSA_ASSIGN_OR_RETURN(auto transport,
                          cli::makeCurlTransport({.base_url = api_address,
                                                  .timeout = absl::Seconds(60)}));
    clients.push_back(std::make_unique<cli::ApiClient>(std::move(transport)));
  }
  auto& first = *clients.front();
  URSA_RETURN_IF_ERROR(first.index().status());  // is it there at all?
  return std::unique_ptr<Registrar>(new Registrar(std::move(clients)));
}

absl::StatusOr<bool> Registrar::ensureMesh(const std::string& mesh) {
  auto existing = clients_.front()->get(meshType(), "", mesh);
  if (existing.ok()) return false;
  if (!absl::IsNotFound(existing.status())) return existing.status();
  model::Json doc = {{"type", "Mesh"},
                     {"name", mesh},
                     {"mtls",
                      {{"enabledBackend", "ca-1"},
                       {"backends", model::Json::array({{{"name", "ca-1"}, {"type", "builtin"}}})}}}};
  URSA_RETURN_IF_ERROR(clients_.front()->put(meshType(), "", mesh, doc).status());
  return true;
}

absl::Status Registrar::putResource(const std::string& type_name, const model::Json& document) {
  const model::ResourceType* type = model::TypeRegistry::instance().byName(type_name);
  if (type == nullptr) return absl::InvalidArgumentError(strCat("unknown resource type ", type_name));
  return clients_.front()
      ->put(*type, document.at("mesh").get<std::string>(), document.at("name").get<std::string>(),
            document)
      .status();
}

absl::Status Registrar::deleteResource(const std::string& type_name, const std::string& mesh,
                                       const std::string& name) {
  const model::ResourceType* type = model::TypeRegistry::instance().byName(type_name);
  if (type == nullptr) return absl::InvalidArgumentError(strCat("unknown resource type ", type_name));
  return clients_.front()->remove(*type, mesh, name);
}

absl::Status Registrar::parallelFor(size_t n,
                                    const std::function<absl::Status(cli::ApiClient&, size_t)>& fn,
                                    const BulkProgress& progress) {
  std::atomic<size_t> next{0}, done{0};
  std::mutex mu;
  absl::Status first_error;
  std::atomic<bool> failed{false};
  auto work = [&](cli::ApiClient& client) {
    for (size_t i = next++; i < n && !failed; i = next++) {
      absl::Status s = fn(client, i);
      if (!s.ok()) {
        std::lock_guard lock(mu);
        if (first_error.ok()) first_error = s;
        failed = true;
      }
      ++done;
    }
  };
  std::vector<std::thread> threads;
  for (auto& c : clients_) threads.emplace_back(work, std::ref(*c));
  auto last = std::chrono::steady_clock::now();
  while (progress) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (done.load() >= n || failed) break;
    if (std::chrono::steady_clock::now() - last >= std::chrono::seconds(2)) {
      progress(done.load(), n);
      last = std::chrono::steady_clock::now();
    }
  }
  for (auto& t : threads) t.join();
  if (progress) progress(done.load(), n);
  return first_error;
}

absl::Status Registrar::registerDataplanes(const Topology& topology, const BulkProgress& progress) {
  return parallelFor(
      topology.proxies().size(),
      [&](cli::ApiClient& client, size_t i) {
        return client.put(dataplaneType(), topology.mesh(), topology.proxies()[i].name,
                          topology.dataplane(i)).status();
      },
      progress);
}

absl::StatusOr<std::vector<std::string>> Registrar::issueTokens(const Topology& topology,
                                                                const BulkProgress& progress) {
  std::vector<std::string> tokens(topology.proxies().size());
  URSA_RETURN_IF_ERROR(parallelFor(
      tokens.size(),
      [&](cli::ApiClient& client, size_t i) -> absl::Status {
        URSA_ASSIGN_OR_RETURN(tokens[i], client.dataplaneToken({.name = topology.proxies()[i].name,
                                                                .mesh = topology.mesh()}));
        return absl::OkStatus();
      },
      progress));
  return tokens;
}

absl::Status Registrar::putDataplane(const Topology& topology, size_t i, uint32_t port) {
  return clients_.front()
      ->put(dataplaneType(), topology.mesh(), topology.proxies()[i].name,
            topology.dataplane(i, port))
      .status();
}

absl::Status Registrar::cleanup(const Topology& topology, bool delete_mesh,
                                const BulkProgress& progress) {
  URSA_RETURN_IF_ERROR(parallelFor(
      topology.proxies().size(),
      [&](cli::ApiClient& client, size_t i) {
        absl::Status s = client.remove(dataplaneType(), topology.mesh(), topology.proxies()[i].name);
        return absl::IsNotFound(s) ? absl::OkStatus() : s;
      },
      progress));
  if (!delete_mesh) return absl::OkStatus();
  absl::Status s = clients_.front()->remove(meshType(), "", topology.mesh());
  return absl::IsNotFound(s) ? absl::OkStatus() : s;
}

}  // namespace ursa::loadsim
