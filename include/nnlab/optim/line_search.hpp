// Line searches along a descent direction p from θ: φ(α) = L(θ + αp), φ'(α) = ∇L(θ + αp)ᵀp,
// φ'(0) = gᵀp < 0 (Nocedal & Wright, Numerical Optimization, 2nd ed., ch. 3).
//   armijo_backtracking  α = α₀, ρα₀, ρ²α₀, … until the sufficient-decrease (Armijo) condition
//                        φ(α) ≤ φ(0) + c₁αφ'(0) holds (N&W Alg. 3.1); values only.
//   wolfe_line_search    a step meeting the strong Wolfe conditions (N&W eq. 3.7)
//                        φ(α) ≤ φ(0) + c₁αφ'(0)  and  |φ'(α)| ≤ c₂|φ'(0)|,  0 < c₁ < c₂ < 1,
//                        by bracketing (N&W Alg. 3.5) and zoom (Alg. 3.6) with safeguarded cubic
//                        interpolation (eq. 3.59), bisection when the cubic is unusable.
// Near a minimizer the promised decrease c₁αφ'(0) falls below the rounding of φ, and the exact
// test would reject the very steps that still shrink ‖g‖ (quadratically, for Newton); so, as in
// the approximate Wolfe conditions of Hager & Zhang (SIAM J. Optim. 16, 2005), a change of φ
// within its rounding, `noise`·ε·|φ(0)| (ε the machine epsilon of the objective's Scalar), is
// allowed on top of the sufficient decrease, and two values closer than that are not compared:
// φ' decides between them. With φ(0) = 0 the tests are exact.
// A NaN or Inf trial value (or slope) means the step is too long: it fails the Armijo test; a
// search that fails with a non-finite last trial ends with status non_finite (drivers: diverged).
// No allocation: the caller owns the trial buffers; on success theta_trial = θ + αp (and, for
// Wolfe, g_trial = ∇L(theta_trial)) hold the accepted point. Also: the stopping rules that the
// line-search drivers (newton, nonlinear_cg, lbfgs) share with optim::minimize.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "nnlab/core/error.hpp"
#include "nnlab/optim/minimize.hpp"
#include "nnlab/optim/objective.hpp"

namespace nnlab::optim {

enum class LineSearchStatus {
  ok,               // the returned step meets the conditions
  not_descent,      // φ'(0) ≥ 0 (or not finite): p is not a descent direction, nothing evaluated
  step_too_small,   // the step (or the bracket) shrank below the rounding of θ: L is flat to
                    // rounding along p, usually at its floor near a minimizer
  max_evaluations,  // the evaluation budget ran out
  non_finite,       // the search failed with its last trial NaN or Inf (the smallest step, for
                    // Armijo; inside the collapsed bracket, for Wolfe): L is not finite next to
                    // where it ended
};

constexpr std::string_view to_string(LineSearchStatus s) {
  switch (s) {
    case LineSearchStatus::ok: return "ok";
    case LineSearchStatus::not_descent: return "not_descent";
    case LineSearchStatus::step_too_small: return "step_too_small";
    case LineSearchStatus::max_evaluations: return "max_evaluations";
    case LineSearchStatus::non_finite: return "non_finite";
  }
  return "unknown";
}

struct LineSearchResult {
  LineSearchStatus status = LineSearchStatus::ok;
  double step = 0;                 // α (of the last trial if status ≠ ok)
  double value = 0;                // φ(α)
  double slope = std::numeric_limits<double>::quiet_NaN();  // φ'(α) (Wolfe only)
  std::int64_t evaluations = 0;    // calls of value() (Armijo) or gradient() (Wolfe)
  bool ok() const { return status == LineSearchStatus::ok; }
};

struct Armijo {
  double c1 = 1e-4;   // sufficient-decrease constant (N&W suggest 1e-4)
  double rho = 0.5;   // contraction factor
  int max_evaluations = 60;
  double noise = 16;  // rounding allowance of φ, in units of ε|φ(0)|
};

struct Wolfe {
  double c1 = 1e-4;
  double c2 = 0.9;    // 0.9 for Newton and quasi-Newton, 0.1 for nonlinear CG (N&W §3.1)
  int max_evaluations = 50;
  double expansion = 2;  // bracketing: α_{i+1} = expansion·α_i
  double noise = 16;
};

namespace detail {
// φ(α) ≤ φ(0) + c₁αφ'(0) up to the rounding of φ; false for NaN and Inf.
template <class S>
bool sufficient_decrease(double phi, double alpha, double value, double slope, double c1, double noise) {
  const double rounding = noise * std::numeric_limits<S>::epsilon() * std::abs(value);
  return std::isfinite(phi) && phi <= value + c1 * alpha * slope + rounding;
}

// The smallest change of α that moves θ + αp at all in precision S: ε_S ‖θ‖ / ‖p‖.
template <class S>
double step_resolution(const Vec<S>& theta, const Vec<S>& p) {
  const double eps = std::numeric_limits<S>::epsilon();
  return eps * std::max(double(theta.norm()), eps) / double(p.norm());
}
}  // namespace detail

// value = L(θ), slope = gᵀp.
template <Objective F>
LineSearchResult armijo_backtracking(const F& f, const Vec<typename F::Scalar>& theta,
                                     const Vec<typename F::Scalar>& p, double value, double slope,
                                     double alpha0, Vec<typename F::Scalar>& theta_trial,
                                     const Armijo& opt = {}) {
  using S = typename F::Scalar;
  require(alpha0 > 0 && opt.c1 > 0 && opt.c1 < 1 && opt.rho > 0 && opt.rho < 1 && opt.noise >= 0,
          "armijo_backtracking: need α₀ > 0, 0 < c₁ < 1, 0 < ρ < 1, noise ≥ 0; got α₀ = {}, c₁ = {}, "
          "ρ = {}, noise = {}",
          alpha0, opt.c1, opt.rho, opt.noise);
  LineSearchResult r{.value = std::numeric_limits<double>::quiet_NaN()};
  if (!(slope < 0)) return {LineSearchStatus::not_descent, 0, value, slope, 0};
  const double resolution = detail::step_resolution(theta, p);
  const auto failure = [&](LineSearchStatus status) {
    r.status = r.evaluations > 0 && !std::isfinite(r.value) ? LineSearchStatus::non_finite : status;
    return r;
  };
  for (double alpha = alpha0;; alpha *= opt.rho) {
    if (alpha < resolution) return failure(LineSearchStatus::step_too_small);
    if (r.evaluations == opt.max_evaluations) return failure(LineSearchStatus::max_evaluations);
    theta_trial = theta + S(alpha) * p;
    r.value = double(f.value(theta_trial));
    ++r.evaluations;
    r.step = alpha;
    if (detail::sufficient_decrease<S>(r.value, alpha, value, slope, opt.c1, opt.noise)) return r;
  }
}

// value = L(θ), slope = gᵀp; g_trial must have size dim().
template <DifferentiableObjective F>
LineSearchResult wolfe_line_search(const F& f, const Vec<typename F::Scalar>& theta,
                                   const Vec<typename F::Scalar>& p, double value, double slope,
                                   double alpha0, Vec<typename F::Scalar>& theta_trial,
                                   Vec<typename F::Scalar>& g_trial, const Wolfe& opt = {}) {
  using S = typename F::Scalar;
  require(alpha0 > 0 && opt.c1 > 0 && opt.c1 < opt.c2 && opt.c2 < 1 && opt.expansion > 1 && opt.noise >= 0,
          "wolfe_line_search: need α₀ > 0, 0 < c₁ < c₂ < 1, expansion > 1, noise ≥ 0; got α₀ = {}, "
          "c₁ = {}, c₂ = {}, expansion = {}, noise = {}",
          alpha0, opt.c1, opt.c2, opt.expansion, opt.noise);
  if (!(slope < 0)) return {LineSearchStatus::not_descent, 0, value, slope, 0};

  struct Point {
    double alpha, phi, dphi;
  };
  LineSearchResult r;
  bool last_finite = true;
  const auto evaluate = [&](double alpha) {
    theta_trial = theta + S(alpha) * p;
    const Point x{alpha, double(f.gradient(theta_trial, g_trial)), double(g_trial.dot(p))};
    ++r.evaluations;
    last_finite = std::isfinite(x.phi) && std::isfinite(x.dphi);
    return x;
  };
  const auto sufficient_decrease = [&](const Point& x) {
    return std::isfinite(x.dphi) && detail::sufficient_decrease<S>(x.phi, x.alpha, value, slope, opt.c1, opt.noise);
  };
  const auto curvature = [&](const Point& x) { return std::abs(x.dphi) <= -opt.c2 * slope; };
  const auto finish = [&](LineSearchStatus status, const Point& x) {
    if (status != LineSearchStatus::ok && !last_finite) status = LineSearchStatus::non_finite;
    return LineSearchResult{status, x.alpha, x.phi, x.dphi, r.evaluations};
  };
  const double resolution = detail::step_resolution(theta, p);
  // Values closer than this are equal to rounding: φ' decides between them.
  const double rounding = opt.noise * std::numeric_limits<S>::epsilon() * std::abs(value);

  // Zoom (Alg. 3.6): lo is the best point so far with sufficient decrease; the bracket
  // [lo, hi] (in either order) contains steps meeting the strong Wolfe conditions.
  const auto zoom = [&](Point lo, Point hi) {
    for (;;) {
      if (std::abs(hi.alpha - lo.alpha) < resolution) return finish(LineSearchStatus::step_too_small, lo);
      if (r.evaluations == opt.max_evaluations) return finish(LineSearchStatus::max_evaluations, lo);
      // Minimizer of the cubic matching φ, φ' at both ends (eq. 3.59), kept inside the middle
      // 80% of the bracket so it shrinks geometrically; bisection otherwise or if hi is not finite.
      double alpha = 0.5 * (lo.alpha + hi.alpha);
      if (std::isfinite(hi.phi) && std::isfinite(hi.dphi)) {
        const double d1 = lo.dphi + hi.dphi - 3 * (lo.phi - hi.phi) / (lo.alpha - hi.alpha);
        const double d2 = std::copysign(std::sqrt(d1 * d1 - lo.dphi * hi.dphi), hi.alpha - lo.alpha);
        const double cubic =
            hi.alpha - (hi.alpha - lo.alpha) * (hi.dphi + d2 - d1) / (hi.dphi - lo.dphi + 2 * d2);
        const double a = std::min(lo.alpha, hi.alpha), b = std::max(lo.alpha, hi.alpha);
        if (std::isfinite(cubic) && cubic >= a + 0.1 * (b - a) && cubic <= b - 0.1 * (b - a)) alpha = cubic;
      }
      const Point x = evaluate(alpha);
      if (!sufficient_decrease(x) || x.phi > lo.phi + rounding) {
        hi = x;
      } else {
        if (curvature(x)) return finish(LineSearchStatus::ok, x);
        if (x.dphi * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = x;
      }
    }
  };

  // Bracketing (Alg. 3.5): grow α until it passes a minimizer of φ or meets the conditions.
  Point previous{0, value, slope};
  for (double alpha = alpha0;; alpha *= opt.expansion) {
    if (r.evaluations == opt.max_evaluations) return finish(LineSearchStatus::max_evaluations, previous);
    const Point x = evaluate(alpha);
    if (!sufficient_decrease(x) || (r.evaluations > 1 && x.phi > previous.phi + rounding))
      return zoom(previous, x);
    if (curvature(x)) return finish(LineSearchStatus::ok, x);
    if (x.dphi >= 0) return zoom(x, previous);
    previous = x;
  }
}

namespace detail {
// The stopping rules of optim::minimize at iterate k with L = value, ‖g‖ = grad_norm:
// diverged, converged or max_iters, or nothing (go on).
inline std::optional<Status> descent_stop(std::int64_t k, double value, double previous,
                                          double grad_norm, const Stop& stop) {
  if (!std::isfinite(value) || !std::isfinite(grad_norm)) return Status::diverged;
  const bool small_gradient = grad_norm <= stop.grad_tol;
  const bool small_change = k > 0 && stop.value_tol > 0 &&
                            std::abs(value - previous) <= stop.value_tol * std::max(1.0, std::abs(value));
  if (small_gradient || small_change) return Status::converged;
  if (k == stop.max_iters) return Status::max_iters;
  return std::nullopt;
}

// How a driver ends when its line search fails: diverged if it ended on a non-finite trial (θ
// stays at the last finite iterate), stalled otherwise.
inline Status failed_search(const LineSearchResult& r) {
  return r.status == LineSearchStatus::non_finite ? Status::diverged : Status::stalled;
}

// Ends iterate k of a line-search driver: emits its StepEvent (lr = the accepted step length α_k,
// NaN if the run ends here) and returns the status if the run ends. `done` is the status the
// iterate already ended the run with (descent_stop or failed_search), if any; as in minimize, the
// callback's stop request beats everything but diverged and converged.
template <class S, class Callback>
std::optional<Status> end_iterate(Callback& callback, std::int64_t k, const Vec<S>& theta,
                                  const Vec<S>& g, double value, double step,
                                  std::optional<Status> done) {
  const double lr = done ? std::numeric_limits<double>::quiet_NaN() : step;
  const bool stop_asked = emit(callback, StepEvent<S>{0, k, {}, theta, g, value, lr});
  if (done == Status::diverged || done == Status::converged) return done;
  if (stop_asked) return Status::interrupted;
  return done;
}

// The iteration of the Newton-type drivers: at θ_k, direction(‖g_k‖) fills p with a descent
// direction (false when H or H·v is not finite: diverged), Armijo backtracking from α = 1 along it
// moves θ; stopping rules and events as above. theta_trial: the line search's work vector.
template <class F, class Direction, class Callback>
Report armijo_descent(const F& f, Vec<typename F::Scalar>& theta, Vec<typename F::Scalar>& g,
                      const Vec<typename F::Scalar>& p, Vec<typename F::Scalar>& theta_trial,
                      const Stop& stop, const Armijo& line_search, Direction&& direction, Callback& callback) {
  double value = double(f.gradient(theta, g)), previous = 0;
  for (std::int64_t k = 0;; ++k) {
    const double grad_norm = double(g.norm());
    std::optional<Status> done = descent_stop(k, value, previous, grad_norm, stop);
    LineSearchResult step;
    if (!done) {
      if (direction(grad_norm)) {
        step = armijo_backtracking(f, theta, p, value, double(g.dot(p)), 1.0, theta_trial, line_search);
        if (!step.ok()) done = failed_search(step);
      } else {
        done = Status::diverged;
      }
    }
    if (const auto end = end_iterate(callback, k, theta, g, value, step.step, done))
      return {*end, k, 0, value, grad_norm};
    theta.swap(theta_trial);
    previous = value;
    value = double(f.gradient(theta, g));
  }
}
}  // namespace detail

}  // namespace nnlab::optim
