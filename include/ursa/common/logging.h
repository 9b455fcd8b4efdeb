#pragma once

// Structured logging on spdlog. Every component logs through a named logger
// (`ursa::logger("store")`); the process configures level and format once.
//
// Text format:  2026-11-26T08:00:00.123Z info  store: opened sqlite /var/lib/ursa/ursa.db
// JSON format:  {"ts":"2026-11-26T08:00:00.123Z","level":"info","logger":"store","msg":"..."}

#include <memory>
#include <string_view>

#include "spdlog/spdlog.h"
#include "ursa/common/status.h"

namespace ursa {

enum class LogFormat { Text, Json };

// Configures every logger, present and future. `level`: debug|info|warn|error.
absl::Status setupLogging(std::string_view level, LogFormat format);

// The logger named `name`, created on first use (thread-safe).
std::shared_ptr<spdlog::logger> logger(std::string_view name);

}  // namespace ursa
