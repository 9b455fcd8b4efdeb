#pragma once

// A test suite with an ursa-cp of its own (memory store) in a scratch
// directory, for tests that run ursa-dp alone, without the demo's
// applications: `dir_` and `cp_`, set for the whole suite. Tests skip when
// URSA_BINARY_DIR is not set (run them through ctest).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "test/e2e/mesh_harness.h"

namespace ursa::e2e {

class ControlPlaneSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/ursa-dp-e2e-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = new std::filesystem::path(tmpl);
    cp_ = new ControlPlane(*dir_ / "cp");
  }
  static void TearDownTestSuite() {
    delete cp_;
    cp_ = nullptr;
    std::filesystem::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (binDir().empty()) GTEST_SKIP() << "URSA_BINARY_DIR is not set (run through ctest)";
    ASSERT_TRUE(cp_->error().empty()) << cp_->error();
  }

  static inline std::filesystem::path* dir_ = nullptr;
  static inline ControlPlane* cp_ = nullptr;
};

}  // namespace ursa::e2e
