// The codec (include/ursa/model/codec.h) against bad input: malformed text,
// duplicate keys, hostile nesting and aliases, oversized documents, and
// values of the wrong shape, each reported at its Kuma field path. Round
// trips and output formats are in codec_round_trip_test.cc.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "test/model/codec_test_support.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"
#include "ursa/system/v1alpha1/datasource.pb.h"
#include "ursa/system/v1alpha1/secret.pb.h"

namespace ursa::model {
namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::StartsWith;
using codec_test::decode;
using codec_test::messageOf;



// (field, message) of each violation of decoding `yaml`; empty if it decodes.
std::vector<std::pair<std::string, std::string>> violations(std::string_view yaml,
                                                            const DecodeOptions& options = {}) {
  auto r = decode(yaml, options);
  std::vector<std::pair<std::string, std::string>> out;
  if (r.ok()) return out;
  EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
  Violations carried = violationsOf(r.status());
  for (const auto& v : carried.list()) out.emplace_back(v.field, v.message);
  EXPECT_FALSE(out.empty()) << "no violations carried by " << r.status();
  return out;
}

std::vector<std::string> fieldsOf(std::string_view yaml, const DecodeOptions& options = {}) {
  std::vector<std::string> out;
  for (const auto& v : violations(yaml, options)) out.push_back(v.first);
  return out;
}

std::string repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// --- Malformed text ---------------------------------------------------------------------

TEST(CodecBadInputTest, MalformedYamlNamesLineAndColumn) {
  auto doc = parseYaml("type: Mesh\nname: [unclosed\nmtls: {}\n");
  ASSERT_FALSE(doc.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(doc.status()));
  EXPECT_THAT(messageOf(doc.status()), AllOf(HasSubstr("line "), HasSubstr("column ")));

  // A key indented past its siblings: line 3, where "  bad: 1" is.
  doc = parseYaml("type: Mesh\nname: a\n  bad: 1\n");
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(messageOf(doc.status()), HasSubstr("line 3"));

  // A tab where indentation is expected.
  doc = parseYaml("a:\n\t- b\n");
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(messageOf(doc.status()), HasSubstr("line 2, column 2"));

  doc = parseYaml("a: b: c\n");
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(messageOf(doc.status()), HasSubstr("line 1, column "));
}

TEST(CodecBadInputTest, MalformedJsonNamesLineAndColumn) {
  // The '}' at line 3, column 11 is where a value was expected.
  auto doc = parseJson("{\n  \"type\": \"Mesh\",\n  \"name\": }\n");
  ASSERT_FALSE(doc.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(doc.status()));
  EXPECT_THAT(messageOf(doc.status()), StartsWith("invalid JSON at line 3, column 11: "));
  // The stray ']' at column 7; the end of the input just after the last character.
  EXPECT_THAT(messageOf(parseJson("[1, 2,]").status()), StartsWith("invalid JSON at line 1, column 7: "));
  EXPECT_THAT(messageOf(parseJson("{\"a\":\n 1").status()),
              StartsWith("invalid JSON at line 2, column 3: "));

  for (std::string text : {"{\"a\": 1", "{\"a\": 1}}", "[1, 2,]", "{'a': 1}", "", "tru"}) {
    auto bad = parseJson(text);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_THAT(messageOf(bad.status()), AllOf(HasSubstr("line "), HasSubstr("column ")))
        << text;
  }
}

// --- Duplicate keys -----------------------------------------------------------------

TEST(CodecBadInputTest, DuplicateKeysAreRefusedInYaml) {
  auto doc = parseYaml("type: Mesh\nname: a\nname: b\n");
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(messageOf(doc.status()), AllOf(HasSubstr("duplicate key \"name\""), HasSubstr("line 3")));

  doc = parseYaml("spec:\n  to:\n  - targetRef: {kind: Mesh}\n    targetRef: {kind: Mesh}\n");
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(messageOf(doc.status()), HasSubstr("duplicate key \"targetRef\""));

  // The same key in two different maps is fine.
  EXPECT_TRUE(parseYaml("a: {x: 1}\nb: {x: 2}\n").ok());
}

TEST(CodecBadInputTest, DuplicateKeysAreRefusedInJson) {
  auto doc = parseJson(R"({"type": "Mesh", "name": "a", "name": "b"})");
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(messageOf(doc.status()), HasSubstr("duplicate key \"name\""));

  doc = parseJson("{\"a\": {\"x\": 1,\n \"x\": 2}}");
  ASSERT_FALSE(doc.ok());
  // At the end of the second "x".
  EXPECT_THAT(messageOf(doc.status()),
              AllOf(HasSubstr("duplicate key \"x\""), HasSubstr("line 2, column 4")));

  // JSON through the YAML reader (a JSON document is YAML) is refused as well.
  EXPECT_FALSE(parseYaml(R"({"name": "a", "name": "b"})").ok());

  auto fine = parseJson(R"({"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]})");
  EXPECT_TRUE(fine.ok()) << fine.status();
}

// --- Hostile documents ---------------------------------------------------------------

TEST(CodecBadInputTest, DeepJsonNestingIsRefusedWithoutCrashing) {
  const size_t depth = 100'000;
  // Refused at the 65th opening bracket.
  for (auto [text, where] : std::vector<std::pair<std::string, std::string>>{
           {repeat("[", depth) + repeat("]", depth), "line 1, column 65"},
           {repeat("[", depth), "line 1, column 65"},
           {repeat("{\"a\":", depth) + "1" + repeat("}", depth), "line 1, column 321"},
           {"[\n" + repeat("[", depth), "line 2, column 64"}}) {
    auto doc = parseJson(text, 16 << 20);
    ASSERT_FALSE(doc.ok());
    EXPECT_THAT(messageOf(doc.status()), AllOf(HasSubstr("deeper than 64"), HasSubstr(where)));
  }
  // 64 levels are fine; 65 are not.
  auto at_limit = parseJson(repeat("[", 64) + "1" + repeat("]", 64));
  EXPECT_TRUE(at_limit.ok()) << at_limit.status();
  auto over = parseJson(repeat("[", 65) + "1" + repeat("]", 65));
  ASSERT_FALSE(over.ok());
  EXPECT_THAT(messageOf(over.status()), HasSubstr("deeper than 64"));
}

TEST(CodecBadInputTest, DeepYamlNestingIsRefusedWithoutCrashing) {
  const size_t depth = 100'000;
  auto flow = parseYaml(repeat("[", depth) + repeat("]", depth), 16 << 20);
  EXPECT_FALSE(flow.ok());
  auto unclosed = parseYaml(repeat("[", depth), 16 << 20);
  EXPECT_FALSE(unclosed.ok());
  auto flow_maps = parseYaml(repeat("{a: ", depth) + "1" + repeat("}", depth), 16 << 20);
  EXPECT_FALSE(flow_maps.ok());

  // Block style, 200 levels of "a:" each indented one more.
  std::string block;
  for (size_t i = 0; i < 200; ++i) block += std::string(i, ' ') + "a:\n";
  block += std::string(200, ' ') + "1\n";
  auto deep_block = parseYaml(block);
  ASSERT_FALSE(deep_block.ok());
  EXPECT_THAT(messageOf(deep_block.status()), HasSubstr("deeper than 64"));

  // As in JSON: 64 levels are fine, 65 are not.
  auto at_limit = parseYaml(repeat("[", 64) + "1" + repeat("]", 64));
  EXPECT_TRUE(at_limit.ok()) << at_limit.status();
  auto over = parseYaml(repeat("[", 65) + "1" + repeat("]", 65));
  ASSERT_FALSE(over.ok());
  EXPECT_THAT(messageOf(over.status()), HasSubstr("deeper than 64"));
}

TEST(CodecBadInputTest, YamlAliasBombsAreRefused) {
  // "Billion laughs": nine levels of nine aliases expand to 9^9 nodes.
  std::string bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (char c = 'b'; c <= 'i'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    bomb += std::string(1, c) + ": &" + std::string(1, c) + " [" +
            repeat("*" + prev + ", ", 8) + "*" + prev + "]\n";
  }
  auto started = std::chrono::steady_clock::now();
  auto doc = parseYaml(bomb);
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(messageOf(doc.status()), HasSubstr("expands to more than"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60));

  // Few nodes, but each alias of a large string is a copy of it: 1000 aliases
  // of 512 KiB would build half a gigabyte from a document of 512 KiB.
  std::string wide = "a: &a \"" + std::string(512 * 1024, 'x') + "\"\nb: [" +
                     repeat("*a, ", 999) + "*a]\n";
  ASSERT_LT(wide.size(), 4u << 20);
  auto expanded = parseYaml(wide);
  ASSERT_FALSE(expanded.ok());
  EXPECT_THAT(messageOf(expanded.status()), HasSubstr("expands to more than"));

  // Aliases within reason are fine.
  auto fine = parseYaml("base: &base {kind: Mesh}\nfrom:\n- targetRef: *base\n- targetRef: *base\n");
  ASSERT_TRUE(fine.ok()) << fine.status();
  EXPECT_EQ((*fine)["from"][1]["targetRef"]["kind"], "Mesh");
}

TEST(CodecBadInputTest, DocumentsOverTheByteLimitAreRefused) {
  std::string json = R"({"type": "Mesh", "name": "a"})";
  EXPECT_TRUE(parseJson(json, json.size()).ok());
  auto big = parseJson(json, json.size() - 1);
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(messageOf(big.status()),
              AllOf(HasSubstr(std::to_string(json.size())), HasSubstr("limit")));
  std::string yaml = "type: Mesh\nname: a\n";
  EXPECT_TRUE(parseYaml(yaml, yaml.size()).ok());
  EXPECT_FALSE(parseYaml(yaml, yaml.size() - 1).ok());
  EXPECT_FALSE(parseYamlDocuments(yaml, yaml.size() - 1).ok());

  // The default limit is 4 MiB.
  std::string huge = "type: Mesh\nname: a\n# " + std::string(4 << 20, 'c') + "\n";
  auto refused = parseYaml(huge);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(messageOf(refused.status()), HasSubstr("limit"));
  EXPECT_FALSE(parseJson("\"" + std::string(4 << 20, 'c') + "\"").ok());
}

// --- The envelope -------------------------------------------------------------------

TEST(CodecBadInputTest, UnknownOrMissingTypeIsReportedAtType) {
  EXPECT_THAT(violations("type: MeshTimout\nname: a\nmesh: default\n"),
              ElementsAre(Pair("type", HasSubstr("unknown resource type \"MeshTimout\""))));
  EXPECT_THAT(violations("name: a\nmesh: default\n"),
              ElementsAre(Pair("type", "must be set")));
  EXPECT_THAT(violations("type: 5\nname: a\n"), ElementsAre(Pair("type", HasSubstr("string"))));
  EXPECT_THAT(violations("type: ''\nname: a\n"), ElementsAre(Pair("type", "must be set")));

  auto list = parseYaml("- type: Mesh\n  name: a\n");
  ASSERT_TRUE(list.ok());
  EXPECT_FALSE(decodeResource(*list).ok());
}

TEST(CodecBadInputTest, MeshIsRefusedForAGlobalType) {
  EXPECT_THAT(violations("type: Mesh\nname: a\nmesh: default\n"),
              ElementsAre(Pair("mesh", HasSubstr("not mesh-scoped"))));
  EXPECT_THAT(violations("type: Zone\nname: z\nmesh: default\n"), ElementsAre(Pair("mesh", _)));
  // null is "not given".
  EXPECT_TRUE(decode("type: Mesh\nname: a\nmesh: null\n").ok());
}

TEST(CodecBadInputTest, EnvelopeFieldsOfTheWrongTypeAreReported) {
  EXPECT_THAT(fieldsOf("type: Mesh\nname: [a]\nlabels: {team: [x], ok: y}\n"),
              ElementsAre("name", "labels[\"team\"]"));
  EXPECT_THAT(fieldsOf("type: Mesh\nname: a\nlabels: [x]\n"), ElementsAre("labels"));
  EXPECT_THAT(fieldsOf("type: MeshTimeout\nname: a\nmesh: {x: 1}\nspec: {}\n"),
              ElementsAre("mesh"));
}

// --- Fields of the wrong shape, at their Kuma paths --------------------------------------

TEST(CodecBadInputTest, WrongFieldTypesAreReportedAtTheirPaths) {
  // A string for an integer.
  EXPECT_THAT(violations(R"(
type: Dataplane
name: dp
mesh: default
networking:
  address: 10.0.0.1
  inbound:
  - port: eighty
    tags:
      kuma.io/service: web
)"),
              ElementsAre(Pair("networking.inbound[0].port", HasSubstr("integer"))));

  // An object for a list.
  EXPECT_THAT(violations(R"(
type: MeshTimeout
name: t
mesh: default
spec:
  targetRef: {kind: Mesh}
  to: {kind: Mesh}
)"),
              ElementsAre(Pair("spec.to", HasSubstr("must be a list"))));

  // A bad enum name, with the allowed ones.
  EXPECT_THAT(violations(R"(
type: Mesh
name: m
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
    mode: LAX
)"),
              ElementsAre(Pair("mtls.backends[0].mode",
                               AllOf(HasSubstr("LAX"), HasSubstr("STRICT"), HasSubstr("PERMISSIVE")))));

  // A bad duration.
  EXPECT_THAT(violations(R"(
type: MeshTimeout
name: t
mesh: default
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: Mesh}
    default:
      connectionTimeout: 5 parsecs
      idleTimeout: 10
)"),
              ElementsAre(Pair("spec.to[0].default.connectionTimeout", HasSubstr("5 parsecs")),
                          Pair("spec.to[0].default.idleTimeout", HasSubstr("duration"))));

  // Bad base64, in a bytes field and in a BytesValue.
  EXPECT_THAT(violations("type: Secret\nname: s\nmesh: default\ndata: \"not base64!\"\n"),
              ElementsAre(Pair("data", HasSubstr("base64"))));
  ursa::system::v1alpha1::DataSource source;
  Violations bad_inline;
  decodeMessage(Json{{"inline", "%%%"}}, source, FieldPath::rootedAt("conf").field("cert"), {},
                bad_inline);
  EXPECT_THAT(bad_inline.list(),
              ElementsAre(Violation{"conf.cert.inline", "must be base64-encoded"}));
  // Good base64 decodes to the bytes.
  auto secret = decode("type: Secret\nname: s\nmesh: default\ndata: aGVsbG8=\n");
  ASSERT_TRUE(secret.ok()) << secret.status();
  EXPECT_EQ(static_cast<const ursa::system::v1alpha1::Secret&>(*secret->spec).data(), "hello");

  // A string for a boolean, an object for a string, a list for a map.
  EXPECT_THAT(fieldsOf(R"(
type: Mesh
name: m
routing:
  localityAwareLoadBalancing: "yes"
mtls:
  enabledBackend: {name: x}
constraints:
  dataplaneProxy:
    requirements:
    - tags: [a, b]
)"),
              ElementsAre("routing.localityAwareLoadBalancing", "mtls.enabledBackend",
                          "constraints.dataplaneProxy.requirements[0].tags"));
}

TEST(CodecBadInputTest, IntegersOutOfRangeAreRefused) {
  auto dp = [](const std::string& port) {
    return "type: Dataplane\nname: dp\nmesh: default\nnetworking:\n  address: 10.0.0.1\n"
           "  inbound:\n  - port: " +
           port + "\n    tags: {kuma.io/service: web}\n";
  };
  EXPECT_THAT(violations(dp("4294967296")),
              ElementsAre(Pair("networking.inbound[0].port", HasSubstr("[0, 4294967295]"))));
  EXPECT_THAT(violations(dp("-1")), ElementsAre(Pair("networking.inbound[0].port", _)));
  EXPECT_THAT(violations(dp("99999999999999999999999")),
              ElementsAre(Pair("networking.inbound[0].port", _)));
  EXPECT_THAT(violations(dp("8080.5")), ElementsAre(Pair("networking.inbound[0].port", _)));
  // The largest value, and an integral number or numeric string, are fine.
  EXPECT_TRUE(decode(dp("4294967295")).ok());
  EXPECT_TRUE(decode(dp("8080.0")).ok());
  EXPECT_TRUE(decode(dp("\"8080\"")).ok());
}

TEST(CodecBadInputTest, EveryProblemIsReportedNotOnlyTheFirst) {
  EXPECT_THAT(fieldsOf(R"(
type: Dataplane
name: dp
mesh: default
networking:
  address: 10.0.0.1
  inbound:
  - port: 1
    servicePort: x
    tags: {kuma.io/service: web}
  - port: 99999999999
    tags: {kuma.io/service: [web]}
  outbound:
  - port: 2
    tags: {kuma.io/service: db}
    extra: 1
)"),
              ElementsAre("networking.inbound[0].servicePort", "networking.inbound[1].port",
                          "networking.inbound[1].tags[\"kuma.io/service\"]",
                          "networking.outbound[0].extra"));
}

// --- Unknown fields ---------------------------------------------------------------------

TEST(CodecBadInputTest, UnknownFieldsAreNamedWithTheirFullPathUnlessAllowed) {
  constexpr std::string_view kTimeout = R"(
type: MeshTimeout
name: t
mesh: default
extra: 1
spec:
  targetRef: {kind: Mesh, nmae: x}
  to:
  - targetRef: {kind: Mesh}
    default:
      connectionTimeout: 5s
      http:
        requestTimout: 1s
)";
  auto v = violations(kTimeout);
  EXPECT_THAT(v, ElementsAre(Pair("extra", HasSubstr("under `spec`")),
                             Pair("spec.targetRef.nmae", HasSubstr("unknown field \"nmae\"")),
                             Pair("spec.to[0].default.http.requestTimout",
                                  HasSubstr("requestTimeout"))));  // the known ones are listed
  auto lenient = decode(kTimeout, {.allow_unknown_fields = true});
  ASSERT_TRUE(lenient.ok()) << lenient.status();
  Json out = encodeResource(*lenient);
  EXPECT_FALSE(out.contains("extra"));
  EXPECT_EQ(out["spec"]["to"][0]["default"]["connectionTimeout"], "5s");

  constexpr std::string_view kDataplane = R"(
type: Dataplane
name: dp
mesh: default
networking:
  address: 10.0.0.1
  inbound:
  - port: 80
    tags: {kuma.io/service: web}
    helth: {ready: true}
)";
  EXPECT_THAT(fieldsOf(kDataplane), ElementsAre("networking.inbound[0].helth"));
  EXPECT_TRUE(decode(kDataplane, {.allow_unknown_fields = true}).ok());
}

// --- Documents in a stream ---------------------------------------------------------------

TEST(CodecBadInputTest, MultiDocumentYamlSkipsEmptyDocuments) {
  auto docs = parseYamlDocuments(
      "---\n---\ntype: Mesh\nname: a\n---\n# only a comment\n---\n\n---\ntype: Mesh\nname: b\n"
      "...\n---\n");
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[0]["name"], "a");
  EXPECT_EQ((*docs)[1]["name"], "b");

  auto none = parseYamlDocuments("---\n# nothing\n---\n");
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(*none, IsEmpty());
  EXPECT_FALSE(parseYaml("---\n# nothing\n").ok());
  auto two = parseYaml("name: a\n---\nname: b\n");
  ASSERT_FALSE(two.ok());
  EXPECT_THAT(messageOf(two.status()), HasSubstr("2"));

  // An error in a later document is still an error.
  EXPECT_FALSE(parseYamlDocuments("name: a\n---\nname: [b\n").ok());
}

}  // namespace
}  // namespace ursa::model
