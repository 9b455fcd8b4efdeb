#pragma once

// Mustache rendering for `ursactl apply --var key=value`, as kumactl renders
// manifests (the hoisie/mustache engine):
//   {{ name }}        the value, HTML-escaped (& < > " ' become entities, as
//                     Go's template.HTMLEscape writes them)
//   {{{ name }}} and {{& name }}   the value, verbatim
//   {{# name }}...{{/ name }}  the block when `name` is set and not empty
//   {{^ name }}...{{/ name }}  the block when it is not
//   {{! comment }}, {{= <% %> =}} (new delimiters), {{> partial }} (renders nothing)
// Dotted names reach into nested values: `--var a.b=x` fills {{ a.b }}.
// A name that is not set renders as nothing. A section, closing, comment or
// delimiter tag alone on its line removes that line (the mustache spec's
// "standalone" rule), so templated YAML keeps no stray blank lines.

#include <map>
#include <string>
#include <string_view>

#include "ursa/common/status.h"
#include "ursa/model/codec.h"

namespace ursa::cli {

// Builds the rendering context from `--var` pairs: "a.b=x" becomes {"a": {"b": "x"}}.
// InvalidArgument when one key is both a value and a prefix of another
// ("a=1" with "a.b=2") or has an empty segment ("a..b").
absl::StatusOr<model::Json> templateContext(const std::map<std::string, std::string>& vars);

// Renders `text` with `context`. InvalidArgument (naming the line) for an
// unclosed tag or section, a stray closing tag, or an empty tag.
absl::StatusOr<std::string> renderMustache(std::string_view text, const model::Json& context);

}  // namespace ursa::cli
