#pragma once

// Where Kuma's conformance data lives: ../shared/conformance/kuma-2.2 beside
// the checkout, or $URSA_CONFORMANCE_DIR. A user's clone has no ../shared;
// tests that need the data then skip with conformanceMissingReason().

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace ursa::test {

inline std::optional<std::filesystem::path> conformanceDir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("URSA_CONFORMANCE_DIR")) {
    if (fs::is_directory(env)) return fs::path(env);
  }
  const char* src = std::getenv("URSA_SOURCE_DIR");
  fs::path base = src ? fs::path(src) : fs::current_path();
  fs::path dir = base / ".." / "shared" / "conformance" / "kuma-2.2";
  if (fs::is_directory(dir)) return fs::canonical(dir);
  return std::nullopt;
}

inline std::string conformanceMissingReason() {
  return "Kuma 2.2 conformance data not found: expected ../shared/conformance/kuma-2.2 beside "
         "the checkout, or a directory in $URSA_CONFORMANCE_DIR";
}

}  // namespace ursa::test
