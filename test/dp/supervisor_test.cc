// The process supervisor (src/dp/supervisor.h) with real children (sh,
// sleep): exit codes as a shell reports them, the environment, signal
// forwarding, and children following each other out. Its own test binary:
// it installs process-wide signal handlers.

#include "src/dp/supervisor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>

namespace ursa::dp {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

TEST(ChildEnvironmentTest, SetsOverridesAndDefaultsOnlyWhenUnset) {
  ChildSpec spec{.argv = {"x"},
                 .env = {{"GRPC_XDS_BOOTSTRAP", "/w/bootstrap.json"}},
                 .env_defaults = {{"GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "1000"},
                                  {"KEEP", "theirs"}}};
  auto env = childEnvironment({"PATH=/bin", "KEEP=mine", "GRPC_XDS_BOOTSTRAP=/old"}, spec);
  EXPECT_THAT(env, Contains("PATH=/bin"));
  EXPECT_THAT(env, Contains("KEEP=mine"));
  EXPECT_THAT(env, Contains("GRPC_XDS_BOOTSTRAP=/w/bootstrap.json"));
  EXPECT_THAT(env, Contains("GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS=1000"));
  EXPECT_EQ(env.size(), 4u);
}

TEST(OnPathTest, FindsProgramsOnPath) {
  EXPECT_TRUE(onPath("sh"));
  EXPECT_TRUE(onPath("/bin/sh"));
  EXPECT_FALSE(onPath("ursa-no-such-program"));
  EXPECT_FALSE(onPath("/nonexistent/envoy"));
}

int runToEnd(std::vector<std::string> argv, std::map<std::string, std::string> env = {}) {
  Supervisor s;
  auto pid = s.spawn({.argv = std::move(argv), .env = std::move(env)});
  EXPECT_TRUE(pid.ok()) << pid.status();
  return pid.ok() ? s.run(*pid) : -1;
}

TEST(SupervisorTest, ExitsWithTheChildsExitCode) {
  EXPECT_EQ(runToEnd({"true"}), 0);
  EXPECT_EQ(runToEnd({"sh", "-c", "exit 3"}), 3);
}

TEST(SupervisorTest, ADeathBySignalIs128PlusTheSignal) {
  EXPECT_EQ(runToEnd({"sh", "-c", "kill -KILL $$"}), 128 + SIGKILL);
  EXPECT_EQ(runToEnd({"sh", "-c", "kill -TERM $$"}), 128 + SIGTERM);
}

TEST(SupervisorTest, TheChildGetsTheEnvironment) {
  setenv("URSA_TEST_KEEP", "mine", 1);
  Supervisor s;
  auto pid = s.spawn({.argv = {"sh", "-c",
                               "test \"$GRPC_XDS_BOOTSTRAP\" = /w/b.json && "
                               "test \"$URSA_TEST_KEEP\" = mine && test \"$URSA_TEST_NEW\" = 1"},
                      .env = {{"GRPC_XDS_BOOTSTRAP", "/w/b.json"}},
                      .env_defaults = {{"URSA_TEST_KEEP", "theirs"}, {"URSA_TEST_NEW", "1"}}});
  ASSERT_TRUE(pid.ok());
  EXPECT_EQ(s.run(*pid), 0);
  unsetenv("URSA_TEST_KEEP");
}

TEST(SupervisorTest, AMissingProgramIsAClearError) {
  Supervisor s;
  auto pid = s.spawn({.argv = {"ursa-no-such-program", "--flag"}, .name = "application"});
  EXPECT_TRUE(absl::IsNotFound(pid.status()));
  EXPECT_THAT(std::string(pid.status().message()),
              HasSubstr("cannot start application (ursa-no-such-program)"));
  EXPECT_TRUE(absl::IsInvalidArgument(s.spawn({}).status()));
}

// A script's background job starts with SIGINT ignored; the application must
// not inherit that.
TEST(SupervisorTest, ChildrenStartWithDefaultSignalDispositions) {
  struct sigaction ignore {}, previous {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &previous);
  Supervisor s;
  auto pid = s.spawn({.argv = {"sleep", "30"}});
  sigaction(SIGINT, &previous, nullptr);
  ASSERT_TRUE(pid.ok());
  kill(*pid, SIGINT);
  EXPECT_EQ(s.run(*pid), 128 + SIGINT);
}

class ForwardingTest : public ::testing::TestWithParam<int> {};

TEST_P(ForwardingTest, ForwardsTheSignalAndReportsTheChildsDeath) {
  Supervisor s;
  auto forwarder = SignalForwarder::install([&](int sig) { s.signalAll(sig); });
  ASSERT_TRUE(forwarder.ok()) << forwarder.status();
  auto pid = s.spawn({.argv = {"sleep", "30"}});
  ASSERT_TRUE(pid.ok());
  absl::Time start = absl::Now();
  kill(getpid(), GetParam());  // to ursa-dp (this process), not to the child
  EXPECT_EQ(s.run(*pid), 128 + GetParam());
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ((*forwarder)->lastSignal(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Signals, ForwardingTest, ::testing::Values(SIGINT, SIGTERM, SIGHUP));

TEST(SupervisorTest, AChildThatHandlesTheSignalChoosesItsExitCode) {
  Supervisor s;
  auto forwarder = SignalForwarder::install([&](int sig) { s.signalAll(sig); });
  ASSERT_TRUE(forwarder.ok());
  auto pid = s.spawn({.argv = {"sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.05; done"}});
  ASSERT_TRUE(pid.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the trap is set
  kill(getpid(), SIGTERM);
  EXPECT_EQ(s.run(*pid, absl::Seconds(2)), 0);
}

TEST(SupervisorTest, OnlyOneForwarderAtATime) {
  auto first = SignalForwarder::install([](int) {});
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(SignalForwarder::install([](int) {}).ok());
  first->reset();
  EXPECT_TRUE(SignalForwarder::install([](int) {}).ok());
}

TEST(SupervisorTest, WhenTheMainChildEndsTheOthersAreStopped) {
  Supervisor s;
  auto main = s.spawn({.argv = {"sh", "-c", "sleep 0.2; exit 7"}});
  auto other = s.spawn({.argv = {"sleep", "30"}, .name = "envoy"});
  ASSERT_TRUE(main.ok() && other.ok());
  absl::Time start = absl::Now();
  EXPECT_EQ(s.run(*main), 7);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(kill(*other, 0), -1);  // reaped
}

TEST(SupervisorTest, WhenAnotherChildEndsTheMainOneIsStopped) {
  Supervisor s;
  auto main = s.spawn({.argv = {"sleep", "30"}});
  auto other = s.spawn({.argv = {"sh", "-c", "exit 1"}, .name = "envoy"});
  ASSERT_TRUE(main.ok() && other.ok());
  EXPECT_EQ(s.run(*main), 128 + SIGTERM);
}

TEST(SupervisorTest, ChildrenIgnoringSigtermAreKilledAfterTheGrace) {
  Supervisor s;
  auto main = s.spawn({.argv = {"true"}});
  auto stubborn = s.spawn({.argv = {"sh", "-c", "trap '' TERM; sleep 3"}});
  ASSERT_TRUE(main.ok() && stubborn.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  absl::Time start = absl::Now();
  EXPECT_EQ(s.run(*main, absl::Milliseconds(300)), 0);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

}  // namespace
}  // namespace ursa::dp
