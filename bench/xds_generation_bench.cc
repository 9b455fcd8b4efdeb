// ursa-xds-generation-bench: what it costs to generate one proxy's xDS
// configuration, and how big that configuration is, for meshes of 10, 100
// and 1000 services.
//
//   ursa-xds-generation-bench [--services 10,100,1000] [--instances 2]
//       [--outbounds 3] [--profiles envoy,grpc] [--no-mtls] [--repeat 3]
//       [--policies]
//
// Topology (Kong Mesh's perf harness): S services, each served by
// `--instances` Dataplanes with one HTTP inbound, each Dataplane declaring
// `--outbounds` randomly chosen other services as outbounds (seeded), mTLS on
// with the builtin CA (a real root and a real identity certificate per proxy).
// For each mesh size and client profile it times:
//   mesh context    MeshContext::build of the whole mesh (once per change of
//                   the Mesh; endpoint changes rebuild only their services)
//   endpoint change MeshContext::update after one Dataplane's address changed
//   generate        gen::generate() for every proxy of the mesh, one at a time
// and reports the configuration per proxy: resources, bytes of their
// serialized form, and the bytes held once identical resources are shared
// between proxies (the interner's saving).
// With --policies the mesh also holds targetRef policies: the defaults later
// Kuma versions create (allow-all MeshTrafficPermission, MeshTimeout and
// MeshRetry for every destination) and, for every tenth service, a
// MeshTrafficPermission allowing one named client and a MeshTimeout `to`
// that service from everywhere (so every proxy's to-rules name a tenth of
// the services).
// Benchmarks are programs, not timed tests: this one fails only when
// generation errs or answers with an empty configuration.

#include <algorithm>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <unordered_set>

#include "CLI/CLI.hpp"
#include "bench/bench_support.h"
#include "src/ca/ca_manager.h"
#include "src/store/memory/memory_store.h"
#include "src/xds/generator/generator.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"
#include "src/store/cache/resource_cache.h"

namespace ursa {
namespace {

using bench::Recorder;
using bench::Summary;
using xds::gen::MeshContext;
using xds::gen::Profile;
using xds::gen::ProxyContext;

struct Flags {
  std::vector<size_t> services = {10, 100, 1000};
  size_t instances = 2;
  size_t outbounds = 3;
  std::vector<std::string> profiles = {"envoy", "grpc"};
  bool mtls = true;
  size_t repeat = 3;
  uint64_t seed = 1;
  bool policies = false;
};

template <typename T>
T orDie(absl::StatusOr<T> v) {
  if (!v.ok()) throw std::runtime_error(v.status().ToString());
  return std::move(v).value();
}
void orDie(const absl::Status& s) {
  if (!s.ok()) throw std::runtime_error(s.ToString());
}

model::Resource decode(const model::Json& doc) { return orDie(model::decodeResource(doc)); }

model::Json meshDoc(bool mtls) {
  model::Json m = {{"type", "Mesh"}, {"name", "default"}};
  if (mtls) {
    m["mtls"] = {{"enabledBackend", "ca-1"},
                 {"backends", {{{"name", "ca-1"}, {"type", "builtin"}}}}};
  }
  return m;
}

std::string serviceName(size_t i) { return strCat("svc-", i); }

std::string address(size_t index) {
  return strCat("10.", (index >> 16) & 255, ".", (index >> 8) & 255, ".", index & 255);
}

model::Json dataplaneDoc(size_t service, size_t instance, size_t index,
                         const std::vector<size_t>& outbounds) {
  model::Json outbound = model::Json::array();
  for (size_t k = 0; k < outbounds.size(); ++k) {
    outbound.push_back({{"port", 10001 + k},
                        {"tags", {{"kuma.io/service", serviceName(outbounds[k])}}}});
  }
  return {{"type", "Dataplane"},
          {"mesh", "default"},
          {"name", strCat(serviceName(service), "-", instance)},
          {"networking",
           {{"address", address(index)},
            {"inbound",
             {{{"port", 8080},
               {"servicePort", 18080},
               {"tags", {{"kuma.io/service", serviceName(service)},
                         {"kuma.io/protocol", "http"},
                         {"version", "v1"}}}}}},
            {"outbound", outbound}}}};
}

// `count` distinct services other than `self`, chosen by `rng`.
std::vector<size_t> pickOutbounds(size_t self, size_t services, size_t count, std::mt19937_64& rng) {
  std::set<size_t> chosen;
  count = std::min(count, services - 1);
  std::uniform_int_distribution<size_t> pick(0, services - 1);
  while (chosen.size() < count) {
    size_t s = pick(rng);
    if (s != self) chosen.insert(s);
  }
  return {chosen.begin(), chosen.end()};
}

// The policies of --policies (see the file comment).
std::vector<model::Json> policyDocs(size_t services) {
  auto doc = [](const std::string& type, const std::string& name, model::Json spec) {
    return model::Json{{"type", type}, {"mesh", "default"}, {"name", name}, {"spec", spec}};
  };
  model::Json mesh_ref = {{"kind", "Mesh"}};
  std::vector<model::Json> out = {
      doc("MeshTrafficPermission", "allow-all-default",
          {{"targetRef", mesh_ref},
           {"from", {{{"targetRef", mesh_ref}, {"default", {{"action", "Allow"}}}}}}}),
      doc("MeshRetry", "mesh-retry-all-default",
          {{"targetRef", mesh_ref},
           {"to", {{{"targetRef", mesh_ref},
                    {"default", {{"http", {{"numRetries", 5}, {"perTryTimeout", "16s"}}},
                                 {"tcp", {{"maxConnectAttempt", 5}}}}}}}}}),
  };
  model::Json timeouts = model::Json::array();
  timeouts.push_back({{"targetRef", mesh_ref},
                      {"default", {{"connectionTimeout", "5s"}, {"idleTimeout", "1h"},
                                   {"http", {{"requestTimeout", "15s"}}}}}});
  for (size_t i = 0; i < services; i += 10) {
    model::Json service_ref = {{"kind", "MeshService"}, {"name", serviceName(i)}};
    model::Json client_ref = {{"kind", "MeshService"}, {"name", serviceName((i + 1) % services)}};
    out.push_back(doc("MeshTrafficPermission", strCat("allow-", serviceName(i)),
                      {{"targetRef", service_ref},
                       {"from", {{{"targetRef", client_ref}, {"default", {{"action", "Allow"}}}}}}}));
    timeouts.push_back({{"targetRef", service_ref},
                        {"default", {{"http", {{"requestTimeout", "5s"}}}}}});
  }
  out.push_back(doc("MeshTimeout", "mesh-timeout-all-default",
                    {{"targetRef", mesh_ref}, {"to", timeouts}}));
  return out;
}

// A mesh of `services` services in a fresh memory store, with its CA.
struct Mesh {
  store::MemoryStore store;
  std::unique_ptr<store::ResourceCache> cache;
  ca::MeshCaConstSharedPtr ca;
  std::vector<std::string> dataplanes;
};

std::unique_ptr<Mesh> buildMesh(const Flags& flags, size_t services) {
  auto mesh = std::make_unique<Mesh>();
  auto mesh_resource = decode(meshDoc(flags.mtls));
  orDie(mesh->store.create(mesh_resource).status());
  ca::CaManager manager({.store = &mesh->store});
  mesh->ca = orDie(manager.forMesh(mesh_resource));
  std::mt19937_64 rng(flags.seed);
  size_t index = 1;
  for (size_t s = 0; s < services; ++s) {
    auto outbounds = pickOutbounds(s, services, flags.outbounds, rng);
    for (size_t i = 0; i < flags.instances; ++i) {
      auto dp = decode(dataplaneDoc(s, i, index++, outbounds));
      mesh->dataplanes.push_back(dp.meta.name);
      orDie(mesh->store.create(dp).status());
    }
  }
  if (flags.policies) {
    for (const auto& doc : policyDocs(services)) orDie(mesh->store.create(decode(doc)).status());
  }
  mesh->cache = orDie(store::ResourceCache::start(mesh->store));
  return mesh;
}

xds::gen::ClientCapabilities clientOf(const std::string& profile) {
  return profile == "grpc" ? xds::gen::capabilitiesOf("gRPC C++", "1.51.1", "grpc")
                           : xds::gen::capabilitiesOf("envoy", "1.26.0", "envoy");
}

struct Sizes {
  double resources_per_proxy = 0;
  double bytes_per_proxy = 0;         // every proxy's resources counted in full
  double shared_bytes_per_proxy = 0;  // distinct resource objects, counted once
};

struct Run {
  Summary mesh_context;
  Summary endpoint_change;
  Summary generate;
  Sizes sizes;
};

Summary timeMeshContext(const store::ResourceSnapshot& snap, const ca::MeshCaConstSharedPtr& ca) {
  Recorder rec(10);
  rec.start();
  for (int i = 0; i < 10; ++i) rec.time([&] { return MeshContext::build(snap, "default", ca); });
  rec.stop();
  return bench::summarize(rec);
}

// Moves one Dataplane to a new address, `n` times, timing the update of the
// mesh context each time.
Summary timeEndpointChanges(Mesh& mesh, xds::gen::MeshContextConstSharedPtr context, size_t n) {
  Recorder rec(n);
  const auto& dataplane_type = model::TypeRegistry::instance().dataplane();
  for (size_t i = 0; i < n; ++i) {
    const std::string& name = mesh.dataplanes[i % mesh.dataplanes.size()];
    auto current = orDie(mesh.store.get({&dataplane_type, "default", name}));
    model::Json doc = model::encodeResource(*current);
    doc["networking"]["address"] = address(1000000 + i);
    auto changed = decode(doc);
    changed.meta.version = current->meta.version;
    orDie(mesh.store.update(changed).status());
    auto snap = orDie(mesh.cache->current());
    context = rec.time([&] { return MeshContext::update(context, *snap, {name}, mesh.ca); });
  }
  return bench::summarize(rec);
}

Run runOnce(const Flags& flags, size_t services, const std::string& profile) {
  auto mesh = buildMesh(flags, services);
  auto snap = orDie(mesh->cache->current());
  Run run;
  run.mesh_context = timeMeshContext(*snap, mesh->ca);
  auto context = MeshContext::build(*snap, "default", mesh->ca);

  std::vector<ProxyContext> proxies;
  const auto& dataplane_type = model::TypeRegistry::instance().dataplane();
  for (const auto& name : mesh->dataplanes) {
    ProxyContext ctx;
    ctx.dataplane = snap->get({&dataplane_type, "default", name});
    ctx.mesh = context;
    ctx.client = clientOf(profile);
    if (mesh->ca) {
      ca::WorkloadIdentity id{.mesh = "default", .services = {name.substr(0, name.rfind('-'))}};
      ctx.certificate = std::make_shared<const ca::IssuedCertificate>(orDie(mesh->ca->issue(id)));
    }
    proxies.push_back(std::move(ctx));
  }

  Recorder rec(proxies.size());
  std::vector<xds::SnapshotConstSharedPtr> generated;
  generated.reserve(proxies.size());
  rec.start();
  for (const auto& ctx : proxies) generated.push_back(rec.time([&] { return generate(ctx); }));
  rec.stop();
  run.generate = bench::summarize(rec);

  std::unordered_set<const xds::Resource*> distinct;
  double resources = 0, bytes = 0, shared = 0;
  for (const auto& s : generated) {
    size_t count = 0;
    for (auto t : xds::kPushOrder) {
      for (const auto& r : s->resources(t)) {
        ++count;
        if (distinct.insert(r.get()).second) shared += static_cast<double>(r->bytes.size());
      }
    }
    if (count == 0) throw std::runtime_error("a proxy got an empty configuration");
    resources += static_cast<double>(count);
    bytes += static_cast<double>(s->byteSize());
  }
  double n = static_cast<double>(generated.size());
  run.sizes = {resources / n, bytes / n, shared / n};
  run.endpoint_change = timeEndpointChanges(*mesh, context, 100);
  return run;
}

std::string fmtBytes(double b) {
  std::ostringstream os;
  os.precision(3);
  if (b >= 1024 * 1024) {
    os << b / (1024 * 1024) << " MiB";
  } else if (b >= 1024) {
    os << b / 1024 << " KiB";
  } else {
    os << b << " B";
  }
  return os.str();
}

void printRow(size_t services, size_t proxies, const std::string& profile,
              const std::vector<Run>& runs) {
  auto pick = [&](auto field) {
    std::vector<Summary> v;
    for (const auto& r : runs) v.push_back(r.*field);
    return bench::medianOf(v);
  };
  Summary gen = pick(&Run::generate);
  Summary mc = pick(&Run::mesh_context);
  Summary ec = pick(&Run::endpoint_change);
  std::vector<double> res, bytes, shared;
  for (const auto& r : runs) {
    res.push_back(r.sizes.resources_per_proxy);
    bytes.push_back(r.sizes.bytes_per_proxy);
    shared.push_back(r.sizes.shared_bytes_per_proxy);
  }
  std::ostringstream resources;
  resources.precision(3);
  resources << bench::median(res);
  std::cout << "| " << services << " | " << proxies << " | " << profile << " | "
            << bench::formatDuration(gen.p50_s) << " | " << bench::formatDuration(gen.p99_s)
            << " | " << bench::formatDuration(gen.cpu_per_op_s) << " | " << resources.str()
            << " | " << fmtBytes(bench::median(bytes)) << " | " << fmtBytes(bench::median(shared))
            << " | " << bench::formatDuration(mc.p50_s) << " | " << bench::formatDuration(ec.p50_s)
            << " |\n";
}

int run(int argc, char** argv) {
  Flags flags;
  CLI::App app{"ursa-xds-generation-bench: per-proxy xDS generation time and size"};
  app.add_option("--services", flags.services, "mesh sizes, in services")->delimiter(',');
  app.add_option("--instances", flags.instances, "Dataplanes per service")->check(CLI::Range(1, 100));
  app.add_option("--outbounds", flags.outbounds, "outbound services per Dataplane");
  app.add_option("--profiles", flags.profiles, "envoy, grpc")
      ->delimiter(',')
      ->check(CLI::IsMember({"envoy", "grpc"}));
  app.add_flag("!--no-mtls", flags.mtls, "generate without mTLS");
  app.add_option("--repeat", flags.repeat, "runs per configuration (medians)")->check(CLI::Range(1, 100));
  app.add_option("--seed", flags.seed, "seed of the dependency graph");
  app.add_flag("--policies", flags.policies, "add targetRef policies (see the file comment)");
  CLI11_PARSE(app, argc, argv);
  orDie(setupLogging("warn", LogFormat::Text));
  for (size_t s : flags.services) {
    if (s < 2) throw std::runtime_error("--services: every mesh needs at least 2 services");
  }

  auto machine = bench::describeMachine();
  std::cout << "# xDS generation\n\n`" << bench::commandLine(argc, argv) << "`\n\n"
            << machine.cpu_model << ", " << machine.usable_cpus << "/" << machine.online_cpus
            << " CPUs usable, " << machine.kernel << ", load " << machine.load_average << "; "
            << URSA_BENCH_BUILD_TYPE << ", " << URSA_BENCH_COMPILER << "; mTLS "
            << (flags.mtls ? "on" : "off") << (flags.policies ? "; with policies" : "")
            << "; medians of " << flags.repeat << " runs\n\n"
            << "| services | proxies | client | generate p50 | p99 | CPU/proxy | resources/proxy"
               " | bytes/proxy | shared bytes/proxy | mesh context | endpoint change |\n"
            << "|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  for (size_t services : flags.services) {
    for (const auto& profile : flags.profiles) {
      std::vector<Run> runs;
      for (size_t r = 0; r < flags.repeat; ++r) {
        std::cerr << "services=" << services << " profile=" << profile << " run " << r + 1 << "/"
                  << flags.repeat << "\n";
        runs.push_back(runOnce(flags, services, profile));
      }
      printRow(services, services * flags.instances, profile, runs);
    }
  }
  return 0;
}

}  // namespace
}  // namespace ursa

int main(int argc, char** argv) {
  try {
    return ursa::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ursa-xds-generation-bench: " << e.what() << "\n";
    return 1;
  }
}
