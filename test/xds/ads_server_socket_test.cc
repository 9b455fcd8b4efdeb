// Connections handed to the ADS server from elsewhere (the data plane
// server's shared TLS port) get TCP_NODELAY, as gRPC gives the ones it
// accepts itself: without it Nagle's algorithm held the tail of every push
// until the proxy's delayed ACK, adding ~40 ms to xds_delivery (found by
// ursa-xds-load).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/xds/server/ads_server.h"

namespace ursa::xds {
namespace {

class NoCallbacks : public StreamCallbacks {
 public:
  absl::Status onStreamOpen(const StreamInfo&) override { return absl::OkStatus(); }
  void onStreamClosed(const StreamInfo&) override {}
  void onRequest(const StreamInfo&, TypeIndex, RequestKind, std::string_view, std::string_view,
                 std::optional<absl::Duration>) override {}
  void onResponse(const StreamInfo&, TypeIndex, std::string_view, size_t, size_t) override {}
};

// A connected loopback TCP pair: {client, accepted}.
std::pair<int, int> tcpPair() {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  listen(listener, 1);
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  int client = socket(AF_INET, SOCK_STREAM, 0);
  connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int accepted = accept(listener, nullptr, nullptr);
  close(listener);
  return {client, accepted};
}

int noDelay(int fd) {
  int value = -1;
  socklen_t len = sizeof value;
  getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &len);
  return value;
}

TEST(AdsServerSocketTest, ExternalConnectionsGetTcpNoDelay) {
  SnapshotCache cache;
  NoCallbacks callbacks;
  auto server = AdsServer::start({.address = "127.0.0.1", .external_connections_only = true},
                                 cache, callbacks);
  ASSERT_TRUE(server.ok()) << server.status();
  auto [client, accepted] = tcpPair();
  ASSERT_GE(accepted, 0);
  ASSERT_EQ(noDelay(accepted), 0) << "a plainly accepted socket starts with Nagle on";
  (*server)->handleConnection(accepted, "");  // the server owns `accepted` now
  EXPECT_NE(noDelay(accepted), 0);
  close(client);
  (*server)->stop();
}

}  // namespace
}  // namespace ursa::xds
