// The fuzz input as a file, for readers that take a path: one file per process, rewritten for
// every input (libFuzzer runs inputs one after another in a process).
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace nnlab::fuzz {

inline std::filesystem::path input_file(const std::uint8_t* data, std::size_t size, const std::string& suffix) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("nnlab_fuzz_" + std::to_string(::getpid()) + suffix);
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), std::streamsize(size));
  return path;
}

}  // namespace nnlab::fuzz
