#include "engine/reload/reload.h"

#include <gtest/gtest.h>

#include "tests/support/support.h"

namespace yuqing::reload {
namespace {

struct Config {
  int value;
};

TEST(Reloader, SwapsOnSuccessAndKeepsTheOldValueOnError) {
  int next = 1;
  bool fail = false;
  Reloader<Config> r([&]() -> Result<Reloader<Config>::Loaded, std::vector<std::string>> {
    if (fail) return Unexpected{std::vector<std::string>{"rules/brands/x.yaml:3:7: error: dangling OR"}};
    Reloader<Config>::Loaded l;
    l.value = std::make_shared<const Config>(Config{next++});
    return l;
  });
  EXPECT_EQ(r.current(), nullptr);
  auto first = r.reload();
  ASSERT_TRUE(first.ok);
  EXPECT_EQ(first.version, 1u);
  auto held = r.current();  // a batch in flight keeps its version
  EXPECT_EQ(held->value, 1);

  fail = true;
  auto bad = r.reload();
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.version, 1u);
  EXPECT_EQ(bad.messages.front(), "rules/brands/x.yaml:3:7: error: dangling OR");
  EXPECT_EQ(r.current()->value, 1);

  fail = false;
  auto good = r.reload();
  EXPECT_TRUE(good.ok);
  EXPECT_EQ(good.version, 2u);
  EXPECT_EQ(r.current()->value, 2);
  EXPECT_EQ(held->value, 1);
  EXPECT_EQ(r.successes(), 2u);
  EXPECT_EQ(r.failures(), 1u);
}

TEST(DirectoryWatcher, NoticesAddedChangedAndRemovedFiles) {
  testing::TempDir dir;
  testing::write_file(dir.file("a.yaml"), "x");
  std::atomic<int> changes{0};
  DirectoryWatcher watcher(dir.path(), std::chrono::milliseconds(50), [&] { ++changes; });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(changes.load(), 0);  // nothing changed, nothing reported
  testing::write_file(dir.file("b.yaml"), "y");
  ASSERT_TRUE(testing::eventually([&] { return changes.load() >= 1; }, 10));
  const int after_add = changes.load();
  testing::write_file(dir.file("a.yaml"), "longer");
  ASSERT_TRUE(testing::eventually([&] { return changes.load() > after_add; }, 10));
  const int after_edit = changes.load();
  std::filesystem::remove(dir.file("b.yaml"));
  ASSERT_TRUE(testing::eventually([&] { return changes.load() > after_edit; }, 10));
}

}  // namespace
}  // namespace yuqing::reload
