// ursa-ca-bench: what the mesh CAs cost, printed as Markdown for
// docs/benchmarks.md ("Certificate issuance"). A benchmark program, not a
// timed test: it fails only when the CA errs, never on timing.
//
//   ursa-ca-bench [--issues N] [--rsa-issues M] [--lookups L] [--repeat R]
//
// Each run starts a CaManager on a fresh memory store with Mesh "default"
// and times, one call at a time with steady_clock:
//   issue           MeshCa::issue(): key generation, signing, PEM encoding,
//                   metrics; N times (M for RSA identity keys), for
//                     ECDSA   builtin backend, ursa's default (ECDSA P-256
//                             root and identity keys)
//                     RSA     builtin backend with caCert.RSAbits 2048 (RSA
//                             2048 root and identity keys, Kuma's shapes)
//                     RSA→EC  provided RSA 2048 CA (ECDSA identity keys)
//   forMesh (hit)   CaManager::forMesh() once the CA exists, L times, with
//                   Secrets read from a ResourceCache snapshot, and from
//                   the store (memory) when there is no cache
//   root            generating a builtin root (ECDSA, RSA 2048), once per run
// The table gives each figure's median over R runs.
//
//   taskset -c 1 build/bin/ursa-ca-bench

#include <iostream>

#include "CLI/CLI.hpp"
#include "bench/bench_support.h"
#include "src/ca/ca_manager.h"
#include "src/ca/certificates.h"
#include "src/store/memory/memory_store.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"
#include "ursa/model/registry.h"
#include "ursa/system/v1alpha1/secret.pb.h"

namespace ursa::bench {
namespace {

using ursa::mesh::v1alpha1::CertificateAuthorityBackend;

struct Flags {
  size_t issues = 300;
  size_t rsa_issues = 30;
  size_t lookups = 20000;
  size_t repeat = 5;
};

enum class Config { Ecdsa, Rsa, RsaToEc };

model::Resource meshWith(const CertificateAuthorityBackend& backend) {
  auto spec = std::make_shared<ursa::mesh::v1alpha1::Mesh>();
  *spec->mutable_mtls()->add_backends() = backend;
  spec->mutable_mtls()->set_enabledbackend(backend.name());
  model::Resource r;
  r.type = &model::TypeRegistry::instance().mesh();
  r.meta.name = "default";
  r.spec = spec;
  return r;
}

void setConf(CertificateAuthorityBackend& b, const std::string& object, const std::string& field,
             const google::protobuf::Value& value) {
  auto& inner = *(*b.mutable_conf()->mutable_fields())[object].mutable_struct_value();
  (*inner.mutable_fields())[field] = value;
}

CertificateAuthorityBackend backendFor(Config config) {
  CertificateAuthorityBackend b;
  b.set_name("ca-1");
  b.set_type(config == Config::RsaToEc ? "provided" : "builtin");
  google::protobuf::Value v;
  if (config == Config::Rsa) {
    v.set_number_value(2048);
    setConf(b, "caCert", "RSAbits", v);
  } else if (config == Config::RsaToEc) {
    auto root = ca::generateRoot("default", ca::KeySpec::rsa(2048), absl::Hours(24), absl::Now());
    if (!root.ok()) throw std::runtime_error(root.status().ToString());
    v.set_string_value(root->cert_pem);
    setConf(b, "cert", "inlineString", v);
    v.set_string_value(root->key_pem);
    setConf(b, "key", "inlineString", v);
  }
  return b;
}

template <typename T>
T orDie(absl::StatusOr<T> v) {
  if (!v.ok()) throw std::runtime_error(v.status().ToString());
  return std::move(v).value();
}

struct Run {
  std::map<std::string, Summary> rows;
};

ca::WorkloadIdentity identity() {
  return {.mesh = "default",
          .services = {"backend"},
          .tags = {{"kuma.io/service", {"backend"}},
                   {"kuma.io/protocol", {"grpc"}},
                   {"version", {"v1"}},
                   {"kuma.io/zone", {"zone-1"}}}};
}

Summary timeIssues(const ca::MeshCa& ca, size_t n) {
  Recorder rec(n);
  rec.start();
  for (size_t i = 0; i < n; ++i) orDie(rec.time([&] { return ca.issue(identity()); }));
  rec.stop();
  return summarize(rec);
}

Summary timeLookups(ca::CaManager& manager, const model::Resource& mesh, size_t n) {
  Recorder rec(n);
  rec.start();
  for (size_t i = 0; i < n; ++i) orDie(rec.time([&] { return manager.forMesh(mesh); }));
  rec.stop();
  return summarize(rec);
}

void runOnce(const Flags& flags, Run& run) {
  auto metrics = std::make_shared<Metrics>();
  for (Config config : {Config::Ecdsa, Config::Rsa, Config::RsaToEc}) {
    store::MemoryStore store;
    auto mesh = meshWith(backendFor(config));
    orDie(store.create(mesh));
    ca::CaManager manager({.store = &store, .metrics = metrics});
    auto ca = orDie(manager.forMesh(mesh));
    const char* label = config == Config::Ecdsa ? "issue, ECDSA P-256 (builtin, default)"
                        : config == Config::Rsa ? "issue, RSA 2048 (builtin, RSAbits 2048)"
                                                : "issue, ECDSA P-256 under a provided RSA 2048 CA";
    run.rows[label] = timeIssues(*ca, config == Config::Rsa ? flags.rsa_issues : flags.issues);
  }
  {
    store::MemoryStore store;
    auto mesh = meshWith(backendFor(Config::Ecdsa));
    orDie(store.create(mesh));
    auto cache = orDie(store::ResourceCache::start(store));
    ca::CaManager cached({.store = &store, .cache = cache.get()});
    orDie(cached.forMesh(mesh));
    // The memory store announces synchronously: the cache has the root now.
    run.rows["forMesh, cached CA, Secrets from a ResourceCache snapshot"] =
        timeLookups(cached, mesh, flags.lookups);
    ca::CaManager uncached({.store = &store});
    run.rows["forMesh, cached CA, Secrets from the store (memory)"] =
        timeLookups(uncached, mesh, flags.lookups);
  }
  for (auto spec : {ca::KeySpec::ecdsaP256(), ca::KeySpec::rsa(2048)}) {
    Recorder rec(1);
    rec.start();
    orDie(rec.time([&] { return ca::generateRoot("default", spec, absl::Hours(1), absl::Now()); }));
    rec.stop();
    run.rows["root generation, " + spec.describe()] = summarize(rec);
  }
}

int run(int argc, char** argv) {
  Flags flags;
  CLI::App app{"ursa-ca-bench: the cost of the mesh CAs"};
  app.add_option("--issues", flags.issues, "identity certificates per ECDSA configuration");
  app.add_option("--rsa-issues", flags.rsa_issues, "identity certificates with RSA keys");
  app.add_option("--lookups", flags.lookups, "forMesh calls per lookup configuration");
  app.add_option("--repeat", flags.repeat, "runs; figures are medians over them");
  CLI11_PARSE(app, argc, argv);
  Machine machine = describeMachine();
  std::vector<Run> runs(flags.repeat);
  for (size_t r = 0; r < flags.repeat; ++r) {
    std::cerr << "run " << r + 1 << "/" << flags.repeat << "\n";
    runOnce(flags, runs[r]);
  }
  std::cout << "Command:\n\n```sh\n" << commandLine(argc, argv) << "\n```\n\n";
  std::cout << "- Machine: " << machine.cpu_model << ", " << machine.online_cpus
            << " CPUs online, " << machine.usable_cpus << " in this process's affinity mask; "
            << "load average at start " << machine.load_average << ".\n";
  std::cout << "- Build: " << URSA_BENCH_BUILD_TYPE << " (" << URSA_BENCH_COMPILER << "), "
            << "OpenSSL " << OPENSSL_VERSION_TEXT << ".\n";
  std::cout << "- " << flags.repeat << " runs; each figure is the median over the runs.\n\n";
  std::cout << "| operation | ops/run | p50 | p99 | CPU/op |\n|---|---:|---:|---:|---:|\n";
  for (const auto& [label, _] : runs.front().rows) {
    std::vector<Summary> per_run;
    for (const Run& r : runs) per_run.push_back(r.rows.at(label));
    Summary m = medianOf(per_run);
    std::cout << "| " << label << " | " << m.ops << " | " << formatDuration(m.p50_s) << " | "
              << formatDuration(m.p99_s) << " | " << formatDuration(m.cpu_per_op_s) << " |\n";
  }
  return 0;
}

}  // namespace
}  // namespace ursa::bench

int main(int argc, char** argv) {
  try {
    return ursa::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ursa-ca-bench: " << e.what() << "\n";
    return 1;
  }
}
