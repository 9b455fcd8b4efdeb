#include "src/api/list_params.h"

#include "ursa/common/strings.h"

namespace ursa::api {
namespace {

std::optional<size_t> parseCount(const std::string& s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  return v;
}

std::string percentEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '*') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

absl::Status readListParams(const http::Request& req, store::ListQuery& query) {
  model::Violations v;
  query.limit = kDefaultPageSize;
  if (auto size = req.queryParam("size")) {
    auto n = parseCount(*size);
    if (!n || *n == 0) {
      v.add(model::FieldPath::rootedAt("size"), "must be a positive integer");
    } else if (*n > kMaxPageSize) {
      v.add(model::FieldPath::rootedAt("size"), strCat("must be at most ", kMaxPageSize));
    } else {
      query.limit = *n;
    }
  }
  if (auto offset = req.queryParam("offset"); offset && !offset->empty()) {
    auto n = parseCount(*offset);
    if (!n) {
      v.add(model::FieldPath::rootedAt("offset"), "must be a non-negative integer");
    } else {
      query.offset = *n;
    }
  }
  if (auto name = req.queryParam("name")) query.name_contains = *name;
  auto tags = req.query.equal_range("tag");
  for (auto it = tags.first; it != tags.second; ++it) {
    size_t colon = it->second.find(':');
    if (colon == std::string::npos || colon == 0) {
      v.add(model::FieldPath::rootedAt("tag"),
            strCat("\"", it->second, "\" must be key:value"));
      continue;
    }
    query.tags[it->second.substr(0, colon)] = it->second.substr(colon + 1);
  }
  for (const auto& [k, val] : req.query) {
    if (k.rfind("filter[", 0) != 0) continue;
    if (k.rfind("filter[labels.", 0) != 0 || k.back() != ']' || k.size() <= 15) {
      v.add(model::FieldPath::rootedAt("filter"),
            strCat("unsupported filter \"", k, "\"; use filter[labels.<key>]=<value>"));
      continue;
    }
    query.labels[k.substr(14, k.size() - 15)] = val;
  }
  if (!v.empty()) return model::invalidArgument("invalid list parameters", v);
  return absl::OkStatus();
}

model::Json nextLink(const http::Request& req, std::optional<size_t> next_offset) {
  if (!next_offset) return nullptr;
  std::string url = strCat(req.tls ? "https://" : "http://", req.header("host"),
                           req.target.substr(0, req.target.find('?')), "?");
  bool first = true;
  for (const auto& [k, val] : req.query) {
    if (k == "offset") continue;
    url += strCat(first ? "" : "&", percentEncode(k), "=", percentEncode(val));
    first = false;
  }
  url += strCat(first ? "" : "&", "offset=", *next_offset);
  return url;
}

}  // namespace ursa::api
