#pragma once

// Shared by the golden tests of both profiles (envoy_golden_test.cc,
// grpc_golden_test.cc): reading a case, generating it, and rendering a
// snapshot as canonical YAML.
//
// A case is testdata/<profile>/<case>.input.yaml: a Mesh named "default",
// Dataplanes (the first one is the proxy under test) and any policies. A
// line "# client: <user agent>/<version>" picks the xDS client's
// capabilities (default: grpc-js 1.14.1 for the gRPC profile, Envoy
// otherwise). The golden file starts with the snapshot's warnings, one
// "# warning: ..." comment each, then every resource as canonical YAML
// (protobuf JSON with the .proto field names and sorted keys, "@type"
// first), one document per resource, sorted by type (push order) then name.

#include <filesystem>
#include <memory>
#include <string>

#include "src/store/memory/memory_store.h"
#include "src/xds/generator/generator.h"
#include "ursa/store/resource_snapshot.h"

namespace ursa::xds::gen::golden {

// A CA that signs nothing: fixed PEMs, so golden files are stable.
class FakeMeshCa : public ca::MeshCa {
 public:
  const std::string& rootsPem() const override { return roots_; }
  const std::string& backendName() const override { return name_; }
  absl::StatusOr<ca::IssuedCertificate> issue(const ca::WorkloadIdentity&) const override {
    return certificate();
  }
  absl::Duration certificateLifetime() const override { return absl::Hours(24); }
  static ca::IssuedCertificate certificate();

 private:
  std::string roots_ = "-----BEGIN CERTIFICATE-----\nRkFLRS1ST09U\n-----END CERTIFICATE-----\n";
  std::string name_ = "ca-1";
};

// testdata/<profile>/<file> under $URSA_SOURCE_DIR (else the working directory).
std::filesystem::path testdata(const std::string& profile, const std::string& file);
std::string readFile(const std::filesystem::path& path);

// Everything a case needs to generate, kept alive together.
struct Generated {
  std::unique_ptr<store::MemoryStore> store;
  store::ResourceSnapshotConstSharedPtr resources;
  ProxyContext ctx;
  SnapshotConstSharedPtr snapshot;
};

// Reads and generates testdata/<profile>/<name>.input.yaml with the given
// profile ("envoy" or "grpc"). Failures are reported as gtest failures.
Generated generateCase(const std::string& profile, const std::string& name);
// The same for input YAML given as text.
Generated generateInput(const std::string& profile, const std::string& input);

// The golden rendering of `s` (see the file comment).
std::string canonicalYaml(const Snapshot& s);

// Compares with (or, with URSA_UPDATE_GOLDEN=1, rewrites) the golden file;
// then checks every resource against the protoc-gen-validate rules.
void expectGolden(const std::string& profile, const std::string& name);

}  // namespace ursa::xds::gen::golden
