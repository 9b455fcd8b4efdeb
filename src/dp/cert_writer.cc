#include "src/dp/cert_writer.h"

#include "envoy/extensions/transport_sockets/tls/v3/secret.pb.h"
#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"

namespace ursa::dp {

using envoy::config::core::v3::DataSource;
using envoy::extensions::transport_sockets::tls::v3::Secret;
using envoy::service::discovery::v3::AggregatedDiscoveryService;
using envoy::service::discovery::v3::DiscoveryRequest;
using envoy::service::discovery::v3::DiscoveryResponse;

namespace {

constexpr char kSecretType[] = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

// Inline PEM from a secret's data source; empty for anything else.
std::string inlinePem(const DataSource& source) {
  if (source.has_inline_bytes()) return source.inline_bytes();
  if (source.has_inline_string()) return source.inline_string();
  return "";
}

}  // namespace

std::string CertWriter::identitySecretName(const std::string& mesh) {
  return "identity_cert:secret:" + mesh;
}
std::string CertWriter::caSecretName(const std::string& mesh) { return "mesh_ca:secret:" + mesh; }

std::unique_ptr<CertWriter> CertWriter::start(CertWriterOptions options) {
  std::unique_ptr<CertWriter> w(new CertWriter(std::move(options)));
  w->thread_ = std::thread([p = w.get()] { p->run(); });
  return w;
}

CertWriter::~CertWriter() { stop(); }

void CertWriter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<bool> CertWriter::waitForFirst(absl::Duration timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
               [&] { return first_.has_value() || stopping_; });
  if (first_) return *first_;
  return absl::DeadlineExceededError(
      strCat("no certificates from the control plane within ",
             fromAbsl(absl::FormatDuration(timeout)), ": ", fromAbsl(last_problem_.message())));
}

uint64_t CertWriter::writes() const {
  std::lock_guard lock(mu_);
  return writes_;
}

absl::Time CertWriter::certificateExpiry() const {
  std::lock_guard lock(mu_);
  return expiry_;
}

void CertWriter::run() {
  while (true) {
    absl::Status s = runStream();
    std::unique_lock lock(mu_);
    if (stopping_) return;
    last_problem_ = s;
    logger("dp")->warn("certificates: stream to the control plane ended: {}; reconnecting in {}",
                       fromAbsl(s.message()),
                       fromAbsl(absl::FormatDuration(options_.reconnect_backoff)));
    cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.reconnect_backoff),
                 [&] { return stopping_; });
    if (stopping_) return;
  }
}

absl::Status CertWriter::runStream() {
  auto token = options_.token();
  if (!token.ok()) return token.status();
  grpc::ClientContext context;
  context.AddMetadata(kAuthorizationKey, *token);
  {
    std::lock_guard lock(mu_);
    if (stopping_) return absl::CancelledError("stopped");
    context_ = &context;
  }
  auto stub = AggregatedDiscoveryService::NewStub(options_.channel);
  auto stream = stub->StreamAggregatedResources(&context);

  DiscoveryRequest req;
  auto* node = req.mutable_node();
  // ursa-dp's own xDS client is gRPC C++ (this build's version): announce it
  // so, which keeps the control plane's view of the proxy's capabilities
  // conservative.
  node->set_user_agent_name("ursa-dp (gRPC C++)");
  node->set_user_agent_version(grpc::Version());
  stampNode(*node, options_.identity);
  req.set_type_url(kSecretType);
  req.add_resource_names(identitySecretName(options_.mesh));
  req.add_resource_names(caSecretName(options_.mesh));
  bool open = stream->Write(req);

  std::string acked_version;
  DiscoveryResponse res;
  while (open && stream->Read(&res)) {
    DiscoveryRequest ack;
    ack.set_type_url(kSecretType);
    *ack.mutable_resource_names() = req.resource_names();
    ack.set_response_nonce(res.nonce());
    absl::Status s = handle(res);
    if (s.ok()) {
      acked_version = res.version_info();
    } else {
      logger("dp")->error("certificates: rejected version {}: {}", res.version_info(),
                          fromAbsl(s.message()));
      noteProblem(s);
      ack.mutable_error_detail()->set_code(static_cast<int>(s.code()));
      ack.mutable_error_detail()->set_message(std::string(fromAbsl(s.message())));
    }
    ack.set_version_info(acked_version);
    open = stream->Write(ack);
  }
  grpc::Status status = stream->Finish();
  std::lock_guard lock(mu_);
  context_ = nullptr;
  if (status.ok()) return absl::UnavailableError("the control plane closed the stream");
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      strCat("code ", static_cast<int>(status.error_code()), ": ",
                             status.error_message()));
}

absl::Status CertWriter::handle(const DiscoveryResponse& res) {
  const std::string identity_name = identitySecretName(options_.mesh);
  const std::string ca_name = caSecretName(options_.mesh);
  std::optional<Secret> identity, ca;
  for (const auto& any : res.resources()) {
    Secret secret;
    if (any.type_url() != kSecretType || !any.UnpackTo(&secret)) {
      return absl::InvalidArgumentError(strCat("not a Secret: ", any.type_url()));
    }
    if (secret.name() == identity_name) identity = std::move(secret);
    else if (secret.name() == ca_name) ca = std::move(secret);
  }
  if (!identity && !ca) {
    bool had = false;
    {
      std::lock_guard lock(mu_);
      had = written_.has_value();
    }
    if (had) {
      logger("dp")->info("certificates: mesh {} no longer has mTLS; the files stay as they are",
                         options_.mesh);
    }
    if (options_.gate) options_.gate->filesOutdated();
    noteFirst(false);
    return absl::OkStatus();
  }
  if (!identity || !ca) {
    // Served together by the control plane; wait for the pair.
    noteProblem(absl::UnavailableError(strCat("the control plane sent only ",
                                              identity ? identity_name : ca_name)));
    return absl::OkStatus();
  }
  CertificateSet set{inlinePem(ca->validation_context().trusted_ca()),
                     inlinePem(identity->tls_certificate().certificate_chain()),
                     inlinePem(identity->tls_certificate().private_key())};
  absl::Time expiry;
  URSA_ASSIGN_OR_RETURN(CertificateSet normalized, normalizeCertificates(set, &expiry));
  bool unchanged;
  {
    std::lock_guard lock(mu_);
    unchanged = written_ == normalized;
    if (unchanged) {
      first_ = first_.value_or(true);
      cv_.notify_all();
    }
  }
  if (unchanged) {
    if (options_.gate) options_.gate->filesWritten(/*replaced=*/false);
    return absl::OkStatus();
  }
  auto written = writeCertificateFiles(options_.dir, normalized);
  if (!written.ok()) {
    // The configuration is fine; this machine is not. Keep it as a problem
    // and ACK (a NACK would not help): the next change retries.
    logger("dp")->error("certificates: {}", fromAbsl(written.status().message()));
    noteProblem(written.status());
    return absl::OkStatus();
  }
  logger("dp")->info("certificates: wrote {} file(s) in {} (certificate valid until {})", *written,
                     options_.dir, fromAbsl(absl::FormatTime(expiry)));
  {
    std::lock_guard lock(mu_);
    written_ = normalized;
    ++writes_;
    expiry_ = expiry;
  }
  if (options_.gate) options_.gate->filesWritten(/*replaced=*/*written > 0);
  noteFirst(true);
  return absl::OkStatus();
}

void CertWriter::noteFirst(bool mtls) {
  std::lock_guard lock(mu_);
  if (!first_) first_ = mtls;
  cv_.notify_all();
}

void CertWriter::noteProblem(const absl::Status& s) {
  std::lock_guard lock(mu_);
  last_problem_ = s;
}

}  // namespace ursa::dp
