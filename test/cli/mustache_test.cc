// Mustache rendering for `ursactl apply --var` (src/cli/mustache.h).

#include "src/cli/mustache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ursa::cli {
namespace {

using ::testing::HasSubstr;

std::string render(std::string_view text, const std::map<std::string, std::string>& vars) {
  auto context = templateContext(vars);
  EXPECT_TRUE(context.ok()) << context.status();
  auto out = renderMustache(text, *context);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : "<error>";
}

std::string renderError(std::string_view text) {
  auto out = renderMustache(text, model::Json::object());
  EXPECT_FALSE(out.ok());
  return std::string(out.status().message());
}

TEST(MustacheTest, SubstitutesVariablesWithOrWithoutSpaces) {
  EXPECT_EQ(render("name: {{ name }}\nmesh: {{mesh}}\n", {{"name", "web"}, {"mesh", "demo"}}),
            "name: web\nmesh: demo\n");
}

TEST(MustacheTest, DottedKeysReachNestedValues) {
  EXPECT_EQ(render("{{ dp.name }}/{{ dp.address.ip }}/{{ top }}",
                   {{"dp.name", "web-1"}, {"dp.address.ip", "10.0.0.1"}, {"top", "x"}}),
            "web-1/10.0.0.1/x");
}

TEST(MustacheTest, MissingVariablesRenderAsNothing) {
  EXPECT_EQ(render("a={{ missing }};b={{ dp.nope }}", {{"dp.name", "x"}}), "a=;b=");
}

TEST(MustacheTest, DoubleBracesEscapeHtmlAsGoDoesAndTripleBracesDoNot) {
  std::map<std::string, std::string> vars = {{"v", "a<b>&\"c'"}};
  EXPECT_EQ(render("{{ v }}", vars), "a&lt;b&gt;&amp;&#34;c&#39;");
  EXPECT_EQ(render("{{{ v }}}", vars), "a<b>&\"c'");
  EXPECT_EQ(render("{{& v }}", vars), "a<b>&\"c'");
}

TEST(MustacheTest, SectionsRenderWhenSetAndInvertedSectionsWhenNot) {
  std::string tmpl = "{{#tls}}\nmtls: on\n{{/tls}}\n{{^tls}}\nmtls: off\n{{/tls}}\n";
  EXPECT_EQ(render(tmpl, {{"tls", "yes"}}), "mtls: on\n");
  EXPECT_EQ(render(tmpl, {{"other", "x"}}), "mtls: off\n");
  EXPECT_EQ(render(tmpl, {{"tls", ""}}), "mtls: off\n");
}

TEST(MustacheTest, StandaloneTagLinesDisappearButInlineTagsKeepTheirLine) {
  std::string tmpl = "a:\n  {{#x}}\n  b: 1\n  {{/x}}\n  {{! note }}\nc: 2\n";
  EXPECT_EQ(render(tmpl, {{"x", "y"}}), "a:\n  b: 1\nc: 2\n");
  EXPECT_EQ(render(tmpl, {}), "a:\nc: 2\n");
  std::string inline_tmpl = "v: {{#x}}yes{{/x}}{{^x}}no{{/x}}\nw: 1\n";
  EXPECT_EQ(render(inline_tmpl, {{"x", "y"}}), "v: yes\nw: 1\n");
  EXPECT_EQ(render(inline_tmpl, {}), "v: no\nw: 1\n");
}

TEST(MustacheTest, SectionOverAMapPushesItsContext) {
  EXPECT_EQ(render("{{#dp}}{{ name }}@{{ mesh }}{{/dp}}", {{"dp.name", "web"}, {"mesh", "demo"}}),
            "web@demo");
}

TEST(MustacheTest, CommentsDisappearAndDelimitersCanChange) {
  EXPECT_EQ(render("a{{! a comment }}b", {}), "ab");
  EXPECT_EQ(render("{{=<% %>=}}<% v %> {{ v }}", {{"v", "x"}}), "x {{ v }}");
}

TEST(MustacheTest, TextWithoutTagsIsUnchanged) {
  std::string yaml = "type: Mesh\nname: demo\nmtls: {}\n";
  EXPECT_EQ(render(yaml, {{"x", "y"}}), yaml);
}

TEST(MustacheTest, MalformedTemplatesAreErrorsNamingTheLine) {
  EXPECT_THAT(renderError("a\nb {{ open"), HasSubstr("line 2: unclosed tag"));
  EXPECT_THAT(renderError("{{#s}}\nbody\n"), HasSubstr("section \"s\" has no closing tag"));
  EXPECT_THAT(renderError("x\n{{/s}}"), HasSubstr("line 2: closing tag \"s\" was never opened"));
  EXPECT_THAT(renderError("{{#a}}{{/b}}"), HasSubstr("closing tag \"b\" inside section \"a\""));
  EXPECT_THAT(renderError("{{ }}"), HasSubstr("empty tag"));
  EXPECT_THAT(renderError("{{=<%=}}"), HasSubstr("invalid delimiter tag"));
}

TEST(MustacheTest, ContextRefusesConflictingAndEmptyKeys) {
  auto conflict = templateContext({{"a", "1"}, {"a.b", "2"}});
  EXPECT_FALSE(conflict.ok());
  EXPECT_THAT(std::string(conflict.status().message()), HasSubstr("\"a.b\" conflicts"));
  EXPECT_FALSE(templateContext({{"a..b", "1"}}).ok());
  EXPECT_FALSE(templateContext({{".a", "1"}}).ok());
  auto nested = templateContext({{"a.b", "1"}, {"a.c", "2"}});
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ((*nested)["a"]["b"], "1");
  EXPECT_EQ((*nested)["a"]["c"], "2");  // merged, not overwritten
}

}  // namespace
}  // namespace ursa::cli
