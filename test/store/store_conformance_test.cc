// One conformance suite for every ResourceStore backend: memory, SQLite and
// PostgreSQL (a real server; skipped with a reason when none is configured).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "test/store/store_fixture.h"

namespace ursa::store {
namespace {

using namespace std::chrono_literals;

class StoreConformance : public StoreFixture {};

TEST_P(StoreConformance, CreateReturnsVersionOneWithTimes) {
  auto created = store().create(mtp("default", "allow-all", "Allow"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ((*created)->meta.version, 1);
  EXPECT_EQ((*created)->meta.creation_time, clock().now());
  EXPECT_EQ((*created)->meta.modification_time, clock().now());

  auto got = store().get(mtpKey("default", "allow-all"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)->meta.version, 1);
  EXPECT_EQ(actionOf(**got), "Allow");
  EXPECT_EQ((*got)->meta.creation_time, clock().now());
}

TEST_P(StoreConformance, CreatingAnExistingResourceIsAlreadyExists) {
  ASSERT_TRUE(store().create(mtp("default", "a", "Allow")).ok());
  auto again = store().create(mtp("default", "a", "Deny"));
  EXPECT_TRUE(absl::IsAlreadyExists(again.status())) << again.status();
  EXPECT_EQ(actionOf(**store().get(mtpKey("default", "a"))), "Allow");
}

TEST_P(StoreConformance, CreatingInAMissingMeshIsFailedPrecondition) {
  auto created = store().create(mtp("nope", "a", "Allow"));
  EXPECT_TRUE(absl::IsFailedPrecondition(created.status())) << created.status();
}

TEST_P(StoreConformance, UpdateBumpsVersionAndKeepsCreationTime) {
  auto created = *store().create(mtp("default", "a", "Allow"));
  absl::Time created_at = clock().now();
  clock().advance(absl::Seconds(5));
  Resource next = mtp("default", "a", "Deny");
  next.meta.version = created->meta.version;
  next.meta.labels = {{"team", "core"}};
  auto updated = store().update(next);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ((*updated)->meta.version, 2);

  auto got = *store().get(mtpKey("default", "a"));
  EXPECT_EQ(got->meta.version, 2);
  EXPECT_EQ(actionOf(*got), "Deny");
  EXPECT_EQ(got->meta.creation_time, created_at);
  EXPECT_EQ(got->meta.modification_time, clock().now());
  EXPECT_EQ(got->meta.labels.at("team"), "core");
}

TEST_P(StoreConformance, UpdateWithAStaleVersionIsAbortedAndChangesNothing) {
  ASSERT_TRUE(store().create(mtp("default", "a", "Allow")).ok());
  Resource first = mtp("default", "a", "Deny");
  first.meta.version = 1;
  ASSERT_TRUE(store().update(first).ok());
  Resource stale = mtp("default", "a", "AllowWithShadowDeny");
  stale.meta.version = 1;
  auto result = store().update(stale);
  EXPECT_TRUE(absl::IsAborted(result.status())) << result.status();
  auto got = *store().get(mtpKey("default", "a"));
  EXPECT_EQ(got->meta.version, 2);
  EXPECT_EQ(actionOf(*got), "Deny");
}

TEST_P(StoreConformance, UpdateOfAMissingResourceIsNotFound) {
  Resource r = mtp("default", "ghost", "Allow");
  r.meta.version = 1;
  EXPECT_TRUE(absl::IsNotFound(store().update(r).status()));
}

TEST_P(StoreConformance, DeleteRemovesAndHonoursExpectedVersion) {
  ASSERT_TRUE(store().create(mtp("default", "a", "Allow")).ok());
  EXPECT_TRUE(absl::IsAborted(store().remove(mtpKey("default", "a"), 7)));
  ASSERT_TRUE(store().get(mtpKey("default", "a")).ok());
  EXPECT_TRUE(store().remove(mtpKey("default", "a"), 1).ok());
  EXPECT_TRUE(absl::IsNotFound(store().get(mtpKey("default", "a")).status()));
  EXPECT_TRUE(absl::IsNotFound(store().remove(mtpKey("default", "a"))));
}

TEST_P(StoreConformance, DeletingAMeshDeletesWhatLivesInItAndNothingElse) {
  ASSERT_TRUE(store().create(meshResource("other")).ok());
  ASSERT_TRUE(store().create(mtp("default", "a", "Allow")).ok());
  ASSERT_TRUE(store().create(mtp("default", "b", "Allow")).ok());
  ASSERT_TRUE(store().create(secretResource("default", "s1")).ok());
  ASSERT_TRUE(store().create(mtp("other", "a", "Allow")).ok());
  ASSERT_TRUE(store().create(globalSecretResource("g1")).ok());

  ASSERT_TRUE(store().remove(meshKey("default")).ok());
  EXPECT_TRUE(absl::IsNotFound(store().get(meshKey("default")).status()));
  EXPECT_TRUE(absl::IsNotFound(store().get(mtpKey("default", "a")).status()));
  EXPECT_TRUE(absl::IsNotFound(store().get(mtpKey("default", "b")).status()));
  EXPECT_TRUE(absl::IsNotFound(
      store().get({&model::TypeRegistry::instance().secret(), "default", "s1"}).status()));
  EXPECT_TRUE(store().get(mtpKey("other", "a")).ok());
  EXPECT_TRUE(store().get({&model::TypeRegistry::instance().globalSecret(), "", "g1"}).ok());
}

TEST_P(StoreConformance, OwnedResourcesAreDeletedWithTheirOwner) {
  ASSERT_TRUE(store().create(mtp("default", "owner", "Allow")).ok());
  CreateOptions owned;
  owned.owner = mtpKey("default", "owner");
  ASSERT_TRUE(store().create(secretResource("default", "child"), owned).ok());
  ASSERT_TRUE(store().create(secretResource("default", "unrelated")).ok());

  CreateOptions orphan;
  orphan.owner = mtpKey("default", "missing");
  EXPECT_TRUE(absl::IsFailedPrecondition(
      store().create(secretResource("default", "orphan"), orphan).status()));

  ASSERT_TRUE(store().remove(mtpKey("default", "owner")).ok());
  const auto& secret = model::TypeRegistry::instance().secret();
  EXPECT_TRUE(absl::IsNotFound(store().get({&secret, "default", "child"}).status()));
  EXPECT_TRUE(store().get({&secret, "default", "unrelated"}).ok());
}

TEST_P(StoreConformance, ListIsSortedByMeshThenNameAndPaged) {
  ASSERT_TRUE(store().create(meshResource("alpha")).ok());
  for (const char* name : {"c", "a", "b"}) {
    ASSERT_TRUE(store().create(mtp("default", name, "Allow")).ok());
    ASSERT_TRUE(store().create(mtp("alpha", name, "Allow")).ok());
  }
  ListQuery q{.type = &mtpType()};
  auto all = *store().list(q);
  ASSERT_EQ(all.items.size(), 6u);
  EXPECT_EQ(all.total, 6u);
  EXPECT_FALSE(all.next_offset);
  std::vector<std::string> order;
  for (const auto& r : all.items) order.push_back(r->meta.mesh + "/" + r->meta.name);
  EXPECT_EQ(order, (std::vector<std::string>{"alpha/a", "alpha/b", "alpha/c", "default/a",
                                             "default/b", "default/c"}));

  q.limit = 4;
  auto page1 = *store().list(q);
  EXPECT_EQ(page1.items.size(), 4u);
  EXPECT_EQ(page1.total, 6u);
  ASSERT_TRUE(page1.next_offset);
  q.offset = *page1.next_offset;
  auto page2 = *store().list(q);
  ASSERT_EQ(page2.items.size(), 2u);
  EXPECT_EQ(page2.items[0]->meta.name, "b");
  EXPECT_FALSE(page2.next_offset);
}

TEST_P(StoreConformance, ListFiltersByMeshNameAndLabels) {
  ASSERT_TRUE(store().create(meshResource("alpha")).ok());
  Resource labelled = mtp("default", "web-allow", "Allow");
  labelled.meta.labels = {{"team", "web"}};
  ASSERT_TRUE(store().create(labelled).ok());
  ASSERT_TRUE(store().create(mtp("default", "db-allow", "Allow")).ok());
  ASSERT_TRUE(store().create(mtp("alpha", "web-deny", "Deny")).ok());

  ListQuery by_mesh{.type = &mtpType(), .mesh = "default"};
  EXPECT_EQ(store().list(by_mesh)->total, 2u);
  ListQuery by_name{.type = &mtpType(), .name_contains = "web"};
  EXPECT_EQ(store().list(by_name)->total, 2u);
  ListQuery by_label{.type = &mtpType(), .labels = {{"team", "web"}}};
  auto labelled_list = *store().list(by_label);
  ASSERT_EQ(labelled_list.total, 1u);
  EXPECT_EQ(labelled_list.items[0]->meta.name, "web-allow");
  ListQuery global_with_mesh{.type = &model::TypeRegistry::instance().mesh(), .mesh = "x"};
  EXPECT_TRUE(absl::IsInvalidArgument(store().list(global_with_mesh).status()));
}

TEST_P(StoreConformance, ListFiltersByTagsOfAnyOneTagSet) {
  ASSERT_TRUE(store().create(dataplaneResource(
      "default", "web-1", {{{"kuma.io/service", "web"}, {"version", "v1"}}})).ok());
  ASSERT_TRUE(store().create(dataplaneResource(
      "default", "web-2", {{{"kuma.io/service", "web"}, {"version", "v2"}}})).ok());
  ASSERT_TRUE(store().create(dataplaneResource(
      "default", "multi", {{{"kuma.io/service", "api"}}, {{"kuma.io/service", "web"}}})).ok());
  const auto* dp = &model::TypeRegistry::instance().dataplane();
  auto names = [&](std::map<std::string, std::string> tags) {
    std::vector<std::string> out;
    absl::StatusOr<ListResult> listed = store().list({.type = dp, .tags = std::move(tags)});
    if (!listed.ok()) return std::vector<std::string>{std::string(listed.status().message())};
    for (const auto& r : listed.value().items) out.push_back(r->meta.name);
    return out;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(names({{"kuma.io/service", "web"}}), (Names{"multi", "web-1", "web-2"}));
  EXPECT_EQ(names({{"kuma.io/service", "web"}, {"version", "v2"}}), (Names{"web-2"}));
  EXPECT_EQ(names({{"version", "*"}}), (Names{"web-1", "web-2"}));
  // Both tags must be carried by one inbound: "multi" has api and web on two.
  EXPECT_EQ(names({{"kuma.io/service", "api"}, {"version", "*"}}), Names{});
  EXPECT_EQ(names({{"kuma.io/service", "api"}}), (Names{"multi"}));
}

TEST_P(StoreConformance, SpecAndLabelsRoundTripExactly) {
  Resource r = secretResource("default", "bytes");
  std::string data("\0\x01\xff binary", 10);
  auto spec = std::make_shared<ursa::system::v1alpha1::Secret>();
  spec->set_data(data);
  r.spec = spec;
  r.meta.labels = {{"a", "1"}, {"kuma.io/origin", "zone"}};
  ASSERT_TRUE(store().create(r).ok());
  auto got = *store().get(model::ResourceKey::of(r));
  EXPECT_EQ(static_cast<const ursa::system::v1alpha1::Secret&>(*got->spec).data(), data);
  EXPECT_EQ(got->meta.labels, r.meta.labels);
}

TEST_P(StoreConformance, WatchersSeeEveryChangeInOrder) {
  EventLog log;
  auto handle = store().watch(log.listener());
  ASSERT_TRUE(store().create(mtp("default", "w", "Allow")).ok());
  Resource next = mtp("default", "w", "Deny");
  next.meta.version = 1;
  ASSERT_TRUE(store().update(next).ok());
  ASSERT_TRUE(store().remove(mtpKey("default", "w")).ok());

  ASSERT_TRUE(log.waitFor([](const auto& events) {
    return !events.empty() && events.back().kind == ResourceChange::Kind::Deleted;
  }));
  std::vector<ResourceChange> events;
  for (const auto& e : log.events()) {
    if (e.key.name == "w") events.push_back(e);
  }
  if (backend() != Backend::Postgres) {
    // In-process stores announce each commit, in order, with its state.
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].kind, ResourceChange::Kind::Upserted);
    EXPECT_EQ(events[0].resource->meta.version, 1);
    EXPECT_EQ(events[1].kind, ResourceChange::Kind::Upserted);
    EXPECT_EQ(events[1].resource->meta.version, 2);
    EXPECT_EQ(actionOf(*events[1].resource), "Deny");
    EXPECT_EQ(events[2].kind, ResourceChange::Kind::Deleted);
    return;
  }
  // PostgreSQL announces through NOTIFY and reads the key's row when the
  // notification arrives: quick successive changes may fold into one event
  // carrying the latest state. Versions never go backwards and the last
  // event is the delete.
  int64_t last_version = 0;
  for (const auto& e : events) {
    if (e.kind == ResourceChange::Kind::Upserted) {
      EXPECT_GE(e.resource->meta.version, last_version);
      last_version = e.resource->meta.version;
    }
  }
  EXPECT_EQ(events.back().kind, ResourceChange::Kind::Deleted);
}

TEST_P(StoreConformance, CascadeDeletesAreAnnounced) {
  EventLog log;
  auto handle = store().watch(log.listener());
  ASSERT_TRUE(store().create(mtp("default", "x", "Allow")).ok());
  ASSERT_TRUE(store().remove(meshKey("default")).ok());
  // Both the mesh and what lived in it are announced as deleted. (PostgreSQL
  // may announce a key more than once: it reads the row when each of its
  // notifications arrives.)
  ASSERT_TRUE(log.waitFor([](const auto& events) {
    std::set<std::string> deleted;
    for (const auto& e : events) {
      if (e.kind == ResourceChange::Kind::Deleted) deleted.insert(e.key.name);
    }
    return deleted.contains("default") && deleted.contains("x");
  }));
}

TEST_P(StoreConformance, DestroyedWatchHandleStopsEvents) {
  EventLog log;
  auto handle = store().watch(log.listener());
  handle.reset();
  ASSERT_TRUE(store().create(mtp("default", "quiet", "Allow")).ok());
  std::this_thread::sleep_for(backend() == Backend::Postgres ? 300ms : 0ms);
  EXPECT_TRUE(log.events().empty());
}

TEST_P(StoreConformance, ConcurrentReadModifyWriteLosesNoUpdate) {
  ASSERT_TRUE(store().create(secretResource("default", "counter")).ok());
  const auto key = model::ResourceKey{&model::TypeRegistry::instance().secret(), "default",
                                      "counter"};
  constexpr int kThreads = 4;
  constexpr int kIncrements = 15;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements;) {
        auto current = store().get(key);
        ASSERT_TRUE(current.ok()) << current.status();
        Resource next = **current;
        int value = next.meta.labels.count("n") ? std::stoi(next.meta.labels.at("n")) : 0;
        next.meta.labels["n"] = std::to_string(value + 1);
        auto updated = store().update(next);
        if (absl::IsAborted(updated.status())) {
          ++conflicts;
          continue;
        }
        ASSERT_TRUE(updated.ok()) << updated.status();
        ++i;
      }
    });
  }
  for (auto& t : threads) t.join();
  auto final_state = *store().get(key);
  EXPECT_EQ(final_state->meta.labels.at("n"), std::to_string(kThreads * kIncrements));
  EXPECT_EQ(final_state->meta.version, 1 + kThreads * kIncrements);
}

INSTANTIATE_TEST_SUITE_P(AllBackends, StoreConformance,
                         ::testing::Values(Backend::Memory, Backend::Sqlite, Backend::Postgres),
                         backendName);

}  // namespace
}  // namespace ursa::store
