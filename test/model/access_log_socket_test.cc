// The MeshAccessLog tcp backend's path, shared by the Envoy generator and
// ursa-dp's relay: Kuma 2.2's name, and its cut for long names.

#include "ursa/model/access_log_socket.h"

#include <gtest/gtest.h>

#include <string>

namespace ursa::model {
namespace {

TEST(AccessLogSocketPathTest, NamesTheDataplaneThenTheMesh) {
  EXPECT_EQ(accessLogSocketPath("web-1", "default"), "/tmp/kuma-al-web-1-default.sock");
}

TEST(AccessLogSocketPathTest, CutsLongNamesTo98BytesBeforeTheSuffix) {
  std::string name(120, 'd');
  std::string path = accessLogSocketPath(name, "mesh");
  EXPECT_EQ(path.size(), 98u + 5u);
  EXPECT_EQ(path, "/tmp/kuma-al-" + std::string(98 - 13, 'd') + ".sock");
}

}  // namespace
}  // namespace ursa::model
