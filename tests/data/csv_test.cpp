// CSV loader: scikit-learn's real files from Debian (skipped if absent), delimiter and header
// detection, targets and classes, and every malformed input named with file and line.
#include "nnlab/data/csv.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nnlab/data/gzip.hpp"
#include "temp_dir.hpp"

namespace nnlab::data {
namespace {

const std::filesystem::path sklearn_data = "/usr/lib/python3/dist-packages/sklearn/datasets/data";

TEST(CsvSklearn, DiabetesFeaturesAndTargetsFromTwoGzipFiles) {
  const auto x = sklearn_data / "diabetes_data_raw.csv.gz", y = sklearn_data / "diabetes_target.csv.gz";
  if (!std::filesystem::exists(x)) GTEST_SKIP() << "Debian package python3-sklearn absent";
  const Mat<double> raw = read_csv_matrix(x);
  ASSERT_EQ(raw.rows(), 442);
  ASSERT_EQ(raw.cols(), 10);
  // First row of the file: "59 2 32.1 101.0 157 93.2 38.0 4.0 4.8598 87".
  EXPECT_EQ(raw(0, 0), 59.0);
  EXPECT_EQ(raw(0, 8), 4.8598);
  EXPECT_EQ(raw(0, 9), 87.0);
  // Column 1 is sex, coded 1 or 2.
  EXPECT_TRUE(((raw.col(1).array() == 1.0) || (raw.col(1).array() == 2.0)).all());

  const Dataset<double> d = load_csv<double>(x, y);
  EXPECT_EQ(d.inputs(), 10);
  EXPECT_EQ(d.size(), 442);
  EXPECT_EQ(d.outputs(), 1);
  EXPECT_FALSE(d.is_classification());
  EXPECT_EQ(d.Y(0, 0), 151.0);
  EXPECT_EQ(d.X.col(0), raw.row(0).transpose());
  // Efron et al. 2004: disease progression one year after baseline ranges over 25..346.
  EXPECT_EQ(d.Y.minCoeff(), 25.0);
  EXPECT_EQ(d.Y.maxCoeff(), 346.0);
}

TEST(CsvSklearn, BreastCancerWithSkippedPreamble) {
  const auto path = sklearn_data / "breast_cancer.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "Debian package python3-sklearn absent";
  // Without skip_rows the preamble "569,30,malignant,benign" is taken as a header and the
  // error says how to fix it.
  EXPECT_ERROR_CONTAINS(load_csv<double>(path, {.classification = true}), path.string(),
                        "line 2 has 31 fields but the header (line 1) has 4", "skip_rows");
  const Dataset<double> d = load_csv<double>(path, {.classification = true, .skip_rows = 1});
  EXPECT_EQ(d.inputs(), 30);
  EXPECT_EQ(d.size(), 569);
  EXPECT_EQ(d.num_classes, 2);
  EXPECT_EQ(d.outputs(), 2);
  // Wolberg et al.: 212 malignant (0) and 357 benign (1).
  EXPECT_EQ(std::count(d.labels.begin(), d.labels.end(), 0), 212);
  EXPECT_EQ(std::count(d.labels.begin(), d.labels.end(), 1), 357);
  EXPECT_EQ(d.Y.row(1).sum(), 357.0);
  EXPECT_EQ(d.X(0, 0), 17.99);
  EXPECT_EQ(d.name, "breast_cancer");
}

TEST(Csv, DelimiterDetection) {
  testing::TempDir dir;
  const Mat<double> expected = (Mat<double>(2, 3) << 1, 2.5, -3, 4e2, 0, 6).finished();
  for (const std::string text : {"1,2.5,-3\n4e2,0,6\n", "1;2.5;-3\r\n4e2;0;6\r\n",
                                 "1\t2.5\t-3\n4e2\t0\t6", "  1  2.5 -3\n\n4e2\t 0 6  \n\n",
                                 "1, 2.5 , \"-3\"\n+4e2,0,6\n"})
    EXPECT_EQ(read_csv_matrix(dir.write("m.csv", text)), expected) << text;
}

TEST(Csv, HeaderDetectionAndNames) {
  testing::TempDir dir;
  const auto with = dir.write("with.csv", "x1,\"x2\",y\n1,2,3\n");
  const CsvTable table = read_csv(with);
  EXPECT_EQ(table.header, (std::vector<std::string>{"x1", "x2", "y"}));
  EXPECT_EQ(table.values.rows(), 1);
  EXPECT_EQ(table.lines, std::vector<std::size_t>{2});
  // A numeric first row is data unless header = 1 says otherwise.
  const auto without = dir.write("without.csv", "1,2,3\n4,5,6\n");
  EXPECT_EQ(read_csv_matrix(without).rows(), 2);
  EXPECT_EQ(read_csv_matrix(without, {.header = 1}).rows(), 1);
  EXPECT_ERROR_CONTAINS(read_csv_matrix(with, {.header = 0}), with.string(),
                        "line 1, field 1: 'x1' is not a number");
}

// A UTF-8 byte-order mark (Excel, Notepad) is not part of the first field: a headerless file
// keeps its first row, and a header keeps its first name.
TEST(Csv, ByteOrderMarkIsSkipped) {
  testing::TempDir dir;
  const auto plain = dir.write("bom.csv", "\xEF\xBB\xBF" "1,2,3\n4,5,6\n");
  const Mat<double> expected = (Mat<double>(2, 3) << 1, 2, 3, 4, 5, 6).finished();
  EXPECT_EQ(read_csv_matrix(plain), expected);
  const auto headed = dir.write("bom_header.csv", "\xEF\xBB\xBF" "x1,y\n1,2\n");
  EXPECT_EQ(read_csv(headed).header, (std::vector<std::string>{"x1", "y"}));
}

TEST(Csv, TargetColumnChoices) {
  testing::TempDir dir;
  const auto path = dir.write("t.csv", "1,10,100\n2,20,200\n");
  const Dataset<double> last = load_csv<double>(path);
  EXPECT_EQ(last.X, (Mat<double>(2, 2) << 1, 2, 10, 20).finished());
  EXPECT_EQ(last.Y, (Mat<double>(1, 2) << 100, 200).finished());
  const Dataset<float> middle = load_csv<float>(path, {.target_column = 1});
  EXPECT_EQ(middle.X, (Mat<float>(2, 2) << 1, 2, 100, 200).finished());
  EXPECT_EQ(middle.Y, (Mat<float>(1, 2) << 10, 20).finished());
  const Dataset<double> none = load_csv<double>(path, {.target_column = -2});
  EXPECT_EQ(none.X.rows(), 3);
  EXPECT_EQ(none.Y.rows(), 0);
  EXPECT_EQ(none.Y.cols(), 2);
  EXPECT_ERROR_CONTAINS(load_csv<double>(path, {.target_column = 3}), path.string(),
                        "target_column 3 does not exist", "3 columns");
}

TEST(Csv, ClassificationTargetsBecomeOneHot) {
  testing::TempDir dir;
  const auto path = dir.write("c.csv.gz", gzip("0.5,2\n1.5,0\n2.5,1\n3.5,2\n"));
  const Dataset<double> d = load_csv<double>(path, {.classification = true});
  EXPECT_EQ(d.labels, (std::vector<int>{2, 0, 1, 2}));
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_EQ(d.Y, (Mat<double>(3, 4) << 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1).finished());
  const auto bad = dir.write("bad.csv", "1,0\n2,1\n3,2.5\n");
  EXPECT_ERROR_CONTAINS(load_csv<double>(bad, {.classification = true}), bad.string(),
                        "line 3: target 2.5 is not a class index");
  const auto negative = dir.write("neg.csv", "1,-1\n");
  EXPECT_ERROR_CONTAINS(load_csv<double>(negative, {.classification = true}),
                        "line 1: target -1 is not a class index");
}

TEST(Csv, RaggedRow) {
  testing::TempDir dir;
  const auto path = dir.write("ragged.csv", "a,b,c,d,e\n1,2,3,4,5\n\n1,2,3,4,5\n1,2,3,4,5\n"
                                            "1,2,3,4,5\n1,2,3,4\n");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(path), path.string(), "line 7 has 4 fields, expected 5");
}

TEST(Csv, NonNumberField) {
  testing::TempDir dir;
  const auto path = dir.write("text.csv", "1,2\n3,4\n5,abc\n");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(path), path.string(), "line 3, field 2: 'abc' is not a number");
  const auto empty_field = dir.write("hole.csv", "1,2\n3,\n");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(empty_field), "line 2, field 2: '' is not a number");
  const auto partial = dir.write("partial.csv", "1,2\n3,4x\n");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(partial), "line 2, field 2: '4x' is not a number");
}

// A NUL byte used to end the message early; control bytes are shown as \xNN.
TEST(Csv, ControlBytesInAFieldAreShownEscaped) {
  testing::TempDir dir;
  const auto path = dir.write("nul.csv", std::string("1,2\n3,4\0x\n", 11));
  EXPECT_ERROR_CONTAINS(read_csv_matrix(path), "nul.csv", "line 2, field 2: '4\\x00x' is not a number");
}

TEST(Csv, NanAndInfAreRejected) {
  testing::TempDir dir;
  const auto nan = dir.write("nan.csv", "1,2\n3,nan\n");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(nan), nan.string(), "line 2, field 2: 'nan' is not finite");
  const auto inf = dir.write("inf.csv", "-inf 2\n");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(inf), inf.string(), "line 1, field 1: '-inf' is not finite");
  const auto huge = dir.write("huge.csv", "1e999\n");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(huge), huge.string(), "'1e999' is out of the range");
}

TEST(Csv, EmptyFiles) {
  testing::TempDir dir;
  const auto empty = dir.write("empty.csv", "");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(empty), empty.string(), "empty file");
  const auto blank = dir.write("blank.csv", "\n  \n\n");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(blank), blank.string(), "empty file");
  const auto header_only = dir.write("header.csv", "x,y\n");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(header_only), header_only.string(),
                        "no data rows after the header (line 1)");
  const auto skipped = dir.write("skipped.csv", "preamble\n");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(skipped, {.skip_rows = 1}), skipped.string(),
                        "empty file after skipping 1 rows");
}

TEST(Csv, CorruptGzip) {
  testing::TempDir dir;
  std::string packed = gzip("1,2\n3,4\n");
  packed.resize(packed.size() - 6);
  const auto path = dir.write("cut.csv.gz", packed);
  EXPECT_ERROR_CONTAINS(read_csv_matrix(path), path.string(), "corrupt gzip");
}

TEST(Csv, FeatureAndTargetFilesMustPair) {
  testing::TempDir dir;
  const auto x = dir.write("x.csv", "1 2\n3 4\n5 6\n");
  const auto y = dir.write("y.csv", "1\n0\n");
  EXPECT_ERROR_CONTAINS(load_csv<double>(x, y), x.string(), "has 3 rows", y.string(), "has 2");
  const auto y3 = dir.write("y3.csv", "1\n0\n1\n");
  const Dataset<float> d = load_csv<float>(x, y3, {.classification = true});
  EXPECT_EQ(d.labels, (std::vector<int>{1, 0, 1}));
  EXPECT_EQ(d.X, (Mat<float>(2, 3) << 1, 3, 5, 2, 4, 6).finished());
}

TEST(Csv, InvalidOptions) {
  testing::TempDir dir;
  const auto path = dir.write("m.csv", "1,2\n");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(path, {.header = 2}), "header = 2");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(path, {.target_column = -3}), "target_column = -3");
  EXPECT_ERROR_CONTAINS(read_csv_matrix(path, {.delimiter = '.'}), "delimiter '.'");
}

}  // namespace
}  // namespace nnlab::data
