#include "src/http/client_hello.h"

#include <cstdint>

namespace ursa::http {
namespace {

// A cursor over untrusted bytes: every read is bounds-checked.
class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool has(size_t n) const { return pos_ + n <= b_.size(); }
  uint32_t u(size_t n) {
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(b_[pos_ + i]);
    pos_ += n;
    return v;
  }
  std::string_view take(size_t n) {
    auto s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  bool skip(size_t n) {
    if (!has(n)) return false;
    pos_ += n;
    return true;
  }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

std::vector<std::string> parseAlpn(std::string_view ext) {
  std::vector<std::string> out;
  Reader r(ext);
  if (!r.has(2)) return out;
  size_t list = r.u(2);
  if (!r.has(list)) return out;
  Reader l(r.take(list));
  while (l.has(1)) {
    size_t n = l.u(1);
    if (!l.has(n)) break;
    out.emplace_back(l.take(n));
  }
  return out;
}

}  // namespace

ClientHello parseClientHello(std::string_view bytes) {
  ClientHello hello;
  Reader rec(bytes);
  if (!rec.has(5)) return hello;                      // NeedMore
  if (rec.u(1) != 0x16) return {HelloStatus::NotTls, {}};  // handshake record
  rec.u(2);                                           // legacy version
  size_t len = rec.u(2);
  if (!rec.has(len)) return hello;
  Reader h(rec.take(len));
  if (!h.has(4) || h.u(1) != 0x01) return {HelloStatus::NotTls, {}};  // ClientHello
  size_t body = h.u(3);
  // A ClientHello longer than one record is rare; treat what we have as all.
  Reader c(h.take(std::min(body, len - 4)));
  hello.status = HelloStatus::Complete;
  if (!c.skip(2 + 32)) return hello;                  // version, random
  if (!c.has(1) || !c.skip(c.u(1))) return hello;     // session id
  if (!c.has(2) || !c.skip(c.u(2))) return hello;     // cipher suites
  if (!c.has(1) || !c.skip(c.u(1))) return hello;     // compression methods
  if (!c.has(2)) return hello;
  size_t ext_len = c.u(2);
  if (!c.has(ext_len)) return hello;
  Reader e(c.take(ext_len));
  while (e.has(4)) {
    uint32_t type = e.u(2);
    size_t n = e.u(2);
    if (!e.has(n)) break;
    std::string_view data = e.take(n);
    if (type == 0x0010) hello.alpn = parseAlpn(data);
  }
  return hello;
}

}  // namespace ursa::http
