#include "nnlab/core/file.hpp"

#include <gtest/gtest.h>

#include "nnlab/core/error.hpp"

namespace nnlab {

TEST(File, AtomicWriteThenRead) {
  const auto dir = std::filesystem::temp_directory_path() / "nnlab_file_test";
  std::filesystem::remove_all(dir);
  write_file_atomic(dir / "sub" / "a.txt", "hello");
  EXPECT_EQ(read_file(dir / "sub" / "a.txt"), "hello");
  write_file_atomic(dir / "sub" / "a.txt", "again");
  EXPECT_EQ(read_file(dir / "sub" / "a.txt"), "again");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "sub"), {}), 1);  // no temp left
  std::filesystem::remove_all(dir);
}

TEST(File, MissingFileNamesIt) {
  try {
    read_file("/nonexistent/x.bin");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/x.bin"), std::string::npos);
  }
}

TEST(File, FolderIsRejectedByName) {
  const auto dir = std::filesystem::temp_directory_path() / "nnlab_file_test_folder";
  std::filesystem::create_directories(dir);
  try {
    read_file(dir);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir.string() + "': it is a folder"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove_all(dir);
}

// Several files that must agree (a checkpoint and its log) switch at one rename. A crash before
// the switch leaves a half-written snapshot that is never visible and is removed by the next call.
TEST(File, FilesWrittenTogetherAlwaysShowTheSameCall) {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / "nnlab_file_test_together";
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_file_atomic(dir / "a", "old layout");  // a regular file from before is replaced
  write_files_together(dir, {{"a", "a1"}, {"b", "b1"}});
  write_files_together(dir, {{"a", "a2"}, {"b", "b2"}});
  EXPECT_EQ(read_file(dir / "a"), "a2");
  EXPECT_EQ(read_file(dir / "b"), "b2");
  EXPECT_TRUE(fs::is_symlink(dir / "a"));
  EXPECT_EQ(fs::read_symlink(dir / "b"), fs::path(".current") / "b");  // relative: the folder can move

  // A crash while writing the next snapshot: one file written, the switch not made.
  ASSERT_EQ(fs::read_symlink(dir / ".current"), ".snapshot.1");
  write_file_atomic(dir / ".snapshot.2" / "a", "a3 (crashed)");
  EXPECT_EQ(read_file(dir / "a"), "a2");
  EXPECT_EQ(read_file(dir / "b"), "b2");
  write_files_together(dir, {{"a", "a4"}, {"b", "b4"}});
  EXPECT_EQ(read_file(dir / "a"), "a4");
  EXPECT_EQ(read_file(dir / "b"), "b4");
  // Left: a, b, .current and exactly one snapshot; no temporary files.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), {}), 4);

  const auto moved = fs::temp_directory_path() / "nnlab_file_test_together_moved";
  fs::remove_all(moved);
  fs::rename(dir, moved);
  EXPECT_EQ(read_file(moved / "b"), "b4");
  fs::remove_all(moved);
}

}  // namespace nnlab
