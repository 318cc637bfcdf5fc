// The zoo's critical-point table: every listed critical point of every function, refined by Newton
// on ∇L from its listed location, has ∇L ≈ 0, the listed value and the listed Hessian inertia; the
// table is printed (function, point, value, inertia). Also the inertia and refinement helpers.
#include "nnlab/optim/critical_points.hpp"

#include <Eigen/QR>
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "nnlab/optim/landscapes.hpp"
#include "nnlab/optim/test_functions.hpp"
#include "nnlab/optim/toy_networks.hpp"
#include "zoo_checks.hpp"

namespace nnlab::optim {
namespace {

using testing::expect_critical_point;

TEST(Inertia, CountsSignsWithARelativeTolerance) {
  Mat<double> H = Mat<double>::Zero(4, 4);
  H.diagonal() << -3, 0, 1e-12, 5;
  EXPECT_EQ(inertia(H), (Inertia{1, 2, 1}));
  EXPECT_EQ(inertia(H).index(), 1);
  EXPECT_EQ(inertia(Mat<double>::Zero(2, 2)), (Inertia{0, 2, 0}));
  H(0, 0) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(inertia(H), Error);
}

std::string format_point(const Vec<double>& x) {
  std::ostringstream s;
  s << "(";
  for (Index i = 0; i < x.size(); ++i) s << (i ? ", " : "") << x(i);
  s << ")";
  return s.str();
}

template <class F>
void check_table(const F& f, const std::string& name) {
  const std::vector<CriticalPoint> points = f.critical_points();
  ASSERT_FALSE(points.empty()) << name;
  std::vector<Vec<double>> refined;
  for (const CriticalPoint& p : points) {
    const Vec<double> x = expect_critical_point(f, p, name);
    for (const Vec<double>& y : refined) EXPECT_GT((x - y).norm(), 1e-6) << name << ": listed twice";
    refined.push_back(x);
    std::printf("  %-28s %-27s %-40s f = %-14.10g (−,0,+) = (%ld, %ld, %ld)\n", name.c_str(), p.kind.c_str(),
                format_point(p.x).c_str(), p.value, long(p.inertia.negative), long(p.inertia.zero),
                long(p.inertia.positive));
  }
}

TEST(CriticalPointTable, Landscapes) {
  check_table(Rosenbrock<double>(2), "Rosenbrock n=2");
  check_table(Rosenbrock<double>(3), "Rosenbrock n=3");
  check_table(Rosenbrock<double>(4), "Rosenbrock n=4");
  check_table(Rosenbrock<double>(5), "Rosenbrock n=5");
  check_table(Rosenbrock<double>(6), "Rosenbrock n=6");
  check_table(Himmelblau{}, "Himmelblau");
  check_table(Beale{}, "Beale");
  check_table(GoldsteinPrice{}, "Goldstein-Price");
  check_table(SixHumpCamel{}, "six-hump camel");
  check_table(SaddleXY{}, "x² − y²");
  check_table(MonkeySaddle{}, "monkey saddle x³ − 3xy²");
  check_table(Rastrigin(2), "Rastrigin n=2");
  check_table(StyblinskiTang(2), "Styblinski-Tang n=2");
  check_table(StyblinskiTang(8), "Styblinski-Tang n=8");
  check_table(DoubleWell(2), "double well n=2");
  check_table(DoubleWell(3), "double well n=3");
  check_table(Ackley(2), "Ackley n=2");
}

TEST(CriticalPointTable, ToyNetworks) {
  for (const Index N : {2, 3, 6}) check_table(DeepChain(N), "deep chain N=" + std::to_string(N));
  check_table(DeepChain(4, 2.0), "deep chain N=4, y=2");
  Rng rng = make_rng(11, 1);
  Mat<double> G(4, 4), H(3, 3);
  for (Index i = 0; i < 16; ++i) G(i) = normal(rng);
  for (Index i = 0; i < 9; ++i) H(i) = normal(rng);
  const Mat<double> Q1 = Eigen::HouseholderQR<Mat<double>>(G).householderQ();
  const Mat<double> Q2 = Eigen::HouseholderQR<Mat<double>>(H).householderQ();
  const Mat<double> M = Q1.leftCols(3) * Vec<double>((Vec<double>(3) << 3, 2, 1).finished()).asDiagonal() *
                        Q2.transpose();
  for (const Index r : {1, 2, 3}) {
    const MatrixFactorization f(M, r);
    const auto points = f.critical_points();
    EXPECT_EQ(points.size(), std::size_t(r == 3 ? 2 : 4));  // the origin and the C(3, r) subsets
    check_table(f, "MF 4×3 σ=(3,2,1) r=" + std::to_string(r));
  }
}

// From a point near a critical point Newton converges to it, whatever its index.
TEST(RefineCriticalPoint, ConvergesToNearbySaddles) {
  const Himmelblau f;
  Vec<double> x(2);
  x << -0.1, -1.9;
  x = refine_critical_point(f, x);
  Vec<double> g(2);
  f.gradient(x, g);
  EXPECT_LE(g.norm(), 1e-12);
  EXPECT_EQ(inertia(f.hessian(x)).index(), 1);
}

}  // namespace
}  // namespace nnlab::optim
