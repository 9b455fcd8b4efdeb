#include "src/cli/mustache.h"

#include <algorithm>
#include <vector>

#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

using model::Json;

struct Node {
  enum class Kind { Text, Var, RawVar, Section, Inverted };
  Kind kind = Kind::Text;
  std::string text;  // the text, or the name of a variable or section
  std::vector<Node> children;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

absl::Status parseError(int line, std::string_view what) {
  return absl::InvalidArgumentError(strCat("template line ", line, ": ", what));
}

class Parser {
 public:
  explicit Parser(std::string_view src) : src_(src) {}

  // Parses until the end of input (section empty) or the closing tag of `section`.
  absl::Status parse(std::vector<Node>& out, std::string_view section = "", int opened_at = 0) {
    while (true) {
      size_t open = src_.find(otag_, pos_);
      if (open == std::string_view::npos) {
        addText(out, src_.substr(pos_));
        pos_ = src_.size();
        if (section.empty()) return absl::OkStatus();
        return parseError(opened_at, strCat("section \"", section, "\" has no closing tag"));
      }
      bool triple = otag_ == "{{" && src_.substr(open + 2).starts_with("{");
      size_t body = open + otag_.size() + (triple ? 1 : 0);
      std::string close = triple ? "}" + ctag_ : ctag_;
      size_t end = src_.find(close, body);
      std::string_view tag =
          end == std::string_view::npos ? "" : trim(src_.substr(body, end - body));
      size_t text_end = open;
      size_t after = end == std::string_view::npos ? src_.size() : end + close.size();
      if (!triple && !tag.empty() &&
          std::string_view("#^/!=>").find(tag[0]) != std::string_view::npos) {
        dropStandaloneLine(text_end, after);
      }
      addText(out, src_.substr(pos_, text_end - pos_));
      pos_ = text_end;
      if (end == std::string_view::npos) return parseError(line_, "unclosed tag");
      if (tag.empty()) return parseError(line_, "empty tag");
      advance(after);
      if (triple) {
        out.push_back({Node::Kind::RawVar, std::string(tag), {}});
        continue;
      }
      bool closed = false;
      URSA_RETURN_IF_ERROR(handleTag(tag, out, section, closed));
      if (closed) return absl::OkStatus();
    }
  }

 private:
  absl::Status handleTag(std::string_view tag, std::vector<Node>& out, std::string_view section,
                         bool& closed) {
    std::string_view name = trim(tag.substr(1));
    switch (tag[0]) {
      case '!':
      case '>':  // comments; partials have nowhere to come from
        return absl::OkStatus();
      case '#':
      case '^':
        return parseSection(tag[0] == '#' ? Node::Kind::Section : Node::Kind::Inverted, name, out);
      case '/':
        if (section.empty())
          return parseError(line_, strCat("closing tag \"", name, "\" was never opened"));
        if (name != section) {
          return parseError(line_,
                            strCat("closing tag \"", name, "\" inside section \"", section, "\""));
        }
        closed = true;
        return absl::OkStatus();
      case '=':
        return setDelimiters(tag);
      case '&':
        out.push_back({Node::Kind::RawVar, std::string(name), {}});
        return absl::OkStatus();
      default:
        out.push_back({Node::Kind::Var, std::string(tag), {}});
        return absl::OkStatus();
    }
  }

  absl::Status parseSection(Node::Kind kind, std::string_view name, std::vector<Node>& out) {
    if (name.empty()) return parseError(line_, "section without a name");
    Node node{kind, std::string(name), {}};
    URSA_RETURN_IF_ERROR(parse(node.children, node.text, line_));
    out.push_back(std::move(node));
    return absl::OkStatus();
  }

  absl::Status setDelimiters(std::string_view tag) {
    if (tag.size() < 2 || tag.back() != '=') return parseError(line_, "invalid delimiter tag");
    std::string_view inner = trim(tag.substr(1, tag.size() - 2));
    size_t space = inner.find_first_of(" \t");
    if (space == std::string_view::npos) return parseError(line_, "invalid delimiter tag");
    std::string_view open = inner.substr(0, space);
    std::string_view close = trim(inner.substr(space));
    if (open.empty() || close.empty() || close.find_first_of(" \t") != std::string_view::npos) {
      return parseError(line_, "invalid delimiter tag");
    }
    otag_ = std::string(open);
    ctag_ = std::string(close);
    return absl::OkStatus();
  }

  // A section, closing, comment, partial or delimiter tag alone on its line
  // (but for blanks) takes the whole line with it, as the mustache spec says:
  // [text_end, after) then covers the line, its indentation and its newline.
  void dropStandaloneLine(size_t& text_end, size_t& after) const {
    size_t line_start = text_end == 0 ? 0 : src_.rfind('\n', text_end - 1);
    line_start = line_start == std::string_view::npos ? 0 : (text_end == 0 ? 0 : line_start + 1);
    if (line_start < pos_) return;  // another tag earlier on this line
    auto blank = [](std::string_view s) {
      return s.find_first_not_of(" \t\r") == std::string_view::npos;
    };
    if (!blank(src_.substr(line_start, text_end - line_start))) return;
    size_t line_end = src_.find('\n', after);
    if (!blank(src_.substr(after, line_end == std::string_view::npos ? std::string_view::npos
                                                                     : line_end - after))) {
      return;
    }
    text_end = line_start;
    after = line_end == std::string_view::npos ? src_.size() : line_end + 1;
  }

  void addText(std::vector<Node>& out, std::string_view text) {
    if (text.empty()) return;
    line_ += static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    out.push_back({Node::Kind::Text, std::string(text), {}});
  }

  void advance(size_t to) {
    std::string_view skipped = src_.substr(pos_, to - pos_);
    line_ += static_cast<int>(std::count(skipped.begin(), skipped.end(), '\n'));
    pos_ = to;
  }

  std::string_view src_;
  size_t pos_ = 0;
  int line_ = 1;
  std::string otag_ = "{{";
  std::string ctag_ = "}}";
};

// Looks `name` up from the innermost context outwards; dotted names then
// descend into the value found for their first segment.
const Json* lookup(const std::vector<const Json*>& stack, std::string_view name) {
  if (name == ".") return stack.back();
  std::string_view first = name.substr(0, name.find('.'));
  const Json* found = nullptr;
  for (auto it = stack.rbegin(); it != stack.rend() && found == nullptr; ++it) {
    if ((*it)->is_object()) {
      auto f = (*it)->find(std::string(first));
      if (f != (*it)->end()) found = &*f;
    }
  }
  std::string_view rest = name.size() > first.size() ? name.substr(first.size() + 1) : "";
  while (found != nullptr && !rest.empty()) {
    std::string_view seg = rest.substr(0, rest.find('.'));
    rest = rest.size() > seg.size() ? rest.substr(seg.size() + 1) : "";
    auto f = found->is_object() ? found->find(std::string(seg)) : found->end();
    found = found->is_object() && f != found->end() ? &*f : nullptr;
  }
  return found;
}

bool truthy(const Json* v) {
  if (v == nullptr || v->is_null()) return false;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) return !v->get_ref<const std::string&>().empty();
  if (v->is_array() || v->is_object()) return !v->empty();
  return true;
}

std::string textOf(const Json* v) {
  if (v == nullptr || v->is_null() || v->is_object() || v->is_array()) return "";
  if (v->is_string()) return v->get<std::string>();
  return v->dump();
}

void htmlEscape(std::string_view s, std::string& out) {
  for (char c : s) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out += c;
    }
  }
}

void render(const std::vector<Node>& nodes, std::vector<const Json*>& stack, std::string& out);

void renderSection(const Node& node, std::vector<const Json*>& stack, std::string& out) {
  const Json* value = lookup(stack, node.text);
  if (node.kind == Node::Kind::Inverted) {
    if (!truthy(value)) render(node.children, stack, out);
    return;
  }
  if (!truthy(value)) return;
  if (value->is_array()) {
    for (const Json& item : *value) {
      stack.push_back(&item);
      render(node.children, stack, out);
      stack.pop_back();
    }
    return;
  }
  stack.push_back(value);
  render(node.children, stack, out);
  stack.pop_back();
}

void render(const std::vector<Node>& nodes, std::vector<const Json*>& stack, std::string& out) {
  for (const Node& node : nodes) {
    switch (node.kind) {
      case Node::Kind::Text:
        out += node.text;
        break;
      case Node::Kind::Var:
        htmlEscape(textOf(lookup(stack, node.text)), out);
        break;
      case Node::Kind::RawVar:
        out += textOf(lookup(stack, node.text));
        break;
      case Node::Kind::Section:
      case Node::Kind::Inverted:
        renderSection(node, stack, out);
        break;
    }
  }
}

}  // namespace

absl::StatusOr<Json> templateContext(const std::map<std::string, std::string>& vars) {
  Json context = Json::object();
  for (const auto& [key, value] : vars) {
    std::vector<std::string_view> parts;
    for (std::string_view rest = key;;) {
      size_t dot = rest.find('.');
      parts.push_back(rest.substr(0, dot));
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    if (std::any_of(parts.begin(), parts.end(), [](auto p) { return p.empty(); })) {
      return absl::InvalidArgumentError(strCat("variable \"", key, "\" has an empty name segment"));
    }
    Json* at = &context;
    for (size_t i = 0; i < parts.size(); ++i) {
      Json& slot = (*at)[std::string(parts[i])];
      bool leaf = i + 1 == parts.size();
      if ((leaf && slot.is_object()) || (!leaf && slot.is_string())) {
        return absl::InvalidArgumentError(
            strCat("variable \"", key,
                   "\" conflicts with another variable: a name cannot be both "
                   "a value and a prefix of other names"));
      }
      if (leaf) slot = value;
      at = &slot;
    }
  }
  return context;
}

absl::StatusOr<std::string> renderMustache(std::string_view text, const Json& context) {
  std::vector<Node> nodes;
  URSA_RETURN_IF_ERROR(Parser(text).parse(nodes));
  std::vector<const Json*> stack = {&context};
  std::string out;
  render(nodes, stack, out);
  return out;
}

}  // namespace ursa::cli
