// The protoc-gen-validate checker: every rule kind catches a violation and
// passes a valid value. The rules live in pgvtest.proto; its messages are
// filled from text format.

#include "src/xds/validate/pgv_checker.h"

#include <gtest/gtest.h>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "google/protobuf/text_format.h"
#include "pgvtest.pb.h"

namespace ursa::xds::validate {
namespace {

class PgvCheckerTest : public ::testing::Test {
 protected:
  // A pgvtest message from text format.
  static std::unique_ptr<google::protobuf::Message> make(const std::string& type,
                                                         const std::string& text) {
    const auto* desc = google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
        "pgvtest." + type);
    EXPECT_NE(desc, nullptr) << type;
    std::unique_ptr<google::protobuf::Message> m(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(desc)->New());
    // Merge, not Parse: a later value of a singular field overrides an earlier one.
    EXPECT_TRUE(google::protobuf::TextFormat::MergeFromString(text, m.get())) << text;
    return m;
  }

  // The fields with violations in `type` filled with `text`.
  static std::set<std::string> broken(const std::string& type, const std::string& text) {
    std::set<std::string> fields;
    for (const auto& v : check(*make(type, text))) fields.insert(v.field);
    return fields;
  }

  // Links pgvtest's generated code (and so its descriptors).
  const pgvtest::Strings& linked_ = pgvtest::Strings::default_instance();
};

using Fields = std::set<std::string>;

constexpr char kValidStrings[] = R"(
  min_len: "ab" max_len: "abc" min_bytes: "abc" prefix: "spiffe://default/web"
  hostname: "backend.mesh" address: "10.0.0.1" pattern: "abc" header: "x-kuma-tags"
  in: "a" loose_header: "any value" const: "x" not_in: "good" ipv4: "127.0.0.1"
  uuid: "123e4567-e89b-12d3-a456-426614174000" uri: "spiffe://default/web")";

TEST_F(PgvCheckerTest, StringRules) {
  EXPECT_EQ(broken("Strings", kValidStrings), Fields{});
  EXPECT_EQ(broken("Strings", R"(
    min_len: "a" max_len: "abcd" min_bytes: "ab" prefix: "kuma://x" hostname: "-bad-.mesh"
    address: "not an address" pattern: "ABC" header: "bad header" in: "c" ignore_empty: ""
    loose_header: "line\nbreak" const: "y" not_in: "bad" ipv4: "::1" uuid: "nope" uri: "relative/path")"),
            (Fields{"min_len", "max_len", "min_bytes", "prefix", "hostname", "address", "pattern",
                    "header", "in", "loose_header", "const", "not_in", "ipv4", "uuid", "uri"}));
  // Characters, not bytes: "é" is one character, two bytes.
  EXPECT_EQ(broken("Strings", std::string(kValidStrings) + R"( max_len: "éé" min_bytes: "é")"),
            Fields{"min_bytes"});
  // ignore_empty skips an empty value only.
  EXPECT_EQ(broken("Strings", std::string(kValidStrings) + R"( ignore_empty: "ab")"),
            Fields{"ignore_empty"});
}

TEST_F(PgvCheckerTest, NumberRules) {
  const std::string valid =
      "lte: 65535 const: 5 gt: 1 range: 10 outside: 2 in: 1 not_in: 4 flag: true";
  EXPECT_EQ(broken("Numbers", valid), Fields{});
  EXPECT_EQ(broken("Numbers", "lte: 65536 const: 4 gt: 0 range: 20 outside: 0.5 in: 3 not_in: 3"),
            (Fields{"lte", "const", "gt", "range", "outside", "in", "not_in", "flag"}));
  EXPECT_EQ(broken("Numbers", valid + " outside: -1"), Fields{});  // lt < gt: outside [lt, gt]
  // Wrappers: rules apply to the wrapped value when the wrapper is set.
  EXPECT_EQ(broken("Numbers", valid + " wrapped {}"), Fields{"wrapped"});
  EXPECT_EQ(broken("Numbers", valid + " wrapped { value: 1 }"), Fields{});
  // ignore_empty, and proto3 optional fields checked only when present.
  EXPECT_EQ(broken("Numbers", valid + " ignore_empty: 4 presence: 0"),
            (Fields{"ignore_empty", "presence"}));
  EXPECT_EQ(broken("Numbers", valid + " ignore_empty: 5 presence: 1"), Fields{});
}

TEST_F(PgvCheckerTest, EnumRules) {
  EXPECT_EQ(broken("Enums", "defined: GREEN not_in: GREEN in: RED"), Fields{});
  EXPECT_EQ(broken("Enums", "defined: 7 not_in: BLUE in: BLUE"),
            (Fields{"defined", "not_in", "in"}));
}

TEST_F(PgvCheckerTest, MessageRules) {
  EXPECT_EQ(broken("Messages", "required { name: \"a\" } nested { name: \"b\" }"), Fields{});
  EXPECT_EQ(broken("Messages", "skipped {} nested {}"), (Fields{"required", "nested.name"}));
}

TEST_F(PgvCheckerTest, RepeatedRules) {
  EXPECT_EQ(broken("Repeated", R"(min: "a" max: "a" unique: "a" unique: "b" items: "x"
                                  messages { name: "a" } skipped {} colors: BLUE)"),
            Fields{});
  EXPECT_EQ(broken("Repeated", R"(max: "a" max: "b" unique: "a" unique: "a" items: "x" items: ""
                                  messages { name: "a" } messages {} colors: 9)"),
            (Fields{"min", "max", "unique[1]", "items[1]", "messages[1].name", "colors[0]"}));
}

TEST_F(PgvCheckerTest, MapRules) {
  EXPECT_EQ(broken("Maps", R"(min { key: "a" value: "b" } keys { key: "ab" value: "" }
                              values { key: "a" value: 1 } messages { key: "a" value { name: "n" } })"),
            Fields{});
  EXPECT_EQ(broken("Maps", R"(keys { key: "a" value: "" } values { key: "z" value: 0 }
                              messages { key: "m" value {} } max { key: "a" value: "" } max { key: "b" value: "" })"),
            (Fields{"min", "keys[\"a\"] (key)", "values[\"z\"]", "messages[\"m\"].name", "max"}));
}

TEST_F(PgvCheckerTest, DurationAndTimestampRules) {
  EXPECT_EQ(broken("Durations",
                   "required {} gt { nanos: 1 } range { seconds: 10 } lt { seconds: 4 } "
                   "const { seconds: 3 } ts { seconds: 101 }"),
            Fields{});
  EXPECT_EQ(broken("Durations",
                   "gt {} range { seconds: 11 } lt { seconds: 5 } const { seconds: 4 } "
                   "ts { seconds: 100 }"),
            (Fields{"required", "gt", "range", "lt", "const", "ts"}));
  EXPECT_EQ(broken("Durations", "required {} gt { seconds: -1 }"), Fields{"gt"});
}

TEST_F(PgvCheckerTest, AnyRulesAndUnpacking) {
  EXPECT_EQ(
      broken("Anys", R"(required { [type.googleapis.com/google.protobuf.Duration] { seconds: 1 } }
                              in { [type.googleapis.com/google.protobuf.Duration] {} })"),
      Fields{});
  EXPECT_EQ(broken("Anys", R"(in { [type.googleapis.com/google.protobuf.Timestamp] {} }
                              not_in { [type.googleapis.com/google.protobuf.Empty] {} })"),
            (Fields{"required", "in", "not_in"}));
  // Anys are unpacked and checked; unknown types are violations.
  auto m = make("Anys", R"(required { [type.googleapis.com/google.protobuf.Duration] {} })");
  envoy::extensions::filters::network::tcp_proxy::v3::TcpProxy tcp;
  tcp.set_cluster("backend");  // and no stat_prefix, which is required
  auto* nested = static_cast<pgvtest::Anys&>(*m).mutable_nested();
  nested->PackFrom(tcp);
  auto violations = check(*m);
  ASSERT_EQ(violations.size(), 1u) << format(violations);
  EXPECT_EQ(violations[0].field,
            "nested.(envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy).stat_prefix");
  nested->set_type_url("type.googleapis.com/no.such.Type");
  violations = check(*m);
  ASSERT_EQ(violations.size(), 1u) << format(violations);
  EXPECT_EQ(violations[0].field, "nested");
}

TEST_F(PgvCheckerTest, BytesRules) {
  EXPECT_EQ(broken("Bytes", R"(min: "ab" prefix: "abc" ipv4: "\177\000\000\001")"), Fields{});
  EXPECT_EQ(broken("Bytes", R"(min: "a" prefix: "ba" ipv4: "\001")"),
            (Fields{"min", "prefix", "ipv4"}));
}

TEST_F(PgvCheckerTest, OneofRules) {
  EXPECT_EQ(broken("Oneofs", R"(a: "ab" c: "")"), Fields{});
  EXPECT_EQ(broken("Oneofs", R"(b { name: "x" })"), Fields{});
  EXPECT_EQ(broken("Oneofs", ""), Fields{"choice"});
  // Only the member that is set is checked.
  EXPECT_EQ(broken("Oneofs", R"(a: "a" d: "abc")"), (Fields{"a", "d"}));
  EXPECT_EQ(broken("Oneofs", R"(b {})"), Fields{"b.name"});
}

TEST_F(PgvCheckerTest, DisabledMessagesAreSkipped) { EXPECT_EQ(broken("Disabled", ""), Fields{}); }

// The rules of real Envoy resources, through Anys and wrappers.
TEST(PgvEnvoyTest, EnvoyResources) {
  envoy::config::cluster::v3::Cluster cluster;
  cluster.set_name("backend");
  cluster.mutable_connect_timeout()->set_seconds(5);
  EXPECT_TRUE(check(cluster).empty()) << format(check(cluster));
  cluster.set_name("");
  cluster.mutable_connect_timeout()->set_seconds(-1);
  cluster.GetReflection()->SetEnumValue(&cluster, cluster.GetDescriptor()->FindFieldByName("type"),
                                        42);
  std::set<std::string> fields;
  for (const auto& v : check(cluster)) fields.insert(v.field);
  EXPECT_EQ(fields, (Fields{"connect_timeout", "name", "type"})) << format(check(cluster));

  envoy::config::listener::v3::Listener listener;
  listener.set_name("l");
  auto* sa = listener.mutable_address()->mutable_socket_address();
  sa->set_address("10.0.0.1");
  sa->set_port_value(70000);
  auto* filter = listener.add_filter_chains()->add_filters();
  filter->set_name("envoy.filters.network.tcp_proxy");
  filter->mutable_typed_config()->PackFrom(
      envoy::extensions::filters::network::tcp_proxy::v3::TcpProxy());
  fields.clear();
  for (const auto& v : check(listener)) fields.insert(v.field);
  EXPECT_EQ(fields,
            (Fields{
                "address.socket_address.port_value",
                "filter_chains[0].filters[0].typed_config.(envoy.extensions.filters.network."
                "tcp_proxy.v3.TcpProxy).cluster_specifier",
                "filter_chains[0].filters[0].typed_config.(envoy.extensions.filters.network."
                "tcp_proxy.v3.TcpProxy).stat_prefix",
            }))
      << format(check(listener));
}

TEST(PgvEnvoyTest, CheckSerializedRejectsUnknownTypesAndBadBytes) {
  EXPECT_EQ(checkSerialized("type.googleapis.com/no.such.Type", "").size(), 1u);
  EXPECT_EQ(
      checkSerialized("type.googleapis.com/envoy.config.cluster.v3.Cluster", "\xff\xff").size(),
      1u);
  envoy::config::cluster::v3::Cluster cluster;
  cluster.set_name("c");
  EXPECT_TRUE(checkSerialized("type.googleapis.com/envoy.config.cluster.v3.Cluster",
                              cluster.SerializeAsString())
                  .empty());
}

}  // namespace
}  // namespace ursa::xds::validate
