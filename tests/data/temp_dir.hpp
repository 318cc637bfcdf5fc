// A fresh temporary folder per test, removed afterwards; malformed inputs are written there.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "nnlab/core/error.hpp"
#include "nnlab/core/file.hpp"

namespace nnlab::data::testing {

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            (std::string("nnlab_data_") + info->test_suite_name() + "_" + info->name() + "_" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes bytes to <dir>/name and returns the path.
  std::filesystem::path write(const std::string& name, std::string_view bytes) const {
    const auto path = path_ / name;
    write_file_atomic(path, bytes);
    return path;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace nnlab::data::testing

// Asserts that `statement` throws nnlab::Error whose message contains every given piece.
#define EXPECT_ERROR_CONTAINS(statement, ...)                                           \
  do {                                                                                  \
    try {                                                                               \
      statement;                                                                        \
      ADD_FAILURE() << "no nnlab::Error thrown by " #statement;                         \
    } catch (const ::nnlab::Error& e) {                                                 \
      for (const std::string& piece : std::initializer_list<std::string>{__VA_ARGS__})                                    \
        EXPECT_NE(std::string(e.what()).find(piece), std::string::npos)     \
            << "message: " << e.what() << "\nmissing: " << piece;                       \
    }                                                                                   \
  } while (0)
