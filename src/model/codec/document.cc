// Text <-> JSON trees, for both YAML and JSON input.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <regex>
#include <string>

#include "ursa/common/strings.h"
#include "ursa/model/codec.h"
#include "yaml-cpp/yaml.h"

namespace ursa::model {
namespace {

constexpr size_t kMaxDepth = 64;
// Bounds the tree built from YAML aliases ("billion laughs").
constexpr size_t kMaxNodes = 1'000'000;

// Builds an ordered_json tree from SAX events, refusing duplicate keys and
// deep nesting (the default DOM parser recurses without bound and keeps the
// last of duplicate keys, silently).
class StrictJsonBuilder : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return put(Json(nullptr)); }
  bool boolean(bool v) override { return put(Json(v)); }
  bool number_integer(number_integer_t v) override { return put(Json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(Json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return put(Json(v)); }
  bool string(string_t& v) override { return put(Json(std::move(v))); }
  bool binary(binary_t&) override { return fail("binary values are not supported"); }

  bool start_object(std::size_t) override { return open(Json::object()); }
  bool start_array(std::size_t) override { return open(Json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    if (stack_.back()->contains(k)) return fail("duplicate key \"" + k + "\"");
    key_ = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    error_ = ex.what();
    position_ = position;
    return false;
  }

  Json take() { return std::move(root_); }
  const std::string& error() const { return error_; }
  size_t position() const { return position_; }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }
  bool put(Json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Json& top = *stack_.back();
    if (top.is_array()) {
      top.push_back(std::move(v));
    } else {
      top[key_] = std::move(v);
    }
    return true;
  }
  bool open(Json container) {
    if (stack_.size() >= kMaxDepth) {
      return fail(ursa::strCat("document is nested deeper than ", kMaxDepth, " levels"));
    }
    Json* slot;
    if (stack_.empty()) {
      root_ = std::move(container);
      slot = &root_;
    } else if (stack_.back()->is_array()) {
      stack_.back()->push_back(std::move(container));
      slot = &stack_.back()->back();
    } else {
      Json& parent = *stack_.back();
      parent[key_] = std::move(container);
      slot = &parent[key_];
    }
    stack_.push_back(slot);
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  Json root_;
  std::vector<Json*> stack_;
  std::string key_;
  std::string error_;
  size_t position_ = 0;
};

// An iterator over the text that records how far the parser has read, so
// that the errors StrictJsonBuilder raises (a duplicate key, too deep a
// nesting), which nlohmann's SAX interface gives no position for, can still
// name a line and column.
class TrackingIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  TrackingIterator() = default;
  TrackingIterator(const char* p, const char** read_to) : p_(p), read_to_(read_to) {}
  reference operator*() const { return *p_; }
  TrackingIterator& operator++() {
    ++p_;
    if (p_ > *read_to_) *read_to_ = p_;
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const TrackingIterator& other) const { return p_ == other.p_; }

 private:
  const char* p_ = nullptr;
  const char** read_to_ = nullptr;
};

// Line and column (1-based) of byte offset `pos` in `text`.
std::string lineColumn(std::string_view text, size_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return ursa::strCat("line ", line, ", column ", col);
}

absl::Status tooLarge(size_t size, size_t max) {
  return absl::InvalidArgumentError(
      ursa::strCat("document is ", size, " bytes, more than the limit of ", max));
}

// YAML 1.2 core schema resolution of a plain (unquoted) scalar.
Json resolvePlainScalar(const std::string& s) {
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s == "null" || s == "Null" || s == "NULL" || s == "~" || s.empty()) return nullptr;
  if (std::regex_match(s, kInt)) {
    try {
      if (s[0] == '-') return static_cast<int64_t>(std::stoll(s));
      return static_cast<uint64_t>(std::stoull(s));
    } catch (const std::out_of_range&) {
      return s;  // Too large for 64 bits: keep the text; the decoder will say so.
    }
  }
  if (std::regex_match(s, kFloat)) {
    double d = std::strtod(s.c_str(), nullptr);
    if (std::isfinite(d)) return d;
  }
  return s;
}

class YamlConverter {
 public:
  // Aliases copy what they name, so a small document can still expand to a
  // huge tree: a few aliases of a long string are as bad as a billion laughs.
  // The text of the scalars built may total 4 times the document limit (at
  // least 16 MiB); a document without aliases never comes near it.
  explicit YamlConverter(size_t max_bytes)
      : max_scalar_bytes_(max_bytes > SIZE_MAX / 4 ? SIZE_MAX
                                                   : std::max<size_t>(4 * max_bytes, 16 << 20)) {}

  absl::StatusOr<Json> convert(const YAML::Node& node, size_t depth) {
    if (++nodes_ > kMaxNodes) {
      return absl::InvalidArgumentError(
          ursa::strCat("document expands to more than ", kMaxNodes, " nodes"));
    }
    if (node.IsScalar()) URSA_RETURN_IF_ERROR(countBytes(node.Scalar().size()));
    if (depth > kMaxDepth) {
      return absl::InvalidArgumentError(
          ursa::strCat("document is nested deeper than ", kMaxDepth, " levels"));
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return Json(nullptr);
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        Json out = Json::array();
        for (const auto& item : node) {
          auto v = convert(item, depth + 1);
          if (!v.ok()) return v.status();
          out.push_back(std::move(*v));
        }
        return out;
      }
      case YAML::NodeType::Map:
        return map(node, depth);
    }
    return Json(nullptr);
  }

 private:
  static Json scalar(const YAML::Node& node) {
    const std::string& tag = node.Tag();
    if (tag == "?") return resolvePlainScalar(node.Scalar());
    if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
        tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null") {
      return resolvePlainScalar(node.Scalar());
    }
    return node.Scalar();  // Quoted, or explicitly !!str.
  }

  absl::StatusOr<Json> map(const YAML::Node& node, size_t depth) {
    Json out = Json::object();
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) {
        return absl::InvalidArgumentError(
            ursa::strCat("line ", kv.first.Mark().line + 1, ": mapping keys must be scalars"));
      }
      const std::string& key = kv.first.Scalar();
      URSA_RETURN_IF_ERROR(countBytes(key.size()));
      if (out.contains(key)) {
        return absl::InvalidArgumentError(ursa::strCat(
            "line ", kv.first.Mark().line + 1, ": duplicate key \"", key, "\""));
      }
      auto v = convert(kv.second, depth + 1);
      if (!v.ok()) return v.status();
      out[key] = std::move(*v);
    }
    return out;
  }

  absl::Status countBytes(size_t n) {
    scalar_bytes_ += n;
    if (scalar_bytes_ > max_scalar_bytes_) {
      return absl::InvalidArgumentError(
          ursa::strCat("document expands to more than ", max_scalar_bytes_, " bytes of text"));
    }
    return absl::OkStatus();
  }

  size_t nodes_ = 0;
  const size_t max_scalar_bytes_;
  size_t scalar_bytes_ = 0;
};

void emitYaml(YAML::Emitter& e, const Json& v) {
  switch (v.type()) {
    case Json::value_t::object:
      e << YAML::BeginMap;
      for (const auto& [k, item] : v.items()) {
        e << YAML::Key << k << YAML::Value;
        emitYaml(e, item);
      }
      e << YAML::EndMap;
      return;
    case Json::value_t::array:
      e << YAML::BeginSeq;
      for (const auto& item : v) emitYaml(e, item);
      e << YAML::EndSeq;
      return;
    case Json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      // Quote strings that a YAML reader would otherwise type as something else.
      Json plain = resolvePlainScalar(s);
      if (!plain.is_string() || s.find('\n') != std::string::npos) {
        e << YAML::DoubleQuoted << s;
      } else {
        e << s;
      }
      return;
    }
    case Json::value_t::boolean:
      e << (v.get<bool>() ? "true" : "false");
      return;
    case Json::value_t::null:
      e << YAML::Null;
      return;
    default:
      e << v.dump();
      return;
  }
}

}  // namespace

absl::StatusOr<Json> parseJson(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) return tooLarge(text.size(), max_bytes);
  StrictJsonBuilder builder;
  const char* read_to = text.data();
  bool ok = Json::sax_parse(TrackingIterator(text.data(), &read_to),
                            TrackingIterator(text.data() + text.size(), &read_to), &builder);
  if (!ok) {
    // Both nlohmann's position and ours count the character the error is at
    // (the one that broke the syntax, or the end of the offending token) as
    // read: it is the one before.
    size_t read = builder.position() > 0 ? builder.position()
                                         : static_cast<size_t>(read_to - text.data());
    return absl::InvalidArgumentError(ursa::strCat(
        "invalid JSON at ", lineColumn(text, read > 0 ? read - 1 : 0), ": ", builder.error()));
  }
  return builder.take();
}

absl::StatusOr<std::vector<Json>> parseYamlDocuments(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) return tooLarge(text.size(), max_bytes);
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(ursa::strCat("invalid YAML at line ", e.mark.line + 1,
                                                   ", column ", e.mark.column + 1, ": ", e.msg));
  }
  std::vector<Json> docs;
  for (const auto& node : nodes) {
    if (node.IsNull() || !node.IsDefined()) continue;
    YamlConverter converter(max_bytes);
    auto doc = converter.convert(node, 0);
    if (!doc.ok()) return doc.status();
    docs.push_back(std::move(*doc));
  }
  return docs;
}

absl::StatusOr<Json> parseYaml(std::string_view text, size_t max_bytes) {
  auto docs = parseYamlDocuments(text, max_bytes);
  if (!docs.ok()) return docs.status();
  if (docs->empty()) return absl::InvalidArgumentError("document is empty");
  if (docs->size() > 1) {
    return absl::InvalidArgumentError(
        ursa::strCat("expected one document, found ", docs->size()));
  }
  return std::move(docs->front());
}

std::string toYaml(const Json& value) {
  YAML::Emitter e;
  e.SetIndent(2);
  e.SetSeqFormat(YAML::Block);
  emitYaml(e, value);
  std::string out = e.c_str();
  out += "\n";
  return out;
}

}  // namespace ursa::model
