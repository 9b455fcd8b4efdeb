// ursa-dp's access log relay (src/dp/access_log_relay.h) with a real FIFO,
// written as Envoy's file logger writes it (open for append, whole lines per
// write, one writer), and real TCP collectors (test/support/tcp_collector.h).

#include "src/dp/access_log_relay.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <string>
#include <vector>

#include "test/support/tcp_collector.h"

namespace ursa::dp {
namespace {

using std::chrono::milliseconds;
using test::TcpCollector;
using ::testing::ElementsAre;

class AccessLogRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    char tmpl[] = "/tmp/ursa-alog-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/sub/kuma-al-web-1-default.sock";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  AccessLogRelayOptions options() {
    AccessLogRelayOptions o;
    o.path = path_;
    o.min_backoff = absl::Milliseconds(20);
    o.max_backoff = absl::Milliseconds(100);
    return o;
  }
  std::unique_ptr<AccessLogRelay> start(AccessLogRelayOptions o) {
    auto relay = AccessLogRelay::start(std::move(o));
    EXPECT_TRUE(relay.ok()) << relay.status();
    return relay.ok() ? std::move(*relay) : nullptr;
  }

  // Envoy's side: open for append (never blocking, the relay reads), write.
  void write(const std::string& bytes) {
    int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  }
  static std::string entry(const std::string& address, const std::string& message) {
    return "{\"address\":\"" + address + "\",\"message\":\"" + message + "\"}\n";
  }
  // Polls `condition` for up to five seconds.
  static bool eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 500 && !condition(); ++i) std::this_thread::sleep_for(milliseconds(10));
    return condition();
  }
  // Waits until the relay read `n` lines.
  static bool readLines(const AccessLogRelay& relay, uint64_t n) {
    return eventually([&] { return relay.stats().lines >= n; });
  }

  std::string dir_;
  std::string path_;
};

TEST_F(AccessLogRelayTest, LinesReachTheCollectorInOrderOneLineEach) {
  TcpCollector collector;
  auto relay = start(options());
  ASSERT_NE(relay, nullptr);
  struct stat st{};
  ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  std::string a = collector.address();
  std::string batch;
  for (int i = 0; i < 100; ++i) batch += entry(a, "line " + std::to_string(i));
  // A plain-format message ends with its own newline: no blank line follows.
  batch += entry(a, "plain\\n");
  // A JSON-format message is an object: sent as compact JSON.
  batch += "{\"address\":\"" + a + "\",\"message\":{\"path\":\"/x\",\"code\":\"200\"}}\n";
  // One entry split across two flushes.
  std::string last = entry(a, "split");
  write(batch + last.substr(0, 10));
  write(last.substr(10));

  ASSERT_TRUE(collector.waitForLines(103, milliseconds(5000))) << collector.data();
  auto lines = collector.lines();
  ASSERT_EQ(lines.size(), 103u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(lines[i], "line " + std::to_string(i));
  EXPECT_EQ(lines[100], "plain");
  EXPECT_EQ(lines[101], R"({"code":"200","path":"/x"})");
  EXPECT_EQ(lines[102], "split");
  EXPECT_EQ(collector.connections(), 1);
  EXPECT_TRUE(eventually([&] { return relay->stats().sent == 103u; })) << relay->stats().sent;
}

TEST_F(AccessLogRelayTest, EachAddressGetsItsOwnLines) {
  TcpCollector one, two;
  auto relay = start(options());
  ASSERT_NE(relay, nullptr);
  write(entry(one.address(), "a1") + entry(two.address(), "b1") + entry(one.address(), "a2") +
        entry(two.address(), "b2"));
  ASSERT_TRUE(one.waitForLines(2, milliseconds(5000)));
  ASSERT_TRUE(two.waitForLines(2, milliseconds(5000)));
  EXPECT_THAT(one.lines(), ElementsAre("a1", "a2"));
  EXPECT_THAT(two.lines(), ElementsAre("b1", "b2"));
  EXPECT_EQ(relay->stats().collectors, 2u);
}

TEST_F(AccessLogRelayTest, ACollectorBackUpGetsTheNewestLinesWithinTheBound) {
  TcpCollector collector;
  auto o = options();
  const std::string sample = "down 00";  // every message as long: 8 bytes sent
  o.max_buffered_bytes = 5 * (sample.size() + 1);
  auto relay = start(o);
  ASSERT_NE(relay, nullptr);
  write(entry(collector.address(), "before"));
  ASSERT_TRUE(collector.waitForLines(1, milliseconds(5000)));

  collector.down();
  std::string batch;
  for (int i = 10; i < 30; ++i) batch += entry(collector.address(), "down " + std::to_string(i));
  write(batch);
  ASSERT_TRUE(readLines(*relay, 21));
  std::this_thread::sleep_for(milliseconds(150));  // reconnect attempts fail meanwhile
  EXPECT_EQ(relay->stats().dropped, 15u);
  collector.up();

  ASSERT_TRUE(collector.waitForLines(6, milliseconds(5000))) << collector.data();
  EXPECT_THAT(collector.lines(),
              ElementsAre("before", "down 25", "down 26", "down 27", "down 28", "down 29"));
  write(entry(collector.address(), "after"));
  ASSERT_TRUE(collector.waitForLines(7, milliseconds(5000)));
  EXPECT_EQ(collector.lines().back(), "after");
  EXPECT_TRUE(eventually([&] { return relay->stats().sent == 7u; })) << relay->stats().sent;
}

TEST_F(AccessLogRelayTest, MalformedLinesAreSkippedAndLaterOnesRelayed) {
  TcpCollector collector;
  auto o = options();
  o.max_line_bytes = 200;
  auto relay = start(o);
  ASSERT_NE(relay, nullptr);
  std::string a = collector.address();
  write("not json\n" + entry(a, "first") + "[1,2]\n{\"address\":7,\"message\":\"x\"}\n" +
        "{\"address\":\"" + a + "\"}\n" + entry(a, std::string(300, 'x')) + entry(a, "last"));
  ASSERT_TRUE(collector.waitForLines(2, milliseconds(5000)));
  ASSERT_TRUE(readLines(*relay, 7));
  EXPECT_THAT(collector.lines(), ElementsAre("first", "last"));
  EXPECT_EQ(relay->stats().malformed, 5u);
  EXPECT_EQ(relay->stats().lines, 7u);
}

TEST_F(AccessLogRelayTest, EnvoyReopeningThePathKeepsTheRelayReading) {
  TcpCollector collector;
  auto relay = start(options());
  ASSERT_NE(relay, nullptr);
  for (int i = 0; i < 3; ++i) {  // each after the previous writer closed and its line arrived
    write(entry(collector.address(), "open " + std::to_string(i)));
    ASSERT_TRUE(collector.waitForLines(i + 1, milliseconds(5000))) << "line " << i;
  }
  EXPECT_THAT(collector.lines(), ElementsAre("open 0", "open 1", "open 2"));
}

TEST_F(AccessLogRelayTest, AStalledCollectorNeverBlocksTheWriter) {
  TcpCollector stalled(0, /*read=*/false);
  auto o = options();
  o.max_buffered_bytes = 64 << 10;
  auto relay = start(o);
  ASSERT_NE(relay, nullptr);
  // 32 MiB: far beyond the pipe, the socket buffers and the bound together.
  std::string line = entry(stalled.address(), std::string(1000, 'y'));
  std::string chunk;
  for (int i = 0; i < 1024; ++i) chunk += line;
  auto writer = std::async(std::launch::async, [&] {
    int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    for (int i = 0; i < 32 && fd >= 0; ++i) {
      if (::write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) break;
    }
    ::close(fd);
  });
  bool finished = writer.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  if (!finished) relay->stop();  // the reader's end closes: the writer gets EPIPE
  EXPECT_TRUE(finished) << "the writer blocked behind a stalled collector";
  ASSERT_TRUE(readLines(*relay, 32 * 1024));
  EXPECT_GT(relay->stats().dropped, 0u);
}

TEST_F(AccessLogRelayTest, AStaleFileIsReplacedAndThePathRemovedOnStop) {
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  std::ofstream(path_) << "left by a previous run\n";
  auto relay = start(options());
  ASSERT_NE(relay, nullptr);
  struct stat st{};
  ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  relay->stop();
  EXPECT_FALSE(std::filesystem::exists(path_));
  relay->stop();  // idempotent
}

TEST_F(AccessLogRelayTest, StopLeavesAPathThatIsNoLongerItsFifo) {
  auto relay = start(options());
  ASSERT_NE(relay, nullptr);
  ASSERT_EQ(::unlink(path_.c_str()), 0);
  std::ofstream(path_) << "another relay's\n";
  relay->stop();
  EXPECT_TRUE(std::filesystem::exists(path_));
}

TEST_F(AccessLogRelayTest, ADirectoryAtThePathIsAClearError) {
  std::filesystem::create_directories(path_);
  auto relay = AccessLogRelay::start(options());
  ASSERT_FALSE(relay.ok());
  EXPECT_THAT(std::string(relay.status().message()), ::testing::HasSubstr(path_));
}

}  // namespace
}  // namespace ursa::dp
