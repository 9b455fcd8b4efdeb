#pragma once

// Where a MeshAccessLog `tcp` backend's lines meet: the control plane points
// Envoy's file access logger at this path, and ursa-dp (beside the proxy)
// owns a FIFO there and relays each line to its TCP collector. Both sides
// compute it from the Dataplane's name and mesh, as Kuma 2.2 does.

#include <string>
#include <string_view>

namespace ursa::model {

// "/tmp/kuma-al-<dataplane>-<mesh>.sock", the part before ".sock" cut to 98
// bytes (Kuma's bound, which keeps it under the 104-byte socket path limit).
// Kuma takes the directory from each process's $TMPDIR; ursa fixes /tmp so
// the control plane and the agent always agree.
std::string accessLogSocketPath(std::string_view dataplane, std::string_view mesh);

}  // namespace ursa::model
