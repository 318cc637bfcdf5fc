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

}  // namespace nnlab
