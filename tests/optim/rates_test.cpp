// The first-order methods' linear rates on quadratics of known condition number κ = L/μ
// (D = 20, eigenvalues log-spaced in [μ, L] = [1, κ], minimizer 0), against theory:
//   GD, η = 1/L:              1 − 1/κ              (the slowest mode, λ = μ)
//   GD, η = 2/(L + μ):        (κ − 1)/(κ + 1)      (both extreme modes)
//   heavy ball, Polyak's η and momentum: (√κ − 1)/(√κ + 1)  (every mode, double roots at the ends)
//   Nesterov, η = 1/L, momentum (√κ − 1)/(√κ + 1): 1 − 1/√κ  (a double root at λ = μ)
// The rate r is measured as (‖e_{3n}‖/‖e_n‖)^{1/2n} with n = 100/(−ln r_theory), so that the error
// falls by ~e^{−300} and a double root's factor t adds only ln 3/(2n) = 0.55% of −ln r. The check
// is on the exponent −ln r (iterations per decade), within 1% (the issue asked for 5%): measured
// 1 for GD and 0.9945 for heavy ball and Nesterov (the double root's 0.55%) at κ = 10 … 10⁴; a
// wrong constant (κ for √κ, a factor 2 in the rate's exponent) is far outside.
#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <string>

#include "nnlab/optim/momentum.hpp"
#include "nnlab/optim/nesterov.hpp"
#include "nnlab/optim/sgd.hpp"
#include "nnlab/optim/test_functions.hpp"

namespace nnlab::optim {
namespace {

enum class Method { gd_safe, gd_optimal, heavy_ball, nesterov };

struct Case {
  Method method;
  double kappa;
};

void PrintTo(const Case& c, std::ostream* os) { *os << int(c.method) << " at κ = " << c.kappa; }

double theory_rate(const Case& c) {
  const double k = c.kappa, s = std::sqrt(k);
  switch (c.method) {
    case Method::gd_safe: return 1 - 1 / k;
    case Method::gd_optimal: return (k - 1) / (k + 1);
    case Method::heavy_ball: return (s - 1) / (s + 1);
    case Method::nesterov: return 1 - 1 / s;
  }
  return 0;
}

template <class Opt>
double measured_rate(const Quadratic<double>& q, Opt opt, std::int64_t n) {
  Vec<double> theta = Vec<double>::Ones(q.dim()), g(q.dim());
  double norm_n = 0;
  for (std::int64_t t = 1; t <= 3 * n; ++t) {
    q.gradient(theta, g);
    opt.step(theta, g);
    if (t == n) norm_n = theta.stableNorm();
  }
  return std::pow(theta.stableNorm() / norm_n, 1.0 / double(2 * n));
}

class Rates : public ::testing::TestWithParam<Case> {};

TEST_P(Rates, LinearRateWithinOnePercentOfTheory) {
  const Case c = GetParam();
  Rng rng = make_rng(7, stream::data);
  const Quadratic<double> q(Quadratic<double>::with_condition(20, c.kappa, rng).A(), Vec<double>::Zero(20));
  ASSERT_NEAR(q.condition_number(), c.kappa, 1e-9 * c.kappa);
  const double L = q.L(), mu = q.mu(), beta = theory_rate({Method::heavy_ball, c.kappa});
  const double r = theory_rate(c);
  const auto n = std::int64_t(std::ceil(100 / -std::log(r)));
  double measured = 0;
  switch (c.method) {
    case Method::gd_safe: measured = measured_rate(q, Sgd<double>({.lr = 1 / L}), n); break;
    case Method::gd_optimal: measured = measured_rate(q, Sgd<double>({.lr = 2 / (L + mu)}), n); break;
    case Method::heavy_ball:
      measured = measured_rate(q, Momentum<double>({.lr = 4 / std::pow(std::sqrt(L) + std::sqrt(mu), 2), .momentum = beta * beta}), n);
      break;
    case Method::nesterov: measured = measured_rate(q, Nesterov<double>({.lr = 1 / L, .momentum = beta}), n); break;
  }
  EXPECT_NEAR(std::log(measured) / std::log(r), 1.0, 0.01) << "measured rate " << measured << ", theory " << r;
}

std::vector<Case> cases() {
  std::vector<Case> all;
  for (Method m : {Method::gd_safe, Method::gd_optimal, Method::heavy_ball, Method::nesterov})
    for (double kappa : {10.0, 100.0, 1000.0, 10000.0}) all.push_back({m, kappa});
  return all;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  static const char* names[] = {"gd_safe", "gd_optimal", "heavy_ball", "nesterov"};
  return std::string(names[int(info.param.method)]) + "_kappa" + std::to_string(int(info.param.kappa));
}

INSTANTIATE_TEST_SUITE_P(Quadratics, Rates, ::testing::ValuesIn(cases()), case_name);

}  // namespace
}  // namespace nnlab::optim
