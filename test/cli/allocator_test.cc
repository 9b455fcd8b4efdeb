// The long-running programs allocate with the allocator the build chose
// (URSA_MALLOC, cmake/UrsaDependencies.cmake): with jemalloc, ursa-cp and
// ursa-xds-load print jemalloc's statistics at exit when MALLOC_CONF asks
// for them; glibc's malloc ignores MALLOC_CONF.

#include <gtest/gtest.h>

#include <string>

#include "test/cli/process.h"
#include "test/support/processes.h"

namespace ursa {
namespace {

bool printsJemallocStats(const std::string& binary) {
  test::ProcessResult r = test::runProcess({test::binDir() + "/" + binary, "--help"},
                                           {{"MALLOC_CONF", "stats_print:true"}});
  EXPECT_EQ(r.exit_code, 0) << binary << ": " << r.err;
  return (r.out + r.err).find("jemalloc statistics") != std::string::npos;
}

TEST(AllocatorTest, LongRunningProgramsUseTheConfiguredAllocator) {
  if (test::binDir().empty()) GTEST_SKIP() << "URSA_BINARY_DIR is not set (run through ctest)";
  const bool jemalloc = std::string(URSA_MALLOC) == "jemalloc";
  for (const char* binary : {"ursa-cp", "ursa-xds-load"}) {
    EXPECT_EQ(printsJemallocStats(binary), jemalloc) << binary << " (URSA_MALLOC=" << URSA_MALLOC << ")";
  }
}

}  // namespace
}  // namespace ursa
