// gzip round trips, multi-member streams, and each kind of corruption named in the error.
#include "nnlab/data/gzip.hpp"

#include <gtest/gtest.h>

#include <string>

#include "temp_dir.hpp"

namespace nnlab::data {
namespace {

std::string sample_bytes(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = char((i * 2654435761u) >> 13);
  return s;
}

TEST(Gzip, RoundTripIncludingEmptyAndLarge) {
  for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(100000), std::size_t(3) << 20}) {
    const std::string raw = sample_bytes(n);
    const std::string packed = gzip(raw);
    EXPECT_TRUE(is_gzip(packed));
    EXPECT_EQ(gunzip(packed, "mem"), raw) << n;
  }
}

TEST(Gzip, ConcatenatedMembersDecompressToConcatenation) {
  const std::string a = sample_bytes(1000), b = "second member";
  EXPECT_EQ(gunzip(gzip(a) + gzip(b), "mem"), a + b);
}

TEST(Gzip, ReadMaybeGzipDetectsByMagicNotName) {
  testing::TempDir dir;
  const std::string raw = "1,2,3\n";
  EXPECT_EQ(read_maybe_gzip(dir.write("plain.gz", raw)), raw);
  EXPECT_EQ(read_maybe_gzip(dir.write("packed.csv", gzip(raw))), raw);
}

TEST(Gzip, TruncatedStream) {
  testing::TempDir dir;
  const std::string packed = gzip(sample_bytes(50000));
  const auto path = dir.write("cut.gz", packed.substr(0, packed.size() / 2));
  EXPECT_ERROR_CONTAINS(read_maybe_gzip(path), path.string(), "corrupt gzip", "truncated");
}

TEST(Gzip, FlippedByteIsCaught) {
  testing::TempDir dir;
  std::string packed = gzip(sample_bytes(50000));
  packed[packed.size() / 2] ^= 0x5a;
  const auto path = dir.write("flipped.gz", packed);
  EXPECT_ERROR_CONTAINS(read_maybe_gzip(path), path.string(), "corrupt gzip");
}

TEST(Gzip, BadChecksumIsCaught) {
  testing::TempDir dir;
  std::string packed = gzip(sample_bytes(1000));
  packed[packed.size() - 8] ^= 1;  // CRC-32 in the trailer
  const auto path = dir.write("crc.gz", packed);
  EXPECT_ERROR_CONTAINS(read_maybe_gzip(path), path.string(), "corrupt gzip", "check");
}

TEST(Gzip, TrailingGarbage) {
  testing::TempDir dir;
  const auto path = dir.write("tail.gz", gzip("abc") + "xyz");
  EXPECT_ERROR_CONTAINS(read_maybe_gzip(path), path.string(), "3 trailing bytes");
}

TEST(Gzip, MissingFileNamesIt) {
  EXPECT_ERROR_CONTAINS(read_maybe_gzip("/nonexistent/nnlab.gz"), "/nonexistent/nnlab.gz");
}

}  // namespace
}  // namespace nnlab::data
