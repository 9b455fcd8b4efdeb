#pragma once

// The certificate writer: ursa-dp's own state-of-the-world ADS stream to the
// control plane, subscribed to the proxy's two SDS secrets,
// `identity_cert:secret:<mesh>` and `mesh_ca:secret:<mesh>` (the control
// plane serves them in the same snapshot as the application's config). Every
// response is ACKed (NACKed with the reason when a secret is malformed) and,
// when both secrets are present and changed, written as the certificate
// files of cert_files.h (CA bundle first). A response without them means the
// mesh has no mTLS: nothing is written (existing files are left in place).
// With a certificate gate, the writer opens it once the files hold the
// certificates just served (written, or already there) and closes it on a
// response without them (certificate_gate.h).
//
// The stream is reopened after it ends (control plane restart), after
// `reconnect_backoff`, until stop().
//
// Thread-safety: every method may be called from any thread.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "src/dp/cert_files.h"
#include "src/dp/certificate_gate.h"
#include "src/dp/control_plane.h"

namespace envoy::service::discovery::v3 {
class DiscoveryResponse;
}

namespace ursa::dp {

struct CertWriterOptions {
  std::shared_ptr<grpc::Channel> channel;  // to the control plane (makeCpChannel)
  TokenSource token;
  ProxyIdentity identity;
  std::string mesh;
  std::string dir;  // where the files of cert_files.h go
  absl::Duration reconnect_backoff = absl::Seconds(1);
  std::shared_ptr<CertificateGate> gate;  // optional
};

class CertWriter {
 public:
  static std::unique_ptr<CertWriter> start(CertWriterOptions options);
  ~CertWriter();
  CertWriter(const CertWriter&) = delete;
  CertWriter& operator=(const CertWriter&) = delete;

  // Waits for the first answer about the secrets: true when the mesh has mTLS
  // and the files are written, false when the mesh has no mTLS.
  // DeadlineExceeded (naming the last problem seen) after `timeout`.
  absl::StatusOr<bool> waitForFirst(absl::Duration timeout);

  // Times the files were (re)written, and the leaf's expiry (InfinitePast
  // before the first write).
  uint64_t writes() const;
  absl::Time certificateExpiry() const;

  // Ends the stream and the thread. Idempotent.
  void stop();

  // The secret names for `mesh` (Kuma's).
  static std::string identitySecretName(const std::string& mesh);
  static std::string caSecretName(const std::string& mesh);

 private:
  explicit CertWriter(CertWriterOptions options) : options_(std::move(options)) {}
  void run();
  absl::Status runStream();
  // Handles one response: the error detail to NACK with, or OK.
  absl::Status handle(const envoy::service::discovery::v3::DiscoveryResponse& res);
  void noteFirst(bool mtls);
  void noteProblem(const absl::Status& s);

  const CertWriterOptions options_;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  bool stopping_ = false;
  grpc::ClientContext* context_ = nullptr;  // the open stream's, to cancel it
  std::optional<bool> first_;               // the first answer: mTLS or not
  absl::Status last_problem_ = absl::UnavailableError("no answer from the control plane yet");
  uint64_t writes_ = 0;
  absl::Time expiry_ = absl::InfinitePast();
  std::optional<CertificateSet> written_;
};

}  // namespace ursa::dp
