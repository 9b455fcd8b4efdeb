// MeshTimeout confs -> timeout values (Kuma 2.2's meshtimeout plugin); the
// profiles place them (docs/policies.md).

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate {

using ursa::policies::meshtimeout::v1alpha1::MeshTimeout;

absl::Duration toAbsl(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

void setDuration(google::protobuf::Duration* out, absl::Duration d) {
  int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
}

void pack(const google::protobuf::Message& m, google::protobuf::Any* out) {
  out->set_type_url(strCat("type.googleapis.com/", m.GetDescriptor()->full_name()));
  std::string* bytes = out->mutable_value();
  bytes->clear();
  google::protobuf::io::StringOutputStream stream(bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  coded.Trim();
}

TimeoutConf timeoutConfOf(const MeshTimeout::Conf* conf) {
  TimeoutConf t;
  if (conf == nullptr) return t;
  if (conf->has_connection_timeout()) t.connect = toAbsl(conf->connection_timeout());
  if (conf->has_idle_timeout()) t.idle = toAbsl(conf->idle_timeout());
  const auto& http = conf->http();
  if (http.has_request_timeout()) t.request = toAbsl(http.request_timeout());
  if (http.has_stream_idle_timeout()) t.stream_idle = toAbsl(http.stream_idle_timeout());
  if (http.has_max_stream_duration()) t.max_stream = toAbsl(http.max_stream_duration());
  if (http.has_max_connection_duration()) {
    t.max_connection = toAbsl(http.max_connection_duration());
  }
  return t;
}

TimeoutConf withKumaDefaults(TimeoutConf conf) {
  if (!conf.connect) conf.connect = absl::Seconds(5);
  if (!conf.idle) conf.idle = absl::Hours(1);
  if (!conf.request) conf.request = absl::Seconds(15);
  if (!conf.stream_idle) conf.stream_idle = absl::Minutes(30);
  if (!conf.max_stream) conf.max_stream = absl::ZeroDuration();
  if (!conf.max_connection) conf.max_connection = absl::ZeroDuration();
  return conf;
}

std::optional<absl::Duration> grpcTimeout(absl::Duration d, bool exact_timeouts,
                                          const std::string& what, const Warn& warn) {
  if (exact_timeouts || d == absl::ZeroDuration()) return d;
  constexpr absl::Duration kHeadroom = absl::Seconds(2);
  if (d < kHeadroom) {
    warn(strCat(what, " ", absl::FormatDuration(d),
                " dropped: gRPC C++ 1.51 fires xDS timeouts 1-2 s early (grpc/grpc#34547)"));
    return std::nullopt;
  }
  warn(strCat(what, " ", absl::FormatDuration(d), " sent as ", absl::FormatDuration(d + kHeadroom),
              ": gRPC C++ 1.51 fires xDS timeouts 1-2 s early (grpc/grpc#34547)"));
  return d + kHeadroom;
}

}  // namespace ursa::xds::gen::translate
