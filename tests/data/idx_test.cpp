// IDX loader: a written file loads back exactly (raw and gzip), and every malformed header,
// size or compression error names the file and the problem.
#include "nnlab/data/idx.hpp"

#include <gtest/gtest.h>

#include <string>

#include "nnlab/data/gzip.hpp"
#include "temp_dir.hpp"

namespace nnlab::data {
namespace {

void put_u32(std::string& s, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(char((v >> shift) & 0xff));
}

// An IDX file of N images of rows × cols with pixel (j, p) = (7j + 3p) mod 256.
std::string idx_images(std::uint32_t n, std::uint32_t rows, std::uint32_t cols,
                       std::uint32_t magic = idx_images_magic) {
  std::string s;
  put_u32(s, magic);
  put_u32(s, n);
  put_u32(s, rows);
  put_u32(s, cols);
  for (std::uint32_t j = 0; j < n; ++j)
    for (std::uint32_t p = 0; p < rows * cols; ++p) s.push_back(char((7 * j + 3 * p) % 256));
  return s;
}

std::string idx_labels(const std::vector<int>& labels) {
  std::string s;
  put_u32(s, idx_labels_magic);
  put_u32(s, std::uint32_t(labels.size()));
  for (int l : labels) s.push_back(char(l));
  return s;
}

TEST(Idx, WrittenImagesLoadBackAsColumnsScaledToUnitInterval) {
  testing::TempDir dir;
  const std::string bytes = idx_images(5, 3, 4);
  for (const auto& path : {dir.write("img", bytes), dir.write("img.gz", gzip(bytes))}) {
    IdxImagesShape shape;
    const Mat<double> X = load_idx_images<double>(path, &shape);
    ASSERT_EQ(X.rows(), 12);
    ASSERT_EQ(X.cols(), 5);
    EXPECT_EQ(shape.count, 5);
    EXPECT_EQ(shape.rows, 3);
    EXPECT_EQ(shape.cols, 4);
    for (Index j = 0; j < 5; ++j)
      for (Index p = 0; p < 12; ++p) EXPECT_EQ(X(p, j), double((7 * j + 3 * p) % 256) / 255.0);
    const Mat<float> Xf = load_idx_images<float>(path);
    EXPECT_LE((Xf.cast<double>() - X).cwiseAbs().maxCoeff(), 1e-7);
  }
}

TEST(Idx, FullByteRangeMapsToZeroAndOne) {
  testing::TempDir dir;
  const Mat<float> X = load_idx_images<float>(dir.write("img", idx_images(1, 16, 16)));
  EXPECT_EQ(X.minCoeff(), 0.0f);
  EXPECT_EQ(X.maxCoeff(), 1.0f);
}

TEST(Idx, WrittenLabelsLoadBack) {
  testing::TempDir dir;
  const std::vector<int> labels = {0, 9, 3, 255, 7};
  EXPECT_EQ(load_idx_labels(dir.write("lab.gz", gzip(idx_labels(labels)))), labels);
}

// The first n images and labels are the whole file's first n, raw or gzip'd; the file's own
// count is still reported; n beyond it gives them all.
TEST(Idx, FirstImagesAndLabelsAreAPrefixOfTheWholeFiles) {
  testing::TempDir dir;
  const std::string bytes = idx_images(5, 3, 4);
  const std::vector<int> labels = {0, 9, 3, 255, 7};
  for (const bool packed : {false, true}) {
    const auto images = dir.write(packed ? "img.gz" : "img", packed ? gzip(bytes) : bytes);
    const std::string label_bytes = idx_labels(labels);
    const auto label_file = dir.write(packed ? "lab.gz" : "lab", packed ? gzip(label_bytes) : label_bytes);
    const Mat<double> all = load_idx_images<double>(images);
    for (const Index n : {0, 2, 5, 9}) {
      SCOPED_TRACE(n);
      IdxImagesShape shape;
      const Mat<double> X = load_idx_images<double>(images, &shape, n);
      EXPECT_TRUE(X == all.leftCols(std::min<Index>(n, 5)));
      EXPECT_EQ(shape.count, 5);
      Index count = 0;
      EXPECT_EQ(load_idx_labels(label_file, &count, n),
                std::vector<int>(labels.begin(), labels.begin() + std::min<Index>(n, 5)));
      EXPECT_EQ(count, 5);
    }
  }
}

// Asked for the first n, the loader reads no further: a file cut (or corrupt) after them loads,
// one cut before them fails as a whole load does.
TEST(Idx, FirstReadsOnlyAsFarAsTheImagesAsked) {
  testing::TempDir dir;
  const std::string bytes = idx_images(100, 28, 28);
  const std::size_t header = 16, image = 784;
  const auto cut = dir.write("cut", bytes.substr(0, header + 40 * image + 5));
  const Mat<float> all = load_idx_images<float>(dir.write("all", bytes));
  EXPECT_TRUE(load_idx_images<float>(cut, nullptr, 40) == all.leftCols(40));
  EXPECT_ERROR_CONTAINS(load_idx_images<float>(cut, nullptr, 41), cut.string(), "truncated");
  EXPECT_ERROR_CONTAINS(load_idx_images<float>(cut), cut.string(), "truncated");
  // gzip: garbage over the end of the compressed stream and its CRC is never decompressed
  // (nor checked) when the images asked for come before it.
  std::string packed = gzip(bytes);
  packed.replace(packed.size() - 40, 40, std::string(40, '\x5a'));
  const auto corrupt = dir.write("corrupt.gz", packed);
  EXPECT_EQ(load_idx_images<float>(corrupt, nullptr, 10).cols(), 10);
  EXPECT_ERROR_CONTAINS(load_idx_images<float>(corrupt), corrupt.string(), "corrupt gzip");
  EXPECT_ERROR_CONTAINS(load_idx_images<float>(cut, nullptr, -1), "negative number of images");
  EXPECT_ERROR_CONTAINS(load_idx_labels(dir.write("labels", idx_labels({1, 2})), nullptr, -1),
                        "negative number of labels");
}

TEST(Idx, WrongMagic) {
  testing::TempDir dir;
  const auto labels_as_images = dir.write("labels-as-images", idx_labels({1, 2}));
  EXPECT_ERROR_CONTAINS(load_idx_images<float>(labels_as_images), labels_as_images.string(),
                        "wrong magic 0x00000801", "expected 0x00000803");
  const auto text = dir.write("text.idx", "hello world, not idx");
  EXPECT_ERROR_CONTAINS(load_idx_labels(text), text.string(), "wrong magic", "not an IDX file");
}

TEST(Idx, UnsupportedDataType) {
  testing::TempDir dir;
  const auto path = dir.write("float-images", idx_images(1, 2, 2, 0x00000d03));
  EXPECT_ERROR_CONTAINS(load_idx_images<float>(path), path.string(), "data type 0x0d");
}

TEST(Idx, TruncatedData) {
  testing::TempDir dir;
  const std::string bytes = idx_images(10, 28, 28);
  const auto path = dir.write("cut.gz", gzip(bytes.substr(0, 1000)));
  EXPECT_ERROR_CONTAINS(load_idx_images<float>(path), path.string(),
                        "truncated: header promises 7856 bytes, file has 1000");
}

// A corrupt header must be rejected before its dims are allocated: 3 × 32 bits overflow 64,
// and 2^48 bytes cannot come out of a 116-byte file (deflate expands at most 1032-fold).
TEST(Idx, HeaderPromisingMoreThanTheFileCanHold) {
  testing::TempDir dir;
  for (std::uint32_t d : {0xffffffffu, 0x10000u}) {
    std::string bytes;
    put_u32(bytes, idx_images_magic);
    for (int k = 0; k < 3; ++k) put_u32(bytes, d);
    bytes.append(100, '\0');
    const auto path = dir.write("huge", bytes);
    EXPECT_ERROR_CONTAINS(load_idx_images<float>(path), path.string(),
                          "promise more data than the 116-byte file can hold");
  }
  std::string labels;
  put_u32(labels, idx_labels_magic);
  put_u32(labels, 0xffffffffu);
  labels.append(20, '\1');
  const auto path = dir.write("many-labels", labels);
  EXPECT_ERROR_CONTAINS(load_idx_labels(path), path.string(),
                        "header dimensions 4294967295 promise more data than the 28-byte file");
}

TEST(Idx, TruncatedHeader) {
  testing::TempDir dir;
  const auto path = dir.write("short", idx_images(1, 2, 2).substr(0, 10));
  EXPECT_ERROR_CONTAINS(load_idx_images<float>(path), path.string(), "truncated");
}

TEST(Idx, TrailingBytes) {
  testing::TempDir dir;
  const auto path = dir.write("long", idx_labels({1, 2, 3}) + "xx");
  EXPECT_ERROR_CONTAINS(load_idx_labels(path), path.string(), "2 trailing bytes",
                        "header promises 11 bytes, file has 13");
}

TEST(Idx, EmptyFile) {
  testing::TempDir dir;
  const auto path = dir.write("empty", "");
  EXPECT_ERROR_CONTAINS(load_idx_labels(path), path.string(), "empty file");
}

TEST(Idx, CorruptGzip) {
  testing::TempDir dir;
  std::string packed = gzip(idx_images(20, 28, 28));
  packed[packed.size() / 2] ^= 0x5a;
  const auto path = dir.write("corrupt.gz", packed);
  EXPECT_ERROR_CONTAINS(load_idx_images<float>(path), path.string(), "corrupt gzip");
}

}  // namespace
}  // namespace nnlab::data
