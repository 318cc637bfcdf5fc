// Lanczos and Hutchinson against dense eigensolvers and exact traces: matrices with a known
// spectrum, a network's Hessian formed column by column from H·e_i, and the cases where the
// estimators must be exact.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <limits>

#include "nnlab/analysis/hessian.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/core/thread_pool.hpp"
#include "nnlab/data/synthetic.hpp"
#include "nnlab/nn/mlp.hpp"
#include "nnlab/train/objective.hpp"
#include "train/blobs.hpp"

namespace nnlab::analysis {
namespace {

HvpFn dense(const Mat<double>& H) {
  return [&H](const Vec<double>& v, Vec<double>& Hv) { Hv = H * v; };
}

// Q diag(λ) Qᵀ with a Haar-random Q.
Mat<double> with_spectrum(const Vec<double>& lambda, Rng& rng) {
  const Index D = lambda.size();
  Mat<double> G(D, D);
  for (Index i = 0; i < G.size(); ++i) G.data()[i] = normal(rng);
  const Mat<double> Q = Eigen::HouseholderQR<Mat<double>>(G).householderQ();
  return Q * lambda.asDiagonal() * Q.transpose();
}

double distance_to_spectrum(double theta, const Vec<double>& lambda) {
  return (lambda.array() - theta).abs().minCoeff();
}

TEST(Lanczos, FindsTheExtremeEigenvaluesOfAKnownSpectrum) {
  Rng rng = make_rng(1, stream::trials);
  const Index D = 300;
  Vec<double> lambda(D);  // a bulk in [0, 1], three outliers above, one negative below
  for (Index i = 0; i < D; ++i) lambda[i] = uniform01(rng);
  lambda.head(4) << 40, 20, 10, -5;
  const Mat<double> H = with_spectrum(lambda, rng);
  const Spectrum s = lanczos(dense(H), D, 60, rng);
  ASSERT_EQ(s.iterations, 60);
  ASSERT_EQ(s.ritz_values.size(), 60u);
  EXPECT_NEAR(s.ritz_values[0], 40, 1e-9);
  EXPECT_NEAR(s.ritz_values[1], 20, 1e-9);
  EXPECT_NEAR(s.ritz_values[2], 10, 1e-9);
  EXPECT_NEAR(s.ritz_values.back(), -5, 1e-9);
  EXPECT_TRUE(std::is_sorted(s.ritz_values.rbegin(), s.ritz_values.rend()));
  // Each residual bounds the distance to the nearest true eigenvalue (the bulk's are loose); with
  // exact products the bound β_m|s_m| is the measured residual.
  for (std::size_t i = 0; i < s.ritz_values.size(); ++i) {
    const double r = residual(dense(H), s, i);
    EXPECT_LE(distance_to_spectrum(s.ritz_values[i], lambda), r + 1e-10) << i;
    EXPECT_NEAR(r, s.residual_bounds[i], 1e-9) << i;
  }
  EXPECT_LT(s.residual_bounds[0], 1e-8);
  // The Ritz vectors are orthonormal.
  const Mat<double> U = std::get<Mat<double>>(s.basis) * s.ritz_coordinates;
  EXPECT_LT((U.transpose() * U - Mat<double>::Identity(60, 60)).norm(), 1e-10);
}

TEST(Lanczos, FullLengthRunRecoversTheWholeSpectrum) {
  Rng rng = make_rng(2, stream::trials);
  const Index D = 25;
  Vec<double> lambda(D);
  for (Index i = 0; i < D; ++i) lambda[i] = normal(rng);
  const Mat<double> H = with_spectrum(lambda, rng);
  const Spectrum s = lanczos(dense(H), D, 100, rng);  // capped at D steps
  EXPECT_EQ(s.iterations, D);
  std::sort(lambda.data(), lambda.data() + D, std::greater<>());
  for (Index i = 0; i < D; ++i) EXPECT_NEAR(s.ritz_values[std::size_t(i)], lambda[i], 1e-10) << i;
  // The scale of H does not matter (a loss near a minimum can have a tiny Hessian).
  const Mat<double> tiny = 1e-20 * H;
  const Spectrum t = lanczos(dense(tiny), D, 100, rng);
  EXPECT_EQ(t.iterations, D);
  for (Index i = 0; i < D; ++i) EXPECT_NEAR(t.ritz_values[std::size_t(i)], 1e-20 * lambda[i], 1e-30) << i;
}

TEST(Lanczos, StopsExactlyWhenTheKrylovSpaceCloses) {
  // Three distinct eigenvalues: the Krylov space of any start has dimension 3.
  Rng rng = make_rng(3, stream::trials);
  Vec<double> lambda = Vec<double>::Constant(50, 2.0);
  lambda.head(10).setConstant(7.0);
  lambda.tail(5).setConstant(-1.0);
  const Spectrum s = lanczos(dense(with_spectrum(lambda, rng)), 50, 20, rng);
  ASSERT_EQ(s.iterations, 3);
  EXPECT_NEAR(s.ritz_values[0], 7, 1e-10);
  EXPECT_NEAR(s.ritz_values[1], 2, 1e-10);
  EXPECT_NEAR(s.ritz_values[2], -1, 1e-10);
}

// Products whose squared norm overflows (‖He₁‖² ≈ 2.25e308): the norm of what is left comes from
// the subtraction, so the eigenvalues are still exact, in either basis precision.
TEST(Lanczos, ProductsWhoseSquaredNormOverflows) {
  Mat<double> H(2, 2);
  H << 1.2e154, 0.9e154, 0.9e154, 3;
  Eigen::SelfAdjointEigenSolver<Mat<double>> dense_eig(H);
  for (BasisPrecision basis : {BasisPrecision::float64, BasisPrecision::float32}) {
    const Spectrum s = lanczos(dense(H), Vec<double>::Unit(2, 0), 2, {.basis = basis});
    ASSERT_EQ(s.iterations, 2);
    EXPECT_NEAR(s.ritz_values[0] / dense_eig.eigenvalues()[1], 1, 1e-14);
    EXPECT_NEAR(s.ritz_values[1] / dense_eig.eigenvalues()[0], 1, 1e-14);
    for (double r : s.residual_bounds) EXPECT_TRUE(std::isfinite(r));
  }
}

// H = diag(d) on D = 5003 (three row blocks of the basis passes, the last one partial): a bulk in
// [0, 1] and the outliers 40, 20, 10 and −5, from a random start so that every entry matters.
struct LargeOperator {
  Index D = 5003;  // not a multiple of a SIMD register's lanes: the kernels' partial loads run
  Vec<double> d;
  HvpFn hvp;

  // How far two summation orders of a D-term dot product of unit vectors (≈ 1 on the diagonal
  // of QᵀQ) typically differ: 4√D ε = 6e-14, against the 4e-8 a float basis reports.
  double sum_rounding() const { return 4 * std::sqrt(double(D)) * std::numeric_limits<double>::epsilon(); }

  LargeOperator() {
    Rng rng = make_rng(11, stream::data);
    d.resize(D);
    for (Index i = 0; i < D; ++i) d[i] = uniform01(rng);
    d.head(4) << 40, 20, 10, -5;
    hvp = [this](const Vec<double>& v, Vec<double>& Hv) { Hv = d.cwiseProduct(v); };
  }
};

// The orthogonality Lanczos reports is max |QᵀQ − I| over the basis it returns, computed here
// explicitly (for a double basis both are rounding, ~1e-15, so this checks only that it is
// measured and tiny: the float basis below checks the report sharply); the double basis holds it
// to 1e-12 and the eigenvalues to 1e-9, and its passes (and the random start) give
// the same bits on any pool.
TEST(Lanczos, ReportsTheMeasuredOrthogonalityAndDoesNotDependOnThePool) {
  const LargeOperator op;
  Rng r1 = make_rng(12, stream::trials), r2 = make_rng(12, stream::trials);
  const Spectrum s = lanczos(op.hvp, op.D, 60, r1);
  ThreadPool pool(2);
  const Spectrum p = lanczos(op.hvp, op.D, 60, r2, {.pool = &pool});
  EXPECT_EQ(s.ritz_values, p.ritz_values);
  // The start (the basis' first column) is normal(rng) drawn entry by entry in order, whichever
  // blocks drew it on which thread, and the stream is left where that order leaves it.
  Rng r3 = make_rng(12, stream::trials);
  Vec<double> z(op.D);
  for (Index i = 0; i < op.D; ++i) z[i] = normal(r3);
  EXPECT_TRUE(std::get<Mat<double>>(p.basis).col(0) == (z.array() / z.norm()).matrix());
  const auto next = r3();
  EXPECT_EQ(r1(), next);
  EXPECT_EQ(r2(), next);
  EXPECT_EQ(s.residual_bounds, p.residual_bounds);
  EXPECT_EQ(s.orthogonality, p.orthogonality);
  const Mat<double>& Q = std::get<Mat<double>>(s.basis);
  ASSERT_EQ(Q.cols(), 60);
  EXPECT_TRUE(Q == std::get<Mat<double>>(p.basis));
  const double measured = (Q.transpose() * Q - Mat<double>::Identity(60, 60)).cwiseAbs().maxCoeff();
  EXPECT_NEAR(s.orthogonality, measured, op.sum_rounding());
  EXPECT_GT(s.orthogonality, 0);  // measured, not left at its initial 0
  EXPECT_LT(s.orthogonality, 1e-12);
  // The top eigenvalues to 1e-9, and each residual() a true ‖Hu − θu‖, computed here.
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(s.ritz_values[std::size_t(i)], op.d[i], 1e-9) << i;
  EXPECT_NEAR(s.ritz_values.back(), -5, 1e-9);
  for (std::size_t i : {std::size_t(0), std::size_t(1), s.ritz_values.size() - 1}) {
    const Vec<double> u = s.ritz_vector(i);
    const double r = (op.d.cwiseProduct(u) - s.ritz_values[i] * u).norm();
    EXPECT_NEAR(residual(op.hvp, s, i), r, 1e-13) << i;
    EXPECT_LE(distance_to_spectrum(s.ritz_values[i], op.d), r + 1e-12) << i;
  }
}

// A float basis: half the memory, orthonormal only to about the rounding of its entries — which it
// reports, measured — and still honest: every residual() is a true residual of a unit vector, so
// each Ritz value is within it of an eigenvalue, and the converged ones are as accurate as the
// basis allows.
TEST(Lanczos, AFloatBasisReportsItsOrthogonalityAndKeepsResidualsTrue) {
  const LargeOperator op;
  Rng r1 = make_rng(13, stream::trials), r2 = make_rng(13, stream::trials);
  const Spectrum s = lanczos(op.hvp, op.D, 60, r1, {.basis = BasisPrecision::float32});
  ThreadPool pool(2);
  const Spectrum p = lanczos(op.hvp, op.D, 60, r2, {.basis = BasisPrecision::float32, .pool = &pool});
  EXPECT_EQ(s.ritz_values, p.ritz_values);
  const Mat<float>& Qf = std::get<Mat<float>>(s.basis);
  ASSERT_EQ(Qf.cols(), 60);
  const Mat<double> Q = Qf.cast<double>();
  const double measured = (Q.transpose() * Q - Mat<double>::Identity(60, 60)).cwiseAbs().maxCoeff();
  EXPECT_NEAR(s.orthogonality, measured, op.sum_rounding());
  EXPECT_GT(s.orthogonality, 1e-12);  // float rounding shows: a double basis would be below
  EXPECT_LT(s.orthogonality, 1e-6);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(s.ritz_values[std::size_t(i)], op.d[i], 1e-5) << i;
  for (std::size_t i = 0; i < s.ritz_values.size(); ++i) {
    const Vec<double> u = s.ritz_vector(i);
    EXPECT_NEAR(u.norm(), 1, 1e-15) << i;
    const double r = (op.d.cwiseProduct(u) - s.ritz_values[i] * u).norm();
    EXPECT_NEAR(residual(op.hvp, s, i), r, 1e-13) << i;
    EXPECT_LE(distance_to_spectrum(s.ritz_values[i], op.d), r + 1e-12) << i;
  }
  EXPECT_LT(residual(op.hvp, s, 0), 1e-5);
}

// A 2-6-2 tanh net (32 parameters) on two moons: its H·v and the dense Hessian from H e_i.
struct NetworkHessian {
  data::Dataset<double> moons;
  nn::Mlp<double> net;
  nn::Cache<double> cache;
  HvpFn hvp;
  Mat<double> H;  // symmetrized

  NetworkHessian() : net([] {
    nn::MlpSpec spec;
    spec.sizes = {2, 6, 2};
    spec.activations = {nn::Activation::tanh};
    spec.loss = nn::Loss::cross_entropy;
    return spec;
  }()) {
    Rng rng = make_rng(4, stream::data);
    moons = data::two_moons<double>(64, 0.1, rng);
    Rng init = make_rng(4, stream::init);
    net.init(init, nn::Init::glorot_uniform);
    hvp = [this](const Vec<double>& v, Vec<double>& Hv) { net.hvp(moons.X, moons.Y, v, cache, Hv); };
    const Index D = net.num_params();
    H.resize(D, D);
    Vec<double> column;
    for (Index i = 0; i < D; ++i) {
      hvp(Vec<double>::Unit(D, i), column);
      H.col(i) = column;
    }
    H = 0.5 * (H + H.transpose());
  }
};

TEST(Lanczos, TopEigenvaluesOfANetworkHessian) {
  NetworkHessian n;
  const HvpFn& hvp = n.hvp;
  const Mat<double>& H = n.H;
  const Index D = n.net.num_params();
  const Vec<double> exact = Eigen::SelfAdjointEigenSolver<Mat<double>>(H).eigenvalues();
  Rng start = make_rng(4, stream::trials);
  const Spectrum s = lanczos(hvp, D, 20, start);
  EXPECT_NEAR(s.ritz_values[0], exact[D - 1], 1e-8 * std::abs(exact[D - 1]));
  EXPECT_NEAR(s.ritz_values.back(), exact[0], 1e-6 * std::abs(exact[D - 1]));
  const TraceEstimate t = hutchinson_trace(hvp, D, 400, start);
  EXPECT_GT(t.standard_error, 0);
  EXPECT_LT(std::abs(t.mean - H.trace()), 4 * t.standard_error);
}

// Every eigenvalue of a network's Hessian: a full-length Lanczos run on the R-operator's H·v
// against the dense eigen-decomposition of the Hessian formed from H·e_i. The softmax's shift
// invariance (the same vector added to both rows of (W^(2), b^(2))) makes 0 an eigenvalue of
// multiplicity 7, so the Krylov space closes after 32 − 6 = 26 steps; as sets, the Ritz values
// and the eigenvalues agree to 1e-9.
TEST(Lanczos, FullRunOnANetworkHessianEqualsTheDenseEigenvaluesTo1e9) {
  NetworkHessian n;
  const Index D = n.net.num_params();
  const Vec<double> exact = Eigen::SelfAdjointEigenSolver<Mat<double>>(n.H).eigenvalues();
  Rng start = make_rng(5, stream::trials);
  const Spectrum s = lanczos(n.hvp, D, int(D), start);
  EXPECT_EQ(s.iterations, D - 6);
  EXPECT_EQ((exact.array().abs() < 1e-9).count(), 7);
  for (std::size_t j = 0; j < s.ritz_values.size(); ++j)
    EXPECT_LT(distance_to_spectrum(s.ritz_values[j], exact), 1e-9) << j;
  const Vec<double> ritz = Eigen::Map<const Vec<double>>(s.ritz_values.data(), Index(s.ritz_values.size()));
  for (Index i = 0; i < D; ++i) EXPECT_LT(distance_to_spectrum(exact[i], ritz), 1e-9) << i;
  EXPECT_LT(exact.maxCoeff(), 1e3);  // so that 1e-9 is a relative accuracy of 1e-12 or better
  EXPECT_LT(exact.minCoeff(), 0);  // an indefinite Hessian: both ends are checked
}

// Power iteration on a known spectrum (|λ₂/λ₁| = 1/2): the Rayleigh quotient converges like
// (1/2)^(2k); its residual interval always holds an eigenvalue.
TEST(PowerIteration, ConvergesToTheDominantEigenvalueWithAnHonestResidual) {
  Rng rng = make_rng(6, stream::trials);
  const Index D = 200;
  Vec<double> lambda(D);
  for (Index i = 0; i < D; ++i) lambda[i] = uniform01(rng);
  lambda.head(3) << 40, 20, -10;
  const Mat<double> H = with_spectrum(lambda, rng);
  for (int k : {1, 5, 20}) {
    const PowerIteration p = power_iteration(dense(H), D, k, rng);
    EXPECT_EQ(p.iterations, k);
    EXPECT_LE(distance_to_spectrum(p.eigenvalue, lambda), p.residual + 1e-12) << k;
  }
  const PowerIteration p = power_iteration(dense(H), D, 80, rng);
  EXPECT_NEAR(p.eigenvalue, 40, 1e-9);
  EXPECT_LT(p.residual, 1e-6);
  EXPECT_THROW(power_iteration(dense(H), D, 0, rng), Error);
  // From a common start, Lanczos with m ≥ k steps is never below k power steps: the k-th iterate
  // lies in the Krylov space whose largest Rayleigh quotient is Lanczos' top Ritz value.
  Vec<double> start(D);
  for (Index i = 0; i < D; ++i) start[i] = normal(rng);
  for (int k : {2, 5, 10}) {
    const double power = power_iteration(dense(H), start, k).eigenvalue;
    EXPECT_GE(lanczos(dense(H), start, k).ritz_values.front(), power - 1e-12) << k;
    EXPECT_LT(power, 40);
  }
  EXPECT_THROW(power_iteration(dense(H), Vec<double>::Zero(D), 3), Error);
  const Mat<double> zero = Mat<double>::Zero(4, 4);
  EXPECT_THROW(power_iteration(dense(zero), 4, 3, rng), Error);
}

// SLQ on a network's Hessian (the 2-6-2 tanh net, 32 parameters) against its dense
// eigen-decomposition: each probe's m-node quadrature reproduces vᵀH^k v for every k ≤ 2m − 1
// (Gauss quadrature), and the probe-average of the moments estimates tr(H^k)/D within 4 SE.
TEST(SpectralDensity, QuadratureIsExactPerProbeAndUnbiasedOverProbes) {
  NetworkHessian n;
  const HvpFn& hvp = n.hvp;
  const Mat<double>& H = n.H;
  const Index D = n.net.num_params();
  const Vec<double> lambda = Eigen::SelfAdjointEigenSolver<Mat<double>>(H).eigenvalues();
  const double scale = lambda.cwiseAbs().maxCoeff();

  // One probe, m = 5 nodes: the quadrature of vᵀH^k v for k = 0..9, with v the probe's unit start.
  Rng probe_rng = make_rng(5, stream::trials);
  const int m = 5;
  const SpectralDensity one = spectral_density(hvp, D, m, 1, probe_rng);
  Rng replay = make_rng(5, stream::trials);
  Vec<double> v(D);
  for (Index k = 0; k < D; ++k) v[k] = (replay() >> 63) ? 1.0 : -1.0;
  v.normalize();
  ASSERT_EQ(one.nodes[0].size(), std::size_t(m));
  Vec<double> Hkv = v;
  for (int k = 0; k <= 2 * m - 1; ++k) {
    EXPECT_NEAR(one.moment(k).value, v.dot(Hkv), 1e-10 * std::pow(scale, k)) << "k = " << k;
    Hkv = H * Hkv;
  }
  // k = 2m is beyond the quadrature's degree: not exact in general.
  EXPECT_GT(std::abs(one.moment(2 * m).value - v.dot(Hkv)), 1e-6 * std::pow(scale, 2 * m));

  // 200 probes: moments against tr(H^k)/D from the eigenvalues, within 4 SE.
  const SpectralDensity many = spectral_density(hvp, D, 12, 200, probe_rng);
  for (int k = 1; k <= 4; ++k) {
    const experiment::Estimate e = many.moment(k);
    const double exact = lambda.array().pow(k).sum() / double(D);
    EXPECT_GT(e.se, 0);
    EXPECT_LT(std::abs(e.value - exact), 4 * e.se) << "k = " << k << ": " << e.value << " vs " << exact;
  }
  // The whole measure: mass 1, the smoothed density integrates to 1.
  EXPECT_NEAR(many.mass(-1e300, 1e300), 1.0, 1e-12);
  std::vector<double> t;
  const double lo = lambda.minCoeff() - 1, hi = lambda.maxCoeff() + 1, dt = (hi - lo) / 4000;
  for (int i = 0; i <= 4000; ++i) t.push_back(lo + i * dt);
  const std::vector<double> density = many.smoothed(t, 0.05 * scale);
  double integral = 0;
  for (double y : density) integral += y * dt;
  EXPECT_NEAR(integral, 1.0, 1e-3);
}

TEST(Hutchinson, ExactForADiagonalOperator) {
  Rng rng = make_rng(5, stream::trials);
  Vec<double> d(40);
  for (Index i = 0; i < 40; ++i) d[i] = normal(rng);
  const Mat<double> H = d.asDiagonal();
  const TraceEstimate t = hutchinson_trace(dense(H), 40, 7, rng);
  EXPECT_EQ(t.probes, 7);
  EXPECT_NEAR(t.mean, d.sum(), 1e-12);
  EXPECT_NEAR(t.standard_error, 0, 1e-12);
}

TEST(Hutchinson, UnbiasedWithTheTheoreticalStandardError) {
  Rng rng = make_rng(6, stream::trials);
  const Index D = 30;
  Mat<double> G(D, D);
  for (Index i = 0; i < G.size(); ++i) G.data()[i] = normal(rng);
  const Mat<double> H = G + G.transpose();
  const int n = 2000;
  const TraceEstimate t = hutchinson_trace(dense(H), D, n, rng);
  // Var(zᵀHz) = 2 Σ_{i≠j} H_ij² for Rademacher z.
  const double off = H.squaredNorm() - H.diagonal().squaredNorm();
  const double se = std::sqrt(2 * off / n);
  EXPECT_NEAR(t.standard_error / se, 1, 0.1);
  EXPECT_LT(std::abs(t.mean - H.trace()), 4 * se);
}

TEST(HessianTools, RejectBadArguments) {
  Rng rng = make_rng(7, stream::trials);
  const Mat<double> H = Mat<double>::Identity(3, 3);
  EXPECT_THROW(lanczos(dense(H), 3, 0, rng), Error);
  EXPECT_THROW(lanczos(dense(H), 0, 5, rng), Error);
  EXPECT_THROW(hutchinson_trace(dense(H), 3, 0, rng), Error);
  EXPECT_THROW(spectral_density(dense(H), 3, 2, 0, rng), Error);
  EXPECT_THROW(lanczos(dense(H), Vec<double>::Zero(3), 2), Error);
  const HvpFn wrong = [](const Vec<double>&, Vec<double>& Hv) { Hv = Vec<double>::Zero(2); };
  EXPECT_THROW(lanczos(wrong, 3, 2, rng), Error);
}

// Lanczos on the objective's operator gives what the hand-written H·v of nnlab hessian gave.
TEST(NetworkObjective, LanczosOnTheObjectiveEqualsLanczosOnTheNetworksHvp) {
  const auto d = train::blobs<float>(400, 12);
  nn::MlpSpec spec;
  spec.sizes = {2, 24, 24, 3};
  spec.activations = {nn::Activation::tanh, nn::Activation::tanh};
  nn::Mlp<float> net(spec);
  Rng init = make_rng(13, stream::init);
  net.init(init);
  ThreadPool pool(2);
  const train::NetworkObjective<float> f(net, d, {.pool = &pool});
  nn::Cache<float> cache;
  Vec<float> v_s, Hv_s;
  const HvpFn by_hand = [&](const Vec<double>& v, Vec<double>& Hv) {
    v_s = v.cast<float>();
    net.hvp(d.X, d.Y, v_s, cache, Hv_s, nn::Mode::eval, nullptr, &pool);
    Hv = Hv_s.cast<double>();
  };
  Rng r1 = make_rng(14, 1), r2 = make_rng(14, 1);
  const auto a = lanczos(hvp_operator(f, net.theta()), net.num_params(), 15, r1);
  const auto b = lanczos(by_hand, net.num_params(), 15, r2);
  EXPECT_EQ(a.ritz_values, b.ritz_values);
}

}  // namespace
}  // namespace nnlab::analysis
