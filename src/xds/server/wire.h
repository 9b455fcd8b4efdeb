#pragma once

// Protobuf wire encoding of xDS responses straight from a Snapshot's
// serialized resources, into a grpc::ByteBuffer the stream writes as is.
//
// A response built as a protobuf message copies every resource's bytes into
// an Any, then gRPC serializes the message (a second copy) and frees it. The
// encoders here write the same wire bytes in one pass: field headers and
// small resources are copied into one buffer; a large resource's bytes are
// referenced, not copied (the ByteBuffer holds a reference to its Resource
// until gRPC has sent it). Field order follows the messages' field numbers,
// as protobuf's own serializer writes them, so the bytes equal
// SerializeAsString() of the equivalent message.

#include <string>
#include <string_view>
#include <vector>

#include "grpcpp/support/byte_buffer.h"
#include "ursa/xds/snapshot.h"

namespace ursa::xds::wire {

// A DiscoveryResponse: version_info, resources (each an Any of `type_url`
// holding the resource's bytes), type_url, nonce.
grpc::ByteBuffer sotwResponse(std::string_view version_info,
                              const std::vector<ResourcePtr>& resources,
                              std::string_view type_url, std::string_view nonce);

// A DeltaDiscoveryResponse: system_version_info, resources (name, version
// and the Any), type_url, nonce, removed_resources.
grpc::ByteBuffer deltaResponse(std::string_view system_version_info,
                               const std::vector<ResourcePtr>& resources,
                               std::string_view type_url,
                               const std::vector<std::string>& removed_resources,
                               std::string_view nonce);

// The bytes of a ByteBuffer, copied (for tests and logs).
std::string flatten(const grpc::ByteBuffer& buffer);

}  // namespace ursa::xds::wire
