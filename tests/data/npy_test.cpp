// NPY: save_npy → load_npy round trips, files written byte by byte in numpy's layout for
// each version and dtype, and every malformed file named with the problem.
#include "nnlab/data/npy.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>

#include "temp_dir.hpp"

namespace nnlab::data {
namespace {

// An NPY file: magic, version, header length (2 bytes for 1.0, 4 otherwise), dict + '\n',
// then `data` as given.
std::string npy_bytes(const std::string& dict, const std::string& data, int major = 1) {
  std::string s = "\x93NUMPY";
  s += char(major);
  s += '\0';
  const std::string header = dict + "\n";
  const int width = major == 1 ? 2 : 4;
  for (int k = 0; k < width; ++k) s += char((header.size() >> (8 * k)) & 0xff);
  return s + header + data;
}

template <class T>
std::string raw(std::initializer_list<T> values) {
  std::string s(values.size() * sizeof(T), '\0');
  std::memcpy(s.data(), std::data(values), s.size());
  return s;
}

TEST(Npy, RoundTripKeepsShapeAndValues) {
  testing::TempDir dir;
  Mat<double> A(3, 4);
  for (Index i = 0; i < 3; ++i)
    for (Index j = 0; j < 4; ++j) A(i, j) = 10.0 * double(i) + double(j) + 1.0 / 3.0;
  save_npy(dir.path() / "a.npy", A);
  EXPECT_EQ(load_npy<double>(dir.path() / "a.npy"), A);
  const Mat<float> Af = A.cast<float>();
  save_npy(dir.path() / "af.npy", Af);
  EXPECT_EQ(load_npy<float>(dir.path() / "af.npy"), Af);
  const Vec<double> v = Vec<double>::LinSpaced(5, -1, 1);
  save_npy(dir.path() / "v.npy", v);
  const Mat<double> V = load_npy<double>(dir.path() / "v.npy");
  EXPECT_EQ(V.rows(), 5);
  EXPECT_EQ(V.cols(), 1);
  EXPECT_EQ(Vec<double>(V.col(0)), v);
}

TEST(Npy, SavedHeaderIsNumpyLayout) {
  testing::TempDir dir;
  save_npy(dir.path() / "a.npy", Mat<double>::Ones(2, 3).eval());
  const std::string bytes = read_file(dir.path() / "a.npy");
  const std::size_t header_length = std::size_t(std::uint8_t(bytes[8])) | std::size_t(std::uint8_t(bytes[9])) << 8;
  EXPECT_EQ((10 + header_length) % 64, 0u);  // numpy aligns the data to 64 bytes
  EXPECT_EQ(bytes.size(), 10 + header_length + 6 * 8);
  EXPECT_NE(bytes.find("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"),
            std::string::npos);
}

TEST(Npy, RowMajorDataMapsToMatrixEntries) {
  testing::TempDir dir;
  // numpy: np.array([[1, 2, 3], [4, 5, 6]], dtype='<f4') — C order lists row 0 first.
  const auto path = dir.write(
      "m.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                         raw<float>({1, 2, 3, 4, 5, 6})));
  EXPECT_EQ(load_npy<double>(path), (Mat<double>(2, 3) << 1, 2, 3, 4, 5, 6).finished());
}

TEST(Npy, VersionsAndIntegerDtypesConvert) {
  testing::TempDir dir;
  const Mat<double> expected = (Mat<double>(2, 2) << 0, 7, 255, 3).finished();
  const std::string shape = "'fortran_order': False, 'shape': (2, 2)}";
  for (int major : {1, 2, 3}) {
    EXPECT_EQ(load_npy<double>(dir.write("i8.npy", npy_bytes("{'descr': '<i8', " + shape,
                                                             raw<std::int64_t>({0, 7, 255, 3}), major))),
              expected);
    EXPECT_EQ(load_npy<double>(dir.write("i4.npy", npy_bytes("{\"descr\": \"<i4\", " + shape,
                                                             raw<std::int32_t>({0, 7, 255, 3}), major))),
              expected);
    EXPECT_EQ(load_npy<float>(dir.write("u1.npy", npy_bytes("{'descr': '|u1', " + shape,
                                                            raw<std::uint8_t>({0, 7, 255, 3}), major))),
              expected.cast<float>());
  }
  const auto negative = dir.write("neg.npy", npy_bytes("{'descr': '<i4', 'fortran_order': False, "
                                                       "'shape': (2,)}", raw<std::int32_t>({-5, 9})));
  EXPECT_EQ(load_npy<double>(negative), (Mat<double>(2, 1) << -5, 9).finished());
}

TEST(Npy, WrongMagic) {
  testing::TempDir dir;
  const auto path = dir.write("x.npy", "PK\x03\x04 this is a zip (an .npz?)");
  EXPECT_ERROR_CONTAINS(load_npy<double>(path), path.string(), "wrong magic");
  const auto empty = dir.write("empty.npy", "");
  EXPECT_ERROR_CONTAINS(load_npy<double>(empty), empty.string(), "empty file");
}

TEST(Npy, UnsupportedVersion) {
  testing::TempDir dir;
  const auto path = dir.write("v9.npy", npy_bytes("{}", "", 9));
  EXPECT_ERROR_CONTAINS(load_npy<double>(path), path.string(), "unsupported NPY version 9.0");
}

TEST(Npy, BadHeaderDict) {
  testing::TempDir dir;
  const std::string good_rest = "'fortran_order': False, 'shape': (1,)}";
  const auto unterminated =
      dir.write("a.npy", npy_bytes("{'descr': '<f8, " + good_rest, raw<double>({1})));
  EXPECT_ERROR_CONTAINS(load_npy<double>(unterminated), unterminated.string(), "bad NPY header");
  const auto missing = dir.write("b.npy", npy_bytes("{'descr': '<f8', 'shape': (1,)}", raw<double>({1})));
  EXPECT_ERROR_CONTAINS(load_npy<double>(missing), missing.string(), "bad NPY header",
                        "missing key 'fortran_order'");
  const auto unknown = dir.write(
      "c.npy", npy_bytes("{'descr': '<f8', 'colour': 'red', " + good_rest, raw<double>({1})));
  EXPECT_ERROR_CONTAINS(load_npy<double>(unknown), unknown.string(), "unknown key 'colour'");
  const auto bad_bool =
      dir.write("d.npy", npy_bytes("{'descr': '<f8', 'fortran_order': maybe, 'shape': (1,)}", ""));
  EXPECT_ERROR_CONTAINS(load_npy<double>(bad_bool), bad_bool.string(), "expected True or False");
  const auto bad_shape =
      dir.write("e.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (a,)}", ""));
  EXPECT_ERROR_CONTAINS(load_npy<double>(bad_shape), bad_shape.string(),
                        "expected a non-negative integer");
  std::string no_newline = npy_bytes("{'descr': '<f8', " + good_rest, raw<double>({1}));
  no_newline[no_newline.size() - 8 - 1] = ' ';  // the header's final '\n', before 8 data bytes
  const auto nl = dir.write("f.npy", no_newline);
  EXPECT_ERROR_CONTAINS(load_npy<double>(nl), nl.string(), "must end with a newline");
}

TEST(Npy, FortranOrderIsRejected) {
  testing::TempDir dir;
  const auto path = dir.write("f.npy", npy_bytes("{'descr': '<f8', 'fortran_order': True, "
                                                 "'shape': (1, 2)}", raw<double>({1, 2})));
  EXPECT_ERROR_CONTAINS(load_npy<double>(path), path.string(), "fortran_order is True",
                        "only C-order");
}

TEST(Npy, UnsupportedDtypeAndRank) {
  testing::TempDir dir;
  const auto complex = dir.write("c.npy", npy_bytes("{'descr': '<c16', 'fortran_order': False, "
                                                    "'shape': (1,)}", std::string(16, '\0')));
  EXPECT_ERROR_CONTAINS(load_npy<double>(complex), complex.string(), "unsupported dtype '<c16'");
  const auto big = dir.write("b.npy", npy_bytes("{'descr': '>f8', 'fortran_order': False, "
                                                "'shape': (1,)}", std::string(8, '\0')));
  EXPECT_ERROR_CONTAINS(load_npy<double>(big), big.string(), "unsupported dtype '>f8' (big-endian)");
  const auto cube = dir.write("t.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, "
                                                 "'shape': (1, 1, 1)}", raw<double>({1})));
  EXPECT_ERROR_CONTAINS(load_npy<double>(cube), cube.string(), "3-D array");
}

TEST(Npy, TruncatedAndTrailingData) {
  testing::TempDir dir;
  const std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}";
  const auto cut = dir.write("cut.npy", npy_bytes(dict, std::string(40, '\0')));
  EXPECT_ERROR_CONTAINS(load_npy<double>(cut), cut.string(), "truncated", "needs 48 data bytes, file has 40");
  const auto longer = dir.write("long.npy", npy_bytes(dict, std::string(50, '\0')));
  EXPECT_ERROR_CONTAINS(load_npy<double>(longer), longer.string(), "2 trailing bytes");
  std::string header_cut = npy_bytes(dict, "");
  header_cut.resize(30);
  const auto hc = dir.write("hcut.npy", header_cut);
  EXPECT_ERROR_CONTAINS(load_npy<double>(hc), hc.string(), "truncated", "header");
}

// A shape whose byte count wraps around 2^64 must not pass the size check and then allocate.
TEST(Npy, ShapeWhoseSizeWrapsIsRefused) {
  testing::TempDir dir;
  const auto wrap = dir.write("w.npy", npy_bytes("{'descr': '|u1', 'fortran_order': False, "
                                                 "'shape': (4294967296, 4294967296)}", ""));
  EXPECT_ERROR_CONTAINS(load_npy<double>(wrap), wrap.string(), "too large");
  const auto zero = dir.write("z.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, "
                                                 "'shape': (0, 3)}", ""));
  EXPECT_EQ(load_npy<double>(zero).rows(), 0);
}

// NaN or Inf data would only give NaN losses downstream: refused at load with the position.
TEST(Npy, NonFiniteEntriesAreRefusedWithTheirPosition) {
  testing::TempDir dir;
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const auto matrix = dir.write("m.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, "
                                                   "'shape': (2, 3)}", raw<double>({1, 2, 3, 4, nan, 6})));
  EXPECT_ERROR_CONTAINS(load_npy<double>(matrix), matrix.string(), "entry [1, 1] is nan; non-finite values are refused");
  const auto vector = dir.write("v.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, "
                                                   "'shape': (3,)}", raw<float>({1, 2, -float(inf)})));
  EXPECT_ERROR_CONTAINS(load_npy<double>(vector), vector.string(), "entry [2] is -inf");
  // Finite in double, Inf once read as float.
  const auto huge = dir.write("h.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, "
                                                 "'shape': (1, 2)}", raw<double>({1, 1e300})));
  EXPECT_NO_THROW(load_npy<double>(huge));
  EXPECT_ERROR_CONTAINS(load_npy<float>(huge), huge.string(), "entry [0, 1] is 1e+300 (beyond float's range)");
}

}  // namespace
}  // namespace nnlab::data
