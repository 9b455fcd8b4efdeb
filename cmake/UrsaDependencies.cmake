# Every third-party dependency, found once. All come from Debian 12 packages
# installed by scripts/install-deps.sh.

find_package(Threads REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CURL REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(Boost 1.81 EXACT REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)

# The allocator of the long-running, many-threaded programs (ursa-cp and the
# load simulator): jemalloc, or glibc's malloc with URSA_MALLOC=system. With
# jemalloc a mesh-wide push costs the control plane about a third less CPU
# (docs/benchmarks.md, "Allocator").
set(URSA_MALLOC "jemalloc" CACHE STRING "Allocator of ursa-cp and ursa-xds-load: jemalloc or system")
set_property(CACHE URSA_MALLOC PROPERTY STRINGS jemalloc system)
if(URSA_MALLOC STREQUAL "jemalloc")
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
  add_library(ursa_malloc INTERFACE)
  target_link_libraries(ursa_malloc INTERFACE PkgConfig::JEMALLOC)
elseif(URSA_MALLOC STREQUAL "system")
  add_library(ursa_malloc INTERFACE)
else()
  message(FATAL_ERROR "URSA_MALLOC must be jemalloc or system, not '${URSA_MALLOC}'")
endif()

if(URSA_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(URSA_BUILD_BENCHMARKS)
  find_package(benchmark CONFIG REQUIRED)
endif()
