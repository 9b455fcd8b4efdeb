#include "src/model/validators/common.h"

#include <arpa/inet.h>

#include <algorithm>
#include <regex>
#include <vector>

#include "ursa/common/strings.h"


namespace ursa::model::validators {

std::string mustHaveOnlyOne(std::string_view entity,
                            std::initializer_list<std::string_view> names) {
  return ursa::strCat(entity, " must have only one type defined: ", ursa::strJoin(names, ", "));
}

std::string mustHaveExactlyOne(std::string_view entity,
                               std::initializer_list<std::string_view> names) {
  return ursa::strCat(entity, " must have exactly one defined: ", ursa::strJoin(names, ", "));
}

std::string mustHaveAtLeastOne(std::initializer_list<std::string_view> names) {
  return ursa::strCat("must have at least one defined: ", ursa::strJoin(names, ", "));
}

std::optional<RefKind> parseRefKind(std::string_view kind) {
  if (kind == "Mesh") return RefKind::Mesh;
  if (kind == "MeshSubset") return RefKind::MeshSubset;
  if (kind == "MeshService") return RefKind::MeshService;
  if (kind == "MeshServiceSubset") return RefKind::MeshServiceSubset;
  if (kind == "MeshGatewayRoute") return RefKind::MeshGatewayRoute;
  return std::nullopt;
}

void validateTargetRef(const ursa::common::v1alpha1::TargetRef& ref,
                       std::initializer_list<RefKind> supported, const FieldPath& at,
                       Violations& out) {
  if (ref.kind().empty()) {
    out.add(at.field("kind"), "must be set");
    return;
  }
  auto kind = parseRefKind(ref.kind());
  if (!kind || std::find(supported.begin(), supported.end(), *kind) == supported.end()) {
    out.add(at.field("kind"), "value is not supported");
    return;
  }
  auto forbid = [&](std::string_view field, bool set) {
    if (set) out.add(at.field(field), ursa::strCat("cannot be set with kind ", ref.kind()));
  };
  auto require = [&](std::string_view field, bool set) {
    if (!set) out.add(at.field(field), ursa::strCat("must be set with kind ", ref.kind()));
  };
  bool has_name = !ref.name().empty();
  bool has_mesh = !ref.mesh().empty();
  bool has_tags = !ref.tags().empty();
  switch (*kind) {
    case RefKind::Mesh:
      if (has_name) {
        out.add(at.field("name"), "using name with kind Mesh is not yet supported");
      }
      forbid("mesh", has_mesh);
      forbid("tags", has_tags);
      break;
    case RefKind::MeshSubset:
      forbid("name", has_name);
      forbid("mesh", has_mesh);
      break;
    case RefKind::MeshService:
      require("name", has_name);
      forbid("mesh", has_mesh);
      forbid("tags", has_tags);
      break;
    case RefKind::MeshServiceSubset:
    case RefKind::MeshGatewayRoute:
      require("name", has_name);
      forbid("mesh", has_mesh);
      break;
  }
}

absl::Duration toDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

std::optional<double> parseDecimal(std::string_view s) {
  static const std::regex kDecimal("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)");
  std::string str(s);
  if (!std::regex_match(str, kDecimal)) return std::nullopt;
  return std::strtod(str.c_str(), nullptr);
}

void validatePercentage(const ursa::common::v1alpha1::IntOrString& v, const FieldPath& at,
                        Violations& out) {
  double value;
  if (v.has_string_value()) {
    auto parsed = parseDecimal(v.string_value());
    if (!parsed) {
      out.add(at, std::string(kValidNumber));
      return;
    }
    value = *parsed;
  } else {
    value = static_cast<double>(v.int_value());
  }
  if (value < 0 || value > 100) out.add(at, std::string(kPercentageRange));
}

bool isValidTagName(std::string_view name) {
  static const std::regex kName("^[a-zA-Z0-9.\\-_:/]*$");
  return std::regex_match(name.begin(), name.end(), kName);
}

bool isValidTagValue(std::string_view value) {
  static const std::regex kValue("^[a-zA-Z0-9.\\-_:]*$");
  return std::regex_match(value.begin(), value.end(), kValue);
}

void validateTags(const google::protobuf::Map<std::string, std::string>& tags,
                  const FieldPath& at, Violations& out) {
  std::vector<std::string> keys;
  for (const auto& [k, _] : tags) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  for (const auto& key : keys) {
    const std::string& value = tags.at(key);
    if (key.empty()) out.add(at, "tag name must be non-empty");
    if (!isValidTagName(key)) {
      out.add(at.key(key),
              "tag name must consist of alphanumeric characters, dots, dashes, slashes and "
              "underscores");
    }
    if (value.empty()) out.add(at.key(key), "tag value must be non-empty");
    if (!isValidTagValue(value)) {
      out.add(at.key(key),
              "tag value must consist of alphanumeric characters, dots, dashes and underscores");
    }
    if (key == "kuma.io/protocol") {
      static const std::vector<std::string> kProtocols = {"grpc", "http", "http2", "kafka",
                                                          "tcp"};
      if (std::find(kProtocols.begin(), kProtocols.end(), value) == kProtocols.end()) {
        out.add(at.key(key), ursa::strCat("tag \"kuma.io/protocol\" has an invalid value \"",
                                          value, "\". Allowed values: ",
                                          ursa::strJoin(kProtocols, ", ")));
      }
    }
  }
  if (!tags.contains("kuma.io/service")) {
    out.add(at, "mandatory tag \"kuma.io/service\" is missing");
  }
}

bool isValidIp(std::string_view s) {
  std::string str(s);
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, str.c_str(), buf) == 1 || inet_pton(AF_INET6, str.c_str(), buf) == 1;
}

bool isValidHostname(std::string_view s) {
  static const std::regex kHost(
      "^([a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)(\\.([a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?))*\\.?$");
  return !s.empty() && s.size() <= 253 && std::regex_match(s.begin(), s.end(), kHost);
}

}  // namespace ursa::model::validators
