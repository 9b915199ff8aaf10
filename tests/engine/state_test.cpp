#include "engine/state/state.h"

#include <gtest/gtest.h>

#include "tests/support/support.h"

namespace yuqing::state {
namespace {

TEST(StateStore, PositionsSurviveReopen) {
  testing::TempDir dir;
  {
    auto store = StateStore::open(dir.file("s"));
    ASSERT_TRUE(store.ok()) << store.error();
    EXPECT_FALSE((*store)->load_position("file:/a").has_value());
    rocksdb::WriteBatch wb;
    (*store)->put_position(wb, "file:/a", {1234, 10});
    (*store)->put_meta(wb, "dlq_bytes", 77);
    ASSERT_TRUE((*store)->commit(wb).ok());
  }
  auto store = StateStore::open(dir.file("s"));
  ASSERT_TRUE(store.ok());
  auto pos = (*store)->load_position("file:/a");
  ASSERT_TRUE(pos.has_value());
  EXPECT_EQ(pos->offset, 1234u);
  EXPECT_EQ(pos->records, 10u);
  EXPECT_EQ((*store)->load_meta("dlq_bytes").value_or(0), 77u);
  EXPECT_FALSE((*store)->load_position("file:/b").has_value());
}

TEST(StateStore, ExtraColumnFamiliesAreCreatedAndReopened) {
  testing::TempDir dir;
  {
    StateOptions options;
    options.extra_column_families = {"buckets"};
    int configured = 0;
    options.configure_column_family = [&](const std::string& name, rocksdb::ColumnFamilyOptions&) {
      configured += name == "buckets" ? 1 : 0;
    };
    auto store = StateStore::open(dir.file("s"), options);
    EXPECT_EQ(configured, 1);
    ASSERT_TRUE(store.ok());
    ASSERT_NE((*store)->column_family("buckets"), nullptr);
    EXPECT_EQ((*store)->column_family("nope"), nullptr);
  }
  // Opening without naming it still works: families on disk are always opened.
  auto store = StateStore::open(dir.file("s"));
  ASSERT_TRUE(store.ok()) << store.error();
  EXPECT_NE((*store)->column_family("buckets"), nullptr);
}

TEST(StateStore, UnwritableDirectoryIsAClearError) {
  auto store = StateStore::open("/proc/yuqing-cannot-be-here");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().find("/proc/yuqing-cannot-be-here"), std::string::npos);
}

}  // namespace
}  // namespace yuqing::state
