// Standardization, splits and subsets: invariants (zero mean / unit variance on the fit set,
// partitions, column correspondence) rather than stored numbers.
#include "nnlab/data/transform.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "nnlab/data/synthetic.hpp"
#include "temp_dir.hpp"

namespace nnlab::data {
namespace {

// A data set whose sample j has X(0, j) = j, so provenance is visible after any transform.
Dataset<double> numbered(Index n) {
  Dataset<double> d;
  d.X.resize(3, n);
  d.Y.resize(1, n);
  for (Index j = 0; j < n; ++j) {
    d.X.col(j) << double(j), 2.0 * double(j) + 5.0, 7.0;  // third feature constant
    d.Y(0, j) = -double(j);
    d.labels.push_back(int(j % 3));
  }
  d.num_classes = 3;
  d.name = "numbered";
  return d;
}

TEST(Standardizer, FitSetHasZeroMeanUnitVarianceAndConstantsMapToZero) {
  const Dataset<double> d = numbered(101);
  const auto s = Standardizer<double>::fit(d);
  const Mat<double> Z = s.apply(d.X);
  for (Index i = 0; i < 2; ++i) {
    EXPECT_NEAR(Z.row(i).mean(), 0, 1e-12);
    EXPECT_NEAR(Z.row(i).squaredNorm() / 101, 1, 1e-12);
  }
  EXPECT_EQ(s.scale(2), 1.0);
  EXPECT_EQ(Z.row(2).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_LT((s.invert(Z) - d.X).cwiseAbs().maxCoeff(), 1e-12);
  // Population std of 0..100 is sqrt((101² − 1)/12).
  EXPECT_NEAR(s.scale(0), std::sqrt((101.0 * 101.0 - 1) / 12), 1e-12);
  const Dataset<double> applied = s.apply(d);
  EXPECT_EQ(applied.X, Z);
  EXPECT_EQ(applied.Y, d.Y);
}

TEST(Standardizer, TrainStatisticsApplyToTestAndFloatMatchesDouble) {
  Rng rng = make_rng(1, stream::data);
  const auto split = train_test_split(two_moons(1000, 0.1, rng), 0.3, rng);
  const auto s = Standardizer<double>::fit(split.train);
  const Mat<double> test = s.apply(split.test.X);
  // The test set is standardized with the training μ, s: (x − μ)/s exactly.
  EXPECT_LT((test - ((split.test.X.colwise() - s.mean).array().colwise() / s.scale.array()).matrix())
                .cwiseAbs().maxCoeff(), 1e-15);
  const auto sf = Standardizer<float>::fit(split.train.X.cast<float>().eval());
  EXPECT_LT((sf.mean.cast<double>() - s.mean).cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_LT((sf.scale.cast<double>() - s.scale).cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_ERROR_CONTAINS(s.apply(Mat<double>::Zero(3, 4).eval()), "fit on 2 features, applied to 3");
}

TEST(TrainTestSplit, PartitionsTheSamplesKeepingColumnsTogether) {
  const Dataset<double> d = numbered(50);
  Rng rng = make_rng(2, stream::shuffle);
  const Split<double> split = train_test_split(d, 0.2, rng);
  EXPECT_EQ(split.train.size(), 40);
  EXPECT_EQ(split.test.size(), 10);
  std::set<Index> seen;
  for (const auto* part : {&split.train, &split.test}) {
    EXPECT_EQ(part->num_classes, 3);
    for (Index k = 0; k < part->size(); ++k) {
      const auto j = Index(part->X(0, k));
      seen.insert(j);
      EXPECT_EQ(part->X.col(k), d.X.col(j));
      EXPECT_EQ(part->Y(0, k), -double(j));
      EXPECT_EQ(part->labels[std::size_t(k)], int(j % 3));
    }
  }
  EXPECT_EQ(seen.size(), 50u);
  // Same seed, same split; the split is not simply the last 10 samples.
  Rng again = make_rng(2, stream::shuffle);
  EXPECT_EQ(train_test_split(d, 0.2, again).test.X, split.test.X);
  EXPECT_NE(split.test.X.row(0), d.X.row(0).rightCols(10));
}

TEST(TrainTestSplit, RejectsFractionsLeavingAnEmptySet) {
  const Dataset<double> d = numbered(10);
  Rng rng = make_rng(3, stream::shuffle);
  EXPECT_ERROR_CONTAINS(train_test_split(d, 1.0, rng), "test_fraction 1 must be in (0, 1)");
  EXPECT_ERROR_CONTAINS(train_test_split(d, 0.01, rng), "'numbered'", "leaves an empty set");
}

TEST(Subset, PicksColumnsInOrderWithRepeats) {
  const Dataset<double> d = numbered(6);
  const Dataset<double> s = subset(d, {4, 1, 4});
  EXPECT_EQ(s.X.row(0), (Mat<double>(1, 3) << 4, 1, 4).finished());
  EXPECT_EQ(s.labels, (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(s.Y(0, 1), -1.0);
  EXPECT_ERROR_CONTAINS(subset(d, {0, 6}), "index 6 is outside 0..5");
}

TEST(Head, FirstSamples) {
  const Dataset<double> d = numbered(6);
  const Dataset<double> h = head(d, 2);
  EXPECT_EQ(h.X, d.X.leftCols(2));
  EXPECT_EQ(h.labels, (std::vector<int>{0, 1}));
  EXPECT_EQ(h.name, "numbered");
  EXPECT_ERROR_CONTAINS(head(d, 7), "n = 7 must be in 0..6");
}

// A 4 × 4 image pooled by 2: each output pixel the mean of its 2 × 2 block; targets kept.
TEST(AveragePool, MeansOfBlocksInRowMajorLayout) {
  Dataset<double> d;
  d.X.resize(16, 2);
  for (Index i = 0; i < 16; ++i) {
    d.X(i, 0) = double(i);         // pixel (r, c) = 4r + c
    d.X(i, 1) = i == 5 ? 4.0 : 0;  // one bright pixel at (1, 1)
  }
  d.Y = Mat<double>::Identity(2, 2);
  d.labels = {0, 1};
  d.num_classes = 2;
  const Dataset<double> p = average_pool(d, 4, 2);
  ASSERT_EQ(p.inputs(), 4);
  // Blocks {0,1,4,5}, {2,3,6,7}, {8,9,12,13}, {10,11,14,15}.
  EXPECT_DOUBLE_EQ(p.X(0, 0), 2.5);
  EXPECT_DOUBLE_EQ(p.X(1, 0), 4.5);
  EXPECT_DOUBLE_EQ(p.X(2, 0), 10.5);
  EXPECT_DOUBLE_EQ(p.X(3, 0), 12.5);
  EXPECT_DOUBLE_EQ(p.X(0, 1), 1.0);
  EXPECT_DOUBLE_EQ(p.X.col(1).sum(), 1.0);
  EXPECT_TRUE(p.Y == d.Y);
  EXPECT_EQ(p.labels, d.labels);
  EXPECT_THROW(average_pool(d, 5, 1), Error);
  EXPECT_THROW(average_pool(d, 4, 3), Error);
}

}  // namespace
}  // namespace nnlab::data
