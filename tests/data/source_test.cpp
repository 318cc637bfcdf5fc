// data::Source with NPY files: X.npy (samples × features) and y.npy load as columns of X and Y,
// labels or regression targets as the task says, split and standardized like CSV, and every
// mismatch (lengths, rank, dtype, labels, a missing --targets) is an error naming the file.
#include "nnlab/data/source.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "nnlab/data/npy.hpp"
#include "temp_dir.hpp"

namespace nnlab::data {
namespace {

Source only(const std::string& data) {
  Source s;
  s.data = data;
  return s;
}

// 10 samples, 3 features: row i of X is (i, 2i, −i); y = i mod 2 (labels) and z = 0.5 i.
struct Files {
  testing::TempDir dir;
  std::filesystem::path X, labels, values, two_columns;
  Files() {
    Mat<double> x(10, 3);
    Vec<double> y(10), z(10);
    Mat<double> y2(10, 2);
    for (Index i = 0; i < 10; ++i) {
      x.row(i) << double(i), 2.0 * double(i), -double(i);
      y[i] = double(i % 2);
      z[i] = 0.5 * double(i);
      y2.row(i) << z[i], -z[i];
    }
    X = dir.path() / "X.npy", labels = dir.path() / "y.npy", values = dir.path() / "z.npy";
    two_columns = dir.path() / "y2.npy";
    save_npy(X, x);
    save_npy(labels, y);
    save_npy(values, z);
    save_npy(two_columns, y2);
  }
  Source source(const std::filesystem::path& targets) const {
    return {.data = X.string(), .targets = targets.string(), .test_fraction = 0};
  }
};

TEST(NpySource, LoadsSamplesAsColumnsWithLabelsOrTargets) {
  const Files f;
  const Split<double> labelled = load_split<double>(f.source(f.labels));
  ASSERT_EQ(labelled.train.size(), 10);
  EXPECT_EQ(labelled.train.inputs(), 3);
  EXPECT_EQ(labelled.train.num_classes, 2);
  EXPECT_EQ(labelled.train.X(1, 4), 8.0);  // sample 4, feature 1 = 2·4
  EXPECT_EQ(labelled.train.labels[3], 1);
  EXPECT_EQ(labelled.train.Y(1, 3), 1.0);  // one-hot
  EXPECT_EQ(labelled.test.size(), 0);

  const Split<float> regression = load_split<float>(f.source(f.values));
  EXPECT_FALSE(regression.train.is_classification());
  EXPECT_EQ(regression.train.Y(0, 6), 3.0f);
  const Split<double> two = load_split<double>(f.source(f.two_columns));
  EXPECT_EQ(two.train.outputs(), 2);
  EXPECT_EQ(two.train.Y(1, 6), -3.0);

  // --task regression keeps 0/1 as numbers; a split as for CSV.
  Source s = f.source(f.labels);
  s.task = "regression";
  EXPECT_FALSE(load_split<double>(s).train.is_classification());
  s.test_fraction = 0.3;
  const Split<double> split = load_split<double>(s);
  EXPECT_EQ(split.train.size() + split.test.size(), 10);
  EXPECT_EQ(split.test.size(), 3);
  // A head of each half is cut after the split: the first samples of the split loaded whole.
  const Split<double> head = load_split<double>(s, {.train = 4, .test = 9});
  EXPECT_TRUE(head.train.X == split.train.X.leftCols(4));
  EXPECT_TRUE(head.train.Y == split.train.Y.leftCols(4));
  EXPECT_TRUE(head.test.X == split.test.X);
  EXPECT_ERROR_CONTAINS(load_split<double>(s, {.train = -1}), "negative");
}

TEST(NpySource, RecordsTheTargetsAbsoluteAndRoundTrips) {
  Source s;
  s.data = "X.npy", s.targets = "y.npy";
  const Source a = s.absolute();
  EXPECT_EQ(a.targets, (std::filesystem::current_path() / "y.npy").string());
  EXPECT_EQ(Source::from_json(a.to_json()).targets, a.targets);
  // A source without targets writes no such field (older records and readers stay as they were).
  EXPECT_FALSE(only("a.csv").to_json().contains("targets"));
}

TEST(NpySource, MismatchesAreNamed) {
  const Files f;
  const std::string x = f.X.string();
  EXPECT_ERROR_CONTAINS(load_split<double>(only(x)), x, "name its targets with --targets");
  EXPECT_ERROR_CONTAINS(load_split<double>(f.source(f.dir.path() / "none.npy")), "none.npy", "no such file");

  Vec<double> short_y = Vec<double>::Zero(9);
  save_npy(f.dir.path() / "short.npy", short_y);
  EXPECT_ERROR_CONTAINS(load_split<double>(f.source(f.dir.path() / "short.npy")),
                        "has 10 samples (rows) but --targets", "short.npy' has 9");

  Vec<double> flat = Vec<double>::Zero(10);
  save_npy(f.dir.path() / "flat.npy", flat);
  Source rank1 = f.source(f.labels);
  rank1.data = (f.dir.path() / "flat.npy").string();
  EXPECT_ERROR_CONTAINS(load_split<double>(rank1), "flat.npy", "X has shape (10,), but it must be 2-D");

  // A dtype the reader does not take: complex.
  std::string complex = "\x93NUMPY\x01";
  complex += '\0';
  const std::string header = "{'descr': '<c16', 'fortran_order': False, 'shape': (10,)}\n";
  complex += char(header.size());
  complex += '\0';
  complex += header + std::string(160, '\0');
  EXPECT_ERROR_CONTAINS(load_split<double>(f.source(f.dir.write("c.npy", complex))), "c.npy",
                        "unsupported dtype '<c16'");

  Source labels = f.source(f.values);
  labels.task = "classification";
  EXPECT_ERROR_CONTAINS(load_split<double>(labels), "z.npy", "entry [1] is 0.5; class labels must be integers");
  labels.targets = f.two_columns.string();
  EXPECT_ERROR_CONTAINS(load_split<double>(labels), "y2.npy", "class labels must be one per sample");

  Mat<double> nan_x(10, 3);
  nan_x.setZero();
  nan_x(7, 2) = std::numeric_limits<double>::quiet_NaN();
  save_npy(f.dir.path() / "nan.npy", nan_x);
  Source bad = f.source(f.labels);
  bad.data = (f.dir.path() / "nan.npy").string();
  EXPECT_ERROR_CONTAINS(load_split<double>(bad), "nan.npy", "entry [7, 2] is nan");

  EXPECT_ERROR_CONTAINS(load_split<double>(only(f.dir.write("a.npz", "PK").string())), "a.npz",
                        "not an NPZ file");
  Source csv = only(f.dir.write("a.csv", "1,0\n2,1\n").string());
  csv.targets = f.labels.string();
  EXPECT_ERROR_CONTAINS(load_split<double>(csv), "goes with --data X.npy only");
}

}  // namespace
}  // namespace nnlab::data
