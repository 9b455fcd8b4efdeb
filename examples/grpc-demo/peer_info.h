#pragma once

// What a demo call learned about its peer from gRPC's auth context: the
// SPIFFE ID in its certificate, a hash of that certificate and whether the
// connection was TLS. Shared by the demo server (about its client) and the
// demo client (about the server).

#include <grpcpp/security/auth_context.h>

#include <cstdint>
#include <memory>
#include <string>

namespace ursa::demo {

struct PeerInfo {
  std::string identity;     // the first spiffe:// URI SAN, "" when none
  std::string certificate;  // 16 hex digits hashing the peer's PEM, "" when none
  std::string security;     // "tls" or "insecure"
};

// FNV-1a, 64 bits: enough to tell two certificates apart in a log (not a
// cryptographic fingerprint).
inline std::string shortHash(const std::string& data) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = kHex[h & 0xf];
  return out;
}

inline PeerInfo peerInfo(const std::shared_ptr<const grpc::AuthContext>& auth) {
  PeerInfo info{.security = "insecure"};
  if (!auth) return info;
  // TLS connections carry a privacy-and-integrity security level (and the
  // peer's certificate, when it sent one); plaintext ones neither.
  for (const auto& v : auth->FindPropertyValues("security_level")) {
    if (std::string(v.data(), v.size()) == "TSI_PRIVACY_AND_INTEGRITY") info.security = "tls";
  }
  for (const auto& v : auth->FindPropertyValues("x509_subject_alternative_name")) {
    std::string san(v.data(), v.size());
    if (san.rfind("spiffe://", 0) == 0) {
      info.identity = san;
      break;
    }
  }
  for (const auto& v : auth->FindPropertyValues("x509_pem_cert")) {
    info.certificate = shortHash(std::string(v.data(), v.size()));
    info.security = "tls";
  }
  return info;
}

}  // namespace ursa::demo
