#include "src/xds/server/wire.h"

#include <cstdint>

#include "grpcpp/support/slice.h"

namespace ursa::xds::wire {
namespace {

// Resources at least this large are referenced rather than copied: below it a
// copy is cheaper than a reference-counted slice.
constexpr size_t kReferenceAtLeast = 2048;

// Field numbers (envoy/service/discovery/v3/discovery.proto, google/protobuf/any.proto).
namespace field {
constexpr uint32_t kAnyTypeUrl = 1, kAnyValue = 2;
constexpr uint32_t kSotwVersionInfo = 1, kSotwResources = 2, kSotwTypeUrl = 4, kSotwNonce = 5;
constexpr uint32_t kDeltaSystemVersion = 1, kDeltaResources = 2, kDeltaTypeUrl = 4,
                   kDeltaNonce = 5, kDeltaRemoved = 6;
constexpr uint32_t kResourceVersion = 1, kResourceAny = 2, kResourceName = 3;
}  // namespace field

size_t varintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Bytes of a length-delimited field holding `len` bytes.
size_t fieldSize(uint32_t number, size_t len) {
  return varintSize(uint64_t{number} << 3) + varintSize(len) + len;
}

size_t anySize(std::string_view type_url, const Resource& r) {
  return (type_url.empty() ? 0 : fieldSize(field::kAnyTypeUrl, type_url.size())) +
         (r.bytes.empty() ? 0 : fieldSize(field::kAnyValue, r.bytes.size()));
}

void releaseResource(void* user_data) { delete static_cast<ResourcePtr*>(user_data); }

// Accumulates wire bytes: copied bytes in `pending_`, referenced resources as
// their own slices, in order.
class Writer {
 public:
  void varint(uint64_t v) {
    while (v >= 0x80) {
      pending_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    pending_.push_back(static_cast<char>(v));
  }
  // The tag and length of a length-delimited field; its content follows.
  void header(uint32_t number, size_t len) {
    varint((uint64_t{number} << 3) | 2);
    varint(len);
  }
  void string(uint32_t number, std::string_view s) {
    header(number, s.size());
    pending_.append(s);
  }
  // An empty string is proto3's default: not written, as protobuf does not.
  void optionalString(uint32_t number, std::string_view s) {
    if (!s.empty()) string(number, s);
  }
  void any(std::string_view type_url, const ResourcePtr& r) {
    optionalString(field::kAnyTypeUrl, type_url);
    if (r->bytes.empty()) return;
    header(field::kAnyValue, r->bytes.size());
    if (r->bytes.size() < kReferenceAtLeast) {
      pending_.append(r->bytes);
      return;
    }
    flush();
    auto* keep = new ResourcePtr(r);
    slices_.emplace_back(const_cast<char*>(r->bytes.data()), r->bytes.size(), &releaseResource,
                         keep);
  }
  grpc::ByteBuffer finish() {
    flush();
    return grpc::ByteBuffer(slices_.data(), slices_.size());
  }

 private:
  void flush() {
    if (pending_.empty()) return;
    slices_.emplace_back(pending_);
    pending_.clear();
  }
  std::string pending_;
  std::vector<grpc::Slice> slices_;
};

}  // namespace

grpc::ByteBuffer sotwResponse(std::string_view version_info,
                              const std::vector<ResourcePtr>& resources,
                              std::string_view type_url, std::string_view nonce) {
  Writer w;
  w.optionalString(field::kSotwVersionInfo, version_info);
  for (const auto& r : resources) {
    w.header(field::kSotwResources, anySize(type_url, *r));
    w.any(type_url, r);
  }
  w.optionalString(field::kSotwTypeUrl, type_url);
  w.optionalString(field::kSotwNonce, nonce);
  return w.finish();
}

grpc::ByteBuffer deltaResponse(std::string_view system_version_info,
                               const std::vector<ResourcePtr>& resources,
                               std::string_view type_url,
                               const std::vector<std::string>& removed_resources,
                               std::string_view nonce) {
  Writer w;
  w.optionalString(field::kDeltaSystemVersion, system_version_info);
  for (const auto& r : resources) {
    std::string version = r->version();
    size_t any = anySize(type_url, *r);
    size_t size = (version.empty() ? 0 : fieldSize(field::kResourceVersion, version.size())) +
                  fieldSize(field::kResourceAny, any) +
                  (r->name.empty() ? 0 : fieldSize(field::kResourceName, r->name.size()));
    w.header(field::kDeltaResources, size);
    w.optionalString(field::kResourceVersion, version);
    w.header(field::kResourceAny, any);
    w.any(type_url, r);
    w.optionalString(field::kResourceName, r->name);
  }
  w.optionalString(field::kDeltaTypeUrl, type_url);
  w.optionalString(field::kDeltaNonce, nonce);
  for (const auto& name : removed_resources) w.string(field::kDeltaRemoved, name);
  return w.finish();
}

std::string flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

}  // namespace ursa::xds::wire
