#include "ursa/common/logging.h"

#include <mutex>

#include "nlohmann/json.hpp"
#include "spdlog/pattern_formatter.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "ursa/common/strings.h"

namespace ursa {
namespace {

// %*: the message as a JSON string (quoted and escaped).
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string text(msg.payload.data(), msg.payload.size());
    std::string quoted = nlohmann::json(text).dump(-1, ' ', false,
                                                   nlohmann::json::error_handler_t::replace);
    dest.append(quoted.data(), quoted.data() + quoted.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

std::mutex g_mu;
LogFormat g_format = LogFormat::Text;
spdlog::level::level_enum g_level = spdlog::level::info;

std::unique_ptr<spdlog::formatter> makeFormatter() {
  auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (g_format == LogFormat::Json) {
    f->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","msg":%*})");
  } else {
    f->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-5l %n: %v");
  }
  return f;
}

void configure(spdlog::logger& l) {
  l.set_level(g_level);
  l.set_formatter(makeFormatter());
}

}  // namespace

absl::Status setupLogging(std::string_view level, LogFormat format) {
  auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError(strCat("unknown log level \"", level, "\""));
  }
  std::lock_guard lock(g_mu);
  g_format = format;
  g_level = parsed;
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { configure(*l); });
  return absl::OkStatus();
}

std::shared_ptr<spdlog::logger> logger(std::string_view name) {
  std::lock_guard lock(g_mu);
  std::string n(name);
  if (auto existing = spdlog::get(n)) return existing;
  auto l = std::make_shared<spdlog::logger>(n, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  configure(*l);
  spdlog::register_logger(l);
  return l;
}

}  // namespace ursa
