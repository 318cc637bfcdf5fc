// The spectrum and the trace of a symmetric D × D operator known only through products v ↦ Hv,
// such as a network's Hessian by the R-operator (Mlp::hvp), so that H is never formed.
//
//   Lanczos       m steps build an orthonormal basis Q_m of the Krylov space {v, Hv, …, H^{m−1}v}
//                 and the tridiagonal T_m = Q_mᵀ H Q_m; its eigenvalues (Ritz values) converge
//                 first to the extreme eigenvalues of H. Each Ritz pair (θ, u = Q_m s) has the
//                 residual ‖Hu − θu‖ = β_m |s_m| in exact arithmetic, and any residual bounds
//                 the distance from θ to the nearest eigenvalue of H. Full reorthogonalization
//                 keeps Q_m orthonormal in floating point (without it, converged eigenvalues
//                 reappear as spurious copies). It is memory-bound — each pass of Gram–Schmidt
//                 reads all of Q_k, D × k numbers, for k multiply-adds per row — so it is done with
//                 as few reads as the method allows: Q_m is one D × m matrix; classical
//                 Gram–Schmidt h = Q_kᵀw, w ← w − Q_k h is one read for the projection and one
//                 for the subtraction fused with the projection that tests it (h₂ = Q_kᵀw); a
//                 third read applies h₂ only when it exceeds what the basis can hold (2⁻⁴⁰‖w‖ in
//                 double, 2⁻²⁴‖w‖ in float). The first read also measures q_kᵀq_i for all i ≤ k,
//                 so max|Q_mᵀQ_m − I| is known exactly and reported. Q_m may be stored in float
//                 (half the memory and the traffic) when the products are in float anyway.
//   Power         v ← Hv/‖Hv‖ converges to the eigenvector of the eigenvalue of largest |λ| at the
//   iteration     rate |λ₂/λ₁| per step; the Rayleigh quotient ρ = vᵀHv of the last v, with the
//                 residual r = ‖Hv − ρv‖ (H has an eigenvalue within r of ρ). Slower than Lanczos
//                 and blind to everything but the dominant eigenvalue: an independent check.
//   Hutchinson    tr H = E[zᵀHz] for z with independent ±1 entries (Rademacher); the mean over
//                 n probes has variance 2 Σ_{i≠j} H_ij² / n, so it is exact for a diagonal H.
//   SLQ           stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017; Ghorbani, Krishnan &
//                 Xiao 2019) for the spectral density (1/D) Σ_i δ(t − λ_i): from a unit start v,
//                 m Lanczos steps give nodes θ_j (Ritz values) and weights τ_j = (e₁ᵀs_j)² (the
//                 first entries of T_m's eigenvectors), an m-point Gauss quadrature of the measure
//                 μ_v = Σ_i (vᵀu_i)² δ_{λ_i}: Σ_j τ_j θ_j^k = vᵀH^k v exactly for k ≤ 2m − 1. For
//                 v = z/√D, z Rademacher, E[μ_v] is the density; n probes are averaged.
#pragma once
#include <functional>
#include <memory>
#include <type_traits>
#include <variant>
#include <vector>

#include "nnlab/core/rng.hpp"
#include "nnlab/core/thread_pool.hpp"
#include "nnlab/core/types.hpp"
#include "nnlab/experiment/stats.hpp"
#include "nnlab/optim/objective.hpp"

namespace nnlab::analysis {

// Hv = H v for the operator; Hv has v's size on return.
using HvpFn = std::function<void(const Vec<double>& v, Vec<double>& Hv)>;

// The Hessian ∇²L(θ) of any objective with H·v products (a network's loss, a quadratic, a test
// function) as an operator for Lanczos and Hutchinson, which work in double: the products run in
// the objective's precision. It is H at θ as θ is now (θ is copied): an objective with a fixed-θ
// operator, f.hessian_at(θ) (train::NetworkObjective: forward pass and δ computed once, the same
// bits as f.hvp), gives its products through it. f must outlive the operator.
template <optim::HvpObjective F>
HvpFn hvp_operator(const F& f, const Vec<typename F::Scalar>& theta) {
  using S = typename F::Scalar;
  // apply(v, Hv) in S: f.hvp at the copied θ, or the fixed-θ operator's hvp (shared, so that the
  // std::function stays copyable).
  auto apply = [&] {
    if constexpr (requires(Vec<S>& out) { f.hessian_at(theta).hvp(theta, out); }) {
      return [H = std::make_shared<decltype(f.hessian_at(theta))>(f.hessian_at(theta))](
                 const Vec<S>& v, Vec<S>& Hv) { H->hvp(v, Hv); };
    } else {
      return [&f, at = Vec<S>(theta)](const Vec<S>& v, Vec<S>& Hv) { f.hvp(at, v, Hv); };
    }
  }();
  if constexpr (std::is_same_v<S, double>) {
    return apply;
  } else {
    return [apply, v_s = Vec<S>(), Hv_s = Vec<S>()](const Vec<double>& v, Vec<double>& Hv) mutable {
      v_s = v.cast<S>();
      apply(v_s, Hv_s);
      Hv = Hv_s.template cast<double>();
    };
  }
}

// The precision in which Lanczos stores its basis. float32 halves memory and traffic and keeps the
// basis orthonormal to about 1e-7 (reported in Spectrum::orthogonality): suited to products that are
// in float themselves (a float network), whose own rounding is larger. Ritz values, T and every
// sum are in double either way.
enum class BasisPrecision { float64, float32 };

struct LanczosOptions {
  BasisPrecision basis = BasisPrecision::float64;
  // Where the passes over the basis may run, in row blocks (the result does not depend on it).
  ThreadPool* pool = nullptr;
};

struct Spectrum {
  std::vector<double> ritz_values;      // eigenvalues of T_m, largest first
  std::vector<double> residual_bounds;  // β_m |s_m| for each, in the same order: ‖Hu − θu‖ when
                                        // the products are exact and the basis orthonormal;
                                        // measure it (residual()) otherwise, e.g. in float
  int iterations = 0;                   // m: fewer than asked if the Krylov space closed
  std::variant<Mat<double>, Mat<float>> basis;  // Q_m, dim × m, in the precision asked for
  Mat<double> ritz_coordinates;         // s_i as columns, in the order of ritz_values
  double orthogonality = 0;             // max |Q_mᵀQ_m − I| over all entries, measured
  int second_passes = 0;                // iterations that needed the second Gram–Schmidt pass

  // The unit Ritz vector u_i = Q_m s_i / ‖Q_m s_i‖ of ritz_values[i].
  Vec<double> ritz_vector(std::size_t i) const;
};

// Lanczos with full reorthogonalization from a random unit start drawn from rng; at most
// min(iterations, dim) products with H. Error if iterations < 1 or dim < 1.
Spectrum lanczos(const HvpFn& hvp, Index dim, int iterations, Rng& rng, const LanczosOptions& options = {});
// The same from a given start (normalized here; error if it is zero or not finite).
Spectrum lanczos(const HvpFn& hvp, const Vec<double>& start, int iterations,
                 const LanczosOptions& options = {});

// The spectral density by SLQ: per probe, the quadrature's nodes and weights (the weights of a
// probe sum to 1).
struct SpectralDensity {
  Index dim = 0;
  int iterations = 0;  // Lanczos steps asked per probe (a probe has fewer nodes if its space closed)
  std::vector<std::vector<double>> nodes, weights;

  // (1/D) tr H^k estimated as the mean over probes of Σ_j τ_j θ_j^k, with its standard error over
  // the probes (0 for one probe).
  experiment::Estimate moment(int k) const;
  // The measure's share in [lo, hi), averaged over probes.
  double mass(double lo, double hi) const;
  // The density convolved with a Gaussian of deviation sigma, at each t.
  std::vector<double> smoothed(const std::vector<double>& t, double sigma) const;
};

// n probes of m = iterations Lanczos steps each (m ≤ dim products per probe). Error if probes < 1.
SpectralDensity spectral_density(const HvpFn& hvp, Index dim, int iterations, int probes, Rng& rng,
                                 const LanczosOptions& options = {});

struct TraceEstimate {
  double mean = 0;            // (1/n) Σ z_iᵀ H z_i
  double standard_error = 0;  // sample deviation of zᵀHz / √n (0 for n = 1)
  int probes = 0;
};

// ‖Hu − θu‖ for the Ritz pair i and its unit Ritz vector u, by one more product: a true residual
// whatever the basis' orthogonality (H has an eigenvalue within it of θ), up to the products' own
// rounding.
double residual(const HvpFn& hvp, const Spectrum& spectrum, std::size_t i);

struct PowerIteration {
  double eigenvalue = 0;  // the Rayleigh quotient vᵀHv of the last unit iterate
  double residual = 0;    // ‖Hv − ρv‖: H has an eigenvalue in [ρ − r, ρ + r]
  int iterations = 0;     // products with H
};

// Power iteration from a random unit start drawn from rng, `iterations` products with H. Error if
// iterations < 1 or an iterate is mapped to 0 or to a non-finite vector.
PowerIteration power_iteration(const HvpFn& hvp, Index dim, int iterations, Rng& rng);
// The same from a given start (normalized here). Its last iterate lies in the Krylov space
// {v, Hv, …, H^{k−1}v}, k = iterations, so Lanczos from the same start with m ≥ k steps finds a top
// Ritz value ≥ its eigenvalue (the top Ritz value is the largest Rayleigh quotient on that space).
PowerIteration power_iteration(const HvpFn& hvp, const Vec<double>& start, int iterations);

// Hutchinson's estimate of tr H with `probes` Rademacher vectors from rng. Error if probes < 1.
TraceEstimate hutchinson_trace(const HvpFn& hvp, Index dim, int probes, Rng& rng);

}  // namespace nnlab::analysis
