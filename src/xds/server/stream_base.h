#pragma once

// What the SotW and delta ADS streams share: the stream's identity from the
// first request (node id, metadata, peer), authentication through
// StreamCallbacks, the snapshot watch, a write queue with one write in flight,
// and finishing exactly once (after any write in flight completes).
//
// Derived classes implement handle() for each request and due() to queue the
// responses a new snapshot or request makes due. Both run with mu_ held.
// The reactor deletes itself in OnDone().
//
// The stream is raw: it reads ByteBuffers and parses each request itself (a
// request that does not parse ends the stream with INVALID_ARGUMENT), and
// writes responses already encoded on the wire (wire.h), so a response's
// resources are never copied into a message and serialized again.

#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/codegen/proto_utils.h"  // SerializationTraits of protobuf messages
#include "src/xds/cache/snapshot_cache.h"
#include "src/xds/server/stream_callbacks.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"

namespace ursa::xds {

// "<mesh>.<name>", split at the first dot. InvalidArgument when the id is
// empty, has no dot or has an empty name.
absl::Status checkNodeId(std::string_view id);

template <typename Req>
class StreamBase : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamBase(grpc::CallbackServerContext* context, uint64_t id, bool delta, SnapshotCache& cache,
             StreamCallbacks& callbacks)
      : cache_(cache), callbacks_(callbacks) {
    info_.id = id;
    info_.delta = delta;
    info_.peer = context->peer();
    for (const auto& [k, v] : context->client_metadata()) {
      info_.metadata.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
    }
  }

  // Starts reading. Call once, after construction (reactions may begin at
  // once, on another thread, and reach the derived class).
  void start() { this->StartRead(&read_buffer_); }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the proxy closed its side, or the stream broke
      finish(absl::OkStatus());
      return;
    }
    request_.Clear();
    if (!grpc::SerializationTraits<Req>::Deserialize(&read_buffer_, &request_).ok()) {
      finish(absl::InvalidArgumentError(
          strCat("malformed request: not a ", Req::descriptor()->full_name())));
      return;
    }
    if (absl::Status s = process(request_); !s.ok()) {
      finish(s);
      return;
    }
    pumpWrites();
    this->StartRead(&read_buffer_);
  }

  void OnWriteDone(bool ok) override {
    std::optional<absl::Status> deferred;
    {
      std::lock_guard lock(mu_);
      writing_ = false;
      if (!queue_.empty()) queue_.pop_front();
      if (finished_ && !finish_sent_) {
        finish_sent_ = true;
        deferred = finish_status_;
      }
    }
    if (deferred) return this->Finish(toGrpc(*deferred));
    if (!ok) return finish(absl::UnavailableError("write failed"));
    pumpWrites();
  }

  void OnDone() override {
    watch_.reset();  // no snapshot callback runs after this returns
    bool opened;
    {
      std::lock_guard lock(mu_);
      opened = opened_;
    }
    if (opened) callbacks_.onStreamClosed(info_);
    delete this;
  }

 protected:
  // REQUIRES: mu_ held. Handles one request of `type` (the node is known).
  virtual absl::Status handle(const Req& req, TypeIndex type) = 0;
  // REQUIRES: mu_ held. Queues (enqueue()) the responses now due.
  virtual void due() = 0;

  // REQUIRES: mu_ held. `res` is an encoded response (wire.h).
  void enqueue(grpc::ByteBuffer res) { queue_.push_back(std::move(res)); }
  std::string nextNonce() { return std::to_string(++nonce_); }
  const SnapshotConstSharedPtr& snapshot() const { return snapshot_; }
  StreamCallbacks& callbacks() { return callbacks_; }
  const StreamInfo& info() const { return info_; }

  std::mutex mu_;

 private:
  static grpc::Status toGrpc(const absl::Status& s) {
    return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                        std::string(fromAbsl(s.message())));
  }

  absl::Status process(const Req& req) {
    std::optional<TypeIndex> type = typeIndexOf(req.type_url());
    if (!type) {
      return absl::InvalidArgumentError(strCat("unknown type URL \"", req.type_url(), "\""));
    }
    bool first;
    {
      std::lock_guard lock(mu_);
      first = !opened_;
      if (first) {
        if (!req.has_node()) {
          return absl::InvalidArgumentError("the first request must carry a node");
        }
        URSA_RETURN_IF_ERROR(checkNodeId(req.node().id()));
        info_.node_id = req.node().id();  // written once, before opened_
        info_.node = req.node();
      }
    }
    if (first) URSA_RETURN_IF_ERROR(open());
    std::lock_guard lock(mu_);
    URSA_RETURN_IF_ERROR(handle(req, *type));
    if (!finished_) due();
    return absl::OkStatus();
  }

  absl::Status open() {
    // Authentication and registration may take a while: outside the lock.
    if (absl::Status s = callbacks_.onStreamOpen(info_); !s.ok()) {
      logger("xds")->warn("stream {} from {} ({}) refused: {}", info_.id, info_.peer,
                          info_.node_id, fromAbsl(s.message()));
      return s;
    }
    {
      std::lock_guard lock(mu_);
      opened_ = true;
    }
    // Outside mu_: the cache calls onSnapshot() under its own lock.
    watch_ = cache_.watch(info_.node_id,
                          [this](const SnapshotConstSharedPtr& s) { onSnapshot(s); });
    return absl::OkStatus();
  }

  void onSnapshot(const SnapshotConstSharedPtr& snapshot) {
    {
      std::lock_guard lock(mu_);
      snapshot_ = snapshot;
      if (!finished_) due();
    }
    pumpWrites();
  }

  void pumpWrites() {
    grpc::ByteBuffer* next = nullptr;
    {
      std::lock_guard lock(mu_);
      if (writing_ || queue_.empty() || finished_) return;
      writing_ = true;
      next = &queue_.front();
    }
    this->StartWrite(next);
  }

  void finish(const absl::Status& status) {
    {
      std::lock_guard lock(mu_);
      if (finished_) return;
      finished_ = true;
      finish_status_ = status;
      if (writing_) return;  // OnWriteDone sends it: one operation at a time
      finish_sent_ = true;
    }
    this->Finish(toGrpc(status));
  }

  SnapshotCache& cache_;
  StreamCallbacks& callbacks_;
  grpc::ByteBuffer read_buffer_;  // the buffer of the outstanding read
  Req request_;                   // the last request read, parsed
  SnapshotCache::WatchHandlePtr watch_;

  // Guarded by mu_:
  StreamInfo info_;
  bool opened_ = false;       // onStreamOpen succeeded
  bool finished_ = false;     // finish() was called
  bool finish_sent_ = false;  // Finish() was called on the reactor
  absl::Status finish_status_;
  SnapshotConstSharedPtr snapshot_;
  std::deque<grpc::ByteBuffer> queue_;
  bool writing_ = false;
  uint64_t nonce_ = 0;
};

}  // namespace ursa::xds
