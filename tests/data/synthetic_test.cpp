// Synthetic generators: shapes, same seed → same data, and the stated distributions checked
// statistically (tolerances are 4 computed standard errors) or exactly when noise is 0.
#include "nnlab/data/synthetic.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numbers>

#include "temp_dir.hpp"

namespace nnlab::data {
namespace {

constexpr double pi = std::numbers::pi;

void expect_balanced_two_class(const Dataset<double>& d) {
  EXPECT_EQ(d.num_classes, 2);
  ASSERT_EQ(d.Y.rows(), 2);
  ASSERT_EQ(Index(d.labels.size()), d.size());
  const auto ones = std::count(d.labels.begin(), d.labels.end(), 1);
  EXPECT_LE(std::abs(2 * ones - d.size()), 1);
  for (Index j = 0; j < d.size(); ++j) EXPECT_EQ(d.Y(d.labels[std::size_t(j)], j), 1.0);
  EXPECT_EQ(d.Y.sum(), double(d.size()));
}

// Column by column from the stream, so a design drawn as rows × cols is reproducible, and the
// entries are standard normal (mean 0 and variance 1 to within 4 standard errors).
TEST(Synthetic, GaussianMatrixDrawsColumnByColumn) {
  Rng a = make_rng(21, stream::data), b = make_rng(21, stream::data);
  const Mat<double> M = gaussian_matrix(3, 4, a);
  ASSERT_EQ(M.rows(), 3);
  ASSERT_EQ(M.cols(), 4);
  for (Index j = 0; j < 4; ++j)
    for (Index i = 0; i < 3; ++i) EXPECT_EQ(M(i, j), normal(b));
  const Mat<double> big = gaussian_matrix(200, 200, a);
  const double n = double(big.size()), mean = big.mean();
  EXPECT_NEAR(mean, 0, 4 / std::sqrt(n));
  EXPECT_NEAR((big.array() - mean).square().sum() / (n - 1), 1, 4 * std::sqrt(2 / n));
}

TEST(Synthetic, SameSeedSameDataOtherSeedOtherData) {
  auto draw = [](std::uint64_t seed) {
    Rng rng = make_rng(seed, stream::data);
    const Vec<double> beta = Vec<double>::Ones(3);
    return std::vector<Mat<double>>{
        linear_gaussian(50, 3, beta, 0.1, rng).data.X, teacher(50, 4, 8, 0.1, rng).data.Y,
        sine_regression(50, 0.1, rng).Y, polynomial_regression(50, beta, 0.1, rng).Y,
        two_moons(50, 0.1, rng).X, spirals(50, 2, 0.1, rng).X, xor_blobs(50, 0.1, rng).X};
  };
  const auto a = draw(7), b = draw(7), c = draw(8);
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k], b[k]) << k;
    EXPECT_NE(a[k], c[k]) << k;
  }
}

TEST(Synthetic, Shapes) {
  Rng rng = make_rng(1, stream::data);
  const auto lg = linear_gaussian<float>(30, 4, Vec<double>::Zero(4), 1, rng);
  EXPECT_EQ(lg.data.X.rows(), 4);
  EXPECT_EQ(lg.data.X.cols(), 30);
  EXPECT_EQ(lg.data.Y.rows(), 1);
  EXPECT_FALSE(lg.data.is_classification());
  const auto t = teacher(20, 5, 7, 0, rng);
  EXPECT_EQ(t.net.W.rows(), 7);
  EXPECT_EQ(t.net.W.cols(), 5);
  EXPECT_EQ(t.data.X.rows(), 5);
  EXPECT_EQ(t.data.Y.cols(), 20);
  for (const auto& d : {two_moons(31, 0.1, rng), spirals(31, 1.5, 0.1, rng), xor_blobs(31, 0.1, rng)}) {
    EXPECT_EQ(d.X.rows(), 2);
    EXPECT_EQ(d.size(), 31);
    expect_balanced_two_class(d);
  }
}

// OLS on a large sample: each β̂_k within 4 standard errors σ̂·sqrt([(XXᵀ)⁻¹]_kk) of β_k,
// and the residual variance s² = RSS/(n−d) within 4·σ²·sqrt(2/(n−d)) of σ².
TEST(Synthetic, LinearGaussianOlsRecoversBetaAndSigma) {
  Rng rng = make_rng(3, stream::data);
  const Vec<double> beta = (Vec<double>(4) << 1.5, -2.0, 0.0, 0.25).finished();
  const double sigma = 0.7;
  const Index n = 20000, d = 4;
  const auto lg = linear_gaussian(n, d, beta, sigma, rng);
  EXPECT_EQ(lg.beta, beta);
  EXPECT_EQ(lg.sigma, sigma);
  const Mat<double>& X = lg.data.X;
  const Vec<double> y = lg.data.Y.row(0).transpose();
  const Mat<double> gram_inv = (X * X.transpose()).inverse();
  const Vec<double> beta_hat = gram_inv * X * y;
  const double s2 = (y - X.transpose() * beta_hat).squaredNorm() / double(n - d);
  for (Index k = 0; k < d; ++k)
    EXPECT_NEAR(beta_hat(k), beta(k), 4 * std::sqrt(s2 * gram_inv(k, k))) << k;
  EXPECT_NEAR(s2, sigma * sigma, 4 * sigma * sigma * std::sqrt(2.0 / double(n - d)));
  // x ~ N(0, I): the sample second moment XXᵀ/n is near the identity.
  EXPECT_LT(((X * X.transpose()) / double(n) - Mat<double>::Identity(d, d)).cwiseAbs().maxCoeff(),
            4 * std::sqrt(2.0 / double(n)));
}

TEST(Synthetic, TeacherLabelsAreTheTeacherPlusNoise) {
  Rng rng = make_rng(4, stream::data);
  const auto exact = teacher(100, 3, 10, 0.0, rng);
  const Mat<double> f = exact.net(exact.data.X);
  EXPECT_EQ(exact.data.Y, f);
  // f(x) = Σ_k v_k tanh(w_kᵀ x) by hand for one sample.
  double by_hand = 0;
  for (Index k = 0; k < 10; ++k)
    by_hand += exact.net.v(k) * std::tanh(exact.net.W.row(k).dot(exact.data.X.col(0)));
  EXPECT_NEAR(f(0, 0), by_hand, 1e-14);
  const double sigma = 0.3;
  const Index n = 20000;
  const Dataset<double> noisy = sample_teacher(exact.net, n, sigma, rng);
  const Vec<double> e = (noisy.Y - exact.net(noisy.X)).row(0).transpose();
  EXPECT_NEAR(e.mean(), 0, 4 * sigma / std::sqrt(double(n)));
  EXPECT_NEAR(e.squaredNorm() / double(n), sigma * sigma, 4 * sigma * sigma * std::sqrt(2.0 / double(n)));
}

TEST(Synthetic, SineAndPolynomialResiduals) {
  Rng rng = make_rng(5, stream::data);
  const Index n = 20000;
  const double sigma = 0.2;
  const Dataset<double> s = sine_regression(n, sigma, rng);
  EXPECT_GE(s.X.minCoeff(), -pi);
  EXPECT_LT(s.X.maxCoeff(), pi);
  // x ~ U[−π, π]: mean 0, variance π²/3.
  EXPECT_NEAR(s.X.mean(), 0, 4 * pi / std::sqrt(3.0 * double(n)));
  const Vec<double> e = (s.Y.array() - s.X.array().sin()).row(0).transpose();
  EXPECT_NEAR(e.mean(), 0, 4 * sigma / std::sqrt(double(n)));
  EXPECT_NEAR(e.squaredNorm() / double(n), sigma * sigma, 4 * sigma * sigma * std::sqrt(2.0 / double(n)));

  const Vec<double> c = (Vec<double>(3) << 1, -2, 3).finished();  // 1 − 2x + 3x²
  const Dataset<double> exact = polynomial_regression(100, c, 0, rng);
  EXPECT_GE(exact.X.minCoeff(), -1);
  EXPECT_LT(exact.X.maxCoeff(), 1);
  for (Index j = 0; j < 100; ++j) {
    const double x = exact.X(0, j);
    EXPECT_NEAR(exact.Y(0, j), 1 - 2 * x + 3 * x * x, 1e-14);
  }
}

TEST(Synthetic, NoiselessMoonsLieOnTheirHalfCircles) {
  Rng rng = make_rng(6, stream::data);
  const Dataset<double> d = two_moons(200, 0, rng);
  for (Index j = 0; j < d.size(); ++j) {
    const double x = d.X(0, j), y = d.X(1, j);
    if (d.labels[std::size_t(j)] == 0) {
      EXPECT_NEAR(std::hypot(x, y), 1, 1e-12);
      EXPECT_GE(y, 0);
    } else {
      EXPECT_NEAR(std::hypot(x - 1, y - 0.5), 1, 1e-12);
      EXPECT_LE(y, 0.5);
    }
  }
}

TEST(Synthetic, NoiselessSpiralArmsAreHalfATurnApart) {
  Rng rng = make_rng(7, stream::data);
  const double turns = 1.75;
  const Dataset<double> d = spirals(200, turns, 0, rng);
  for (Index j = 0; j < d.size(); ++j) {
    const double r = std::hypot(d.X(0, j), d.X(1, j));
    const double theta = 2 * pi * turns * r + pi * d.labels[std::size_t(j)];
    // The angle of the point equals θ modulo 2π.
    EXPECT_NEAR(std::remainder(std::atan2(d.X(1, j), d.X(0, j)) - theta, 2 * pi), 0, 1e-9);
  }
}

TEST(Synthetic, XorClassIsSignOfProduct) {
  Rng rng = make_rng(8, stream::data);
  const Dataset<double> exact = xor_blobs(400, 0, rng);
  Index corner_pp = 0;
  for (Index j = 0; j < exact.size(); ++j) {
    EXPECT_EQ(std::abs(exact.X(0, j)), 1.0);
    EXPECT_EQ(exact.labels[std::size_t(j)], exact.X(0, j) * exact.X(1, j) < 0 ? 1 : 0);
    corner_pp += exact.X(0, j) > 0 && exact.X(1, j) > 0;
  }
  // Class 0's 200 points split between (1, 1) and (−1, −1) as Binomial(200, 1/2).
  EXPECT_NEAR(double(corner_pp), 100, 4 * std::sqrt(50.0));
}

TEST(Synthetic, InvalidArguments) {
  Rng rng = make_rng(9, stream::data);
  EXPECT_ERROR_CONTAINS(linear_gaussian(10, 3, Vec<double>::Ones(2), 1, rng), "d = 3",
                        "beta has 2 entries");
  EXPECT_ERROR_CONTAINS(sine_regression(0, 1, rng), "n = 0");
  EXPECT_ERROR_CONTAINS(two_moons(10, -1, rng), "noise -1");
  EXPECT_ERROR_CONTAINS(spirals(10, 0, 0.1, rng), "turns = 0");
  EXPECT_ERROR_CONTAINS(teacher(10, 0, 3, 0.1, rng), "d_in = 0");
}

}  // namespace
}  // namespace nnlab::data
