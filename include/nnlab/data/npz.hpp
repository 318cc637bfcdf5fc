// NPZ archives, as numpy's np.savez and np.savez_compressed write them: a ZIP file (PKWARE
// APPNOTE 6.3.x) whose members are NPY files named <key>.npy. Members stored or deflated; zip64
// records (numpy writes every member with them); the CRC-32 and the sizes of each member are
// checked. Encrypted members, multi-disk archives and other compression methods are refused.
// Errors name the archive and the member.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/core/types.hpp"
#include "nnlab/data/npy.hpp"

namespace nnlab::data {

class NpzArchive {
 public:
  // Reads the file and its central directory; Error if it is not a readable ZIP archive.
  explicit NpzArchive(const std::filesystem::path& path);

  // The keys, in the archive's order: "X" for a member X.npy (np.savez(f, X=...)), "arr_0" for
  // positional arrays. Members whose names do not end in .npy are listed with their full name.
  const std::vector<std::string>& keys() const { return keys_; }
  bool contains(std::string_view key) const;

  // The member <key>.npy as load_npy reads a file; Error naming the archive and the key if it is
  // absent, corrupt or not a valid NPY array.
  template <class Scalar>
  Mat<Scalar> load(std::string_view key, NpyInfo* info = nullptr) const;

 private:
  struct Member {
    std::string name;
    std::uint16_t method = 0;
    std::uint32_t crc = 0;
    std::uint64_t compressed = 0, uncompressed = 0, local_offset = 0;
  };
  std::string extract(std::string_view key) const;  // the member's uncompressed content, checked

  std::string path_, archive_;
  std::vector<Member> members_;
  std::vector<std::string> keys_;
};

}  // namespace nnlab::data
