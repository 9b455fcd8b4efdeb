#pragma once

// Decoding a YAML resource document in one call, for the codec's tests.

#include <string>
#include <string_view>

#include "ursa/model/codec.h"

namespace ursa::model::codec_test {

inline std::string messageOf(const absl::Status& s) { return std::string(s.message()); }

// Decodes a YAML resource document.
inline absl::StatusOr<Resource> decode(std::string_view yaml, const DecodeOptions& options = {}) {
  auto doc = parseYaml(yaml);
  if (!doc.ok()) return doc.status();
  return decodeResource(*doc, options);
}

}  // namespace ursa::model::codec_test
