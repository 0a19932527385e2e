#include "ampd/state/journal.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "ampd/primitives/u256.hpp"
#include "ampd/state/flat_map.hpp"

namespace ampd::state {
namespace {

TEST(Journal, RollbackRestoresScalarsInReverseOrder) {
    Journal j;
    u256 a = 5;
    bool flag = false;
    j.set(a, u256(7));
    j.set(flag, true);
    j.set(a, u256(9));
    EXPECT_EQ(a, u256(9));
    EXPECT_TRUE(flag);
    j.rollback(0);
    EXPECT_EQ(a, u256(5));
    EXPECT_FALSE(flag);
    EXPECT_EQ(j.size(), 0U);
}

TEST(Journal, RollbackToCheckpointKeepsEarlierChanges) {
    Journal j;
    u256 a = 1;
    j.set(a, u256(2));
    const auto cp = j.checkpoint();
    j.set(a, u256(3));
    j.rollback(cp);
    EXPECT_EQ(a, u256(2));
    j.rollback(0);
    EXPECT_EQ(a, u256(1));
}

TEST(Journal, VectorOperationsUndoExactly) {
    Journal j;
    std::vector<int> v{1, 2, 3};
    j.push(v, 4);
    j.assign(v, 0, 9);
    j.pop(v);
    j.pop(v);
    // Force reallocation after an indexed assignment: undo must not use a stale pointer.
    for (int i = 0; i < 100; ++i) j.push(v, i);
    j.assign(v, 1, 42);
    j.rollback(0);
    EXPECT_EQ(v, (std::vector<int>{1, 2, 3}));
}

TEST(Journal, CommitMakesChangesPermanent) {
    Journal j;
    u256 a = 1;
    j.set(a, u256(2));
    j.commit();
    j.rollback(0);
    EXPECT_EQ(a, u256(2));
}

struct Key {
    uint64_t k = 0;
    friend bool operator==(const Key&, const Key&) = default;
};
struct KeyHash {
    size_t operator()(const Key& k) const { return k.k * 0x9E3779B97F4A7C15ULL; }
};

TEST(FlatMap, KeyedUndoSurvivesRehash) {
    FlatMap<Key, u256, KeyHash> m;
    Journal j;
    m.get_or_insert(Key{1}) = 10;
    {
        u256 old = *m.find(Key{1});
        auto* map = &m;
        j.record([map, old] { *map->find(Key{1}) = old; });
        *m.find(Key{1}) = 20;
    }
    for (uint64_t i = 2; i < 10000; ++i) m.get_or_insert(Key{i}) = i;  // many rehashes
    j.rollback(0);
    EXPECT_EQ(*m.find(Key{1}), u256(10));
    EXPECT_EQ(*m.find(Key{9999}), u256(9999));
    EXPECT_EQ(m.find(Key{10000}), nullptr);
    EXPECT_EQ(m.size(), 9999U);
}

}  // namespace
}  // namespace ampd::state
