#pragma once

// Presence for list fields. Protobuf lists have none, but Kuma 2.2's targetRef
// policies keep some lists as Go pointers to slices, where an explicitly
// empty list (`backends: []`) is not an absent one: merging confs, a later
// `[]` replaces an earlier list while an absent list keeps it, and some
// validators require the list to be given even when empty.
//
// Such fields carry `[(ursa.common.v1alpha1.list_presence) = true]` in their
// .proto. For them the codec records an explicitly empty list in the message
// itself (an unknown-field marker, so the record survives copies and binary
// serialisation, as the stores use) and writes it back as `[]`. Other lists
// read `[]` as absent, as Kuma's plain slices (`omitempty`) do.

#include <string_view>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace ursa::model {

// Whether repeated field `f` keeps `[]` apart from absent.
bool hasListPresence(const google::protobuf::FieldDescriptor& f);

// Records that list `f` of `m` (a field with list presence) was given as `[]`.
void markExplicitlyEmpty(google::protobuf::Message& m, const google::protobuf::FieldDescriptor& f);

// True when list `f` of `m` is empty and was given as `[]`.
bool isExplicitlyEmpty(const google::protobuf::Message& m,
                       const google::protobuf::FieldDescriptor& f);

// True when the list field named `field` (protobuf name) of `m` has elements
// or was given as `[]`: Kuma's `list != nil`. False for an unknown name.
bool isListSet(const google::protobuf::Message& m, std::string_view field);

}  // namespace ursa::model
