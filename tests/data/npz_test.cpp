// NPZ: archives written by numpy 1.24 (tests/data/files: np.savez, np.savez_compressed, positional
// arrays, zip64 records) read to the same arrays as the NPY files of the same X and y; a zip64 end
// record followed when the plain one is saturated; and every corruption named.
#include "nnlab/data/npz.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>

#include "nnlab/core/file.hpp"
#include "nnlab/data/source.hpp"
#include "temp_dir.hpp"

namespace nnlab::data {
namespace {

const std::filesystem::path files = std::filesystem::path(NNLAB_TEST_DATA) / "files";

std::size_t end_record(const std::string& zip) { return zip.rfind("PK\x05\x06"); }

void put16(std::string& s, std::size_t at, std::uint16_t v) {
  s[at] = char(v & 0xff), s[at + 1] = char(v >> 8);
}
void put32(std::string& s, std::size_t at, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) s[at + std::size_t(k)] = char((v >> (8 * k)) & 0xff);
}

TEST(Npz, NumpyArchivesHoldTheArraysOfTheNpyFiles) {
  const Mat<double> X = load_npy<double>(files / "X.npy"), y = load_npy<double>(files / "y.npy");
  for (const char* name : {"xy.npz", "xy_compressed.npz", "zip64.npz"}) {
    const NpzArchive archive(files / name);
    EXPECT_EQ(archive.keys(), (std::vector<std::string>{"X", "y"})) << name;
    NpyInfo info;
    EXPECT_EQ(archive.load<double>("X", &info), X) << name;
    EXPECT_EQ(info.descr, "<f8");
    EXPECT_EQ(archive.load<double>("y", &info), y) << name;
    EXPECT_EQ(info.descr, "<i8");
    EXPECT_EQ(archive.load<float>("X"), X.cast<float>()) << name;
  }
  const NpzArchive positional(files / "positional.npz");
  EXPECT_EQ(positional.keys(), (std::vector<std::string>{"arr_0", "arr_1"}));
  EXPECT_EQ(positional.load<double>("arr_0"), X);
}

TEST(Npz, SplitsLikeTheNpyPair) {
  Source pair{.data = (files / "X.npy").string(), .targets = (files / "y.npy").string()};
  const Split<double> expected = load_split<double>(pair);
  for (const char* name : {"xy.npz", "xy_compressed.npz", "positional.npz", "zip64.npz"}) {
    Source npz{.data = (files / name).string()};
    const Split<double> split = load_split<double>(npz);
    EXPECT_EQ(split.train.X, expected.train.X) << name;
    EXPECT_EQ(split.train.labels, expected.train.labels) << name;
    EXPECT_EQ(split.test.X, expected.test.X) << name;
    EXPECT_EQ(split.test.num_classes, 2) << name;
  }
}

// The plain end record saturated (0xffff entries, 0xffffffff size and offset) sends the reader to
// the zip64 end record through its locator, which zip64.npz carries.
TEST(Npz, FollowsTheZip64EndRecord) {
  testing::TempDir dir;
  std::string zip = read_file(files / "zip64.npz");
  const std::size_t end = end_record(zip);
  put16(zip, end + 8, 0xffff), put16(zip, end + 10, 0xffff);
  put32(zip, end + 12, 0xffffffff), put32(zip, end + 16, 0xffffffff);
  const NpzArchive archive(dir.write("a.npz", zip));
  EXPECT_EQ(archive.load<double>("X"), load_npy<double>(files / "X.npy"));
  zip.replace(end - 20, 4, "PK\x06\x08");  // a broken locator
  EXPECT_ERROR_CONTAINS(NpzArchive(dir.write("b.npz", zip)), "b.npz", "zip64 sizes without a zip64 locator");
}

TEST(Npz, CorruptArchivesAreNamed) {
  testing::TempDir dir;
  const std::string stored = read_file(files / "xy.npz"), deflated = read_file(files / "xy_compressed.npz");
  EXPECT_ERROR_CONTAINS(NpzArchive(dir.write("empty.npz", "")), "empty.npz", "not an NPZ file");
  EXPECT_ERROR_CONTAINS(NpzArchive(dir.write("text.npz", std::string(100, 'x'))), "text.npz",
                        "no ZIP end-of-central-directory record");
  EXPECT_ERROR_CONTAINS(NpzArchive(dir.write("cut.npz", stored.substr(300))), "cut.npz", "corrupt NPZ");
  // A flipped byte in X's data: stored, the CRC catches it; deflated, inflate or the CRC does.
  std::string flipped = stored;
  flipped[200] ^= 0x01;
  EXPECT_ERROR_CONTAINS(NpzArchive(dir.write("crc.npz", flipped)).load<double>("X"), "crc.npz", "member 'X.npy'",
                        "CRC-32");
  std::string bad_deflate = deflated;
  bad_deflate[100] ^= 0x55;
  EXPECT_ERROR_CONTAINS(NpzArchive(dir.write("inflate.npz", bad_deflate)).load<double>("X"), "inflate.npz",
                        "member 'X.npy'");
  const NpzArchive ok(files / "xy.npz");
  EXPECT_ERROR_CONTAINS(ok.load<double>("Z"), "xy.npz", "has no array 'Z'; it holds X, y");
  // Central directory entries: the method field (offset 10) and the flags (offset 8).
  const std::size_t central = stored.find("PK\x01\x02");
  std::string method = stored;
  put16(method, central + 10, 12);  // bzip2
  EXPECT_ERROR_CONTAINS(NpzArchive(dir.write("bzip2.npz", method)), "bzip2.npz", "compression method 12");
  std::string encrypted = stored;
  put16(encrypted, central + 8, 1);
  EXPECT_ERROR_CONTAINS(NpzArchive(dir.write("secret.npz", encrypted)), "secret.npz", "encrypted");
  // A deflated member that claims more than deflate can produce is refused before allocating.
  std::string bomb = deflated;
  put32(bomb, bomb.find("PK\x01\x02") + 24, 0xfffffff0);
  EXPECT_ERROR_CONTAINS(NpzArchive(dir.write("bomb.npz", bomb)).load<double>("X"), "bomb.npz", "claims 4294967280 bytes");
  // A member that is not an NPY file (its CRC-32 updated in both headers) is named as archive[key].
  std::string not_npy = stored;
  const std::size_t data = not_npy.find("\x93NUMPY");
  not_npy.replace(data, 6, "xNUMPY");
  const auto crc = std::uint32_t(crc32(0, reinterpret_cast<const Bytef*>(not_npy.data() + data), 608));
  put32(not_npy, 14, crc), put32(not_npy, central + 16, crc);
  EXPECT_ERROR_CONTAINS(NpzArchive(dir.write("magic.npz", not_npy)).load<double>("X"), "magic.npz[X]", "wrong magic");
}

TEST(Npz, SourceErrorsNameTheArchive) {
  testing::TempDir dir;
  EXPECT_ERROR_CONTAINS(load_split<double>({.data = (files / "xy.npz").string(), .target_column = 0}),
                        "--target-column 0 is for CSV files");
  // An archive without X and y (here: an empty one) lists what it holds.
  EXPECT_ERROR_CONTAINS(load_split<double>({.data = dir.write("one.npz", "PK\x05\x06" + std::string(18, '\0')).string()}),
                        "one.npz", "holds no arrays; expected arrays X and y");
}

}  // namespace
}  // namespace nnlab::data
