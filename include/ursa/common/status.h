#pragma once

// Error handling conventions (see docs/architecture.md, "Errors are values"):
// anything that can fail for a reason outside the program returns
// absl::Status or absl::StatusOr<T>. The canonical codes carry retry meaning:
//   NotFound / AlreadyExists  missing, or a create collided with an existing resource
//   Aborted                   optimistic-concurrency conflict: re-read, then retry
//   InvalidArgument           replaying the same input can never succeed
//   Unavailable               transient: retry with backoff
//   FailedPrecondition        wrong state (mesh missing, store closed, ...)

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define URSA_STATUS_CONCAT_INNER_(a, b) a##b
#define URSA_STATUS_CONCAT_(a, b) URSA_STATUS_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define URSA_RETURN_IF_ERROR(expr)                 \
  do {                                             \
    ::absl::Status ursa_status_ = (expr);          \
    if (!ursa_status_.ok()) return ursa_status_;   \
  } while (0)

// `URSA_ASSIGN_OR_RETURN(auto x, f());` binds the value of a StatusOr or
// returns its status from the enclosing function.
#define URSA_ASSIGN_OR_RETURN(lhs, expr) \
  URSA_ASSIGN_OR_RETURN_IMPL_(URSA_STATUS_CONCAT_(ursa_statusor_, __LINE__), lhs, expr)
#define URSA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
