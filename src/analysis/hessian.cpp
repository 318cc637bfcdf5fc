#include "nnlab/analysis/hessian.hpp"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "nnlab/core/error.hpp"

namespace nnlab::analysis {

namespace {

// A standard normal vector: the random start of Lanczos and of power iteration.
Vec<double> gaussian_start(Index dim, Rng& rng) {
  Vec<double> v(dim);
  for (Index i = 0; i < dim; ++i) v[i] = normal(rng);
  return v;
}

}  // namespace

Spectrum lanczos(const HvpFn& hvp, Index dim, int iterations, Rng& rng) {
  require(dim >= 1, "Lanczos needs an operator of dimension ≥ 1, got {}", dim);
  return lanczos(hvp, gaussian_start(dim, rng), iterations);
}

Spectrum lanczos(const HvpFn& hvp, const Vec<double>& start, int iterations) {
  require(iterations >= 1, "Lanczos needs at least 1 iteration, got {}", iterations);
  const Index dim = start.size();
  require(dim >= 1, "Lanczos needs an operator of dimension ≥ 1, got {}", dim);
  const double start_norm = start.norm();
  require(start_norm > 0 && std::isfinite(start_norm), "Lanczos needs a nonzero finite start vector");
  const Index m_max = std::min<Index>(iterations, dim);
  Mat<double> Q(dim, m_max);  // the orthonormal Lanczos vectors q_1 … q_m as columns
  std::vector<double> alpha, beta;  // T's diagonal and off-diagonal; beta[j] couples q_j, q_{j+1}
  Vec<double> q = start / start_norm, w;
  double beta_last = 0;  // β_m, the norm of the part of H q_m outside the Krylov space
  double norm_T = 0;     // a lower bound on ‖H‖, the scale of "β_m = 0"
  for (Index j = 0; j < m_max; ++j) {
    Q.col(j) = q;
    hvp(q, w);
    require(w.size() == dim, "Lanczos: the product has {} entries, the operator dimension is {}",
            w.size(), dim);
    alpha.push_back(q.dot(w));
    // w ⟂ q_1 … q_j, twice: classical Gram–Schmidt loses orthogonality once Ritz values converge.
    for (int pass = 0; pass < 2; ++pass) w -= Q.leftCols(j + 1) * (Q.leftCols(j + 1).transpose() * w);
    beta_last = w.norm();
    norm_T = std::max({norm_T, std::abs(alpha.back()), beta_last});
    // The Krylov space is invariant: T_m's eigenvalues are eigenvalues of H, exactly.
    if (beta_last <= 1e-12 * norm_T) break;
    if (j + 1 < m_max) {
      beta.push_back(beta_last);
      q = w / beta_last;
    }
  }
  const auto m = Index(alpha.size());
  Eigen::SelfAdjointEigenSolver<Mat<double>> eig;
  Vec<double> diag = Eigen::Map<const Vec<double>>(alpha.data(), m);
  Vec<double> off = m > 1 ? Vec<double>(Eigen::Map<const Vec<double>>(beta.data(), m - 1)) : Vec<double>();
  eig.computeFromTridiagonal(diag, off, Eigen::ComputeEigenvectors);
  require(eig.info() == Eigen::Success, "Lanczos: the tridiagonal eigensolver did not converge");
  Spectrum s;
  s.iterations = int(m);
  s.ritz_coordinates = eig.eigenvectors().rowwise().reverse();  // Eigen sorts ascending
  for (Index i = 0; i < m; ++i) {
    s.ritz_values.push_back(eig.eigenvalues()[m - 1 - i]);
    s.residual_bounds.push_back(beta_last * std::abs(s.ritz_coordinates(m - 1, i)));
  }
  s.basis = Q.leftCols(m);
  return s;
}

Vec<double> Spectrum::ritz_vector(std::size_t i) const {
  require(i < ritz_values.size(), "ritz_vector({}): there are only {} Ritz values", i, ritz_values.size());
  return basis * ritz_coordinates.col(Index(i));
}

double residual(const HvpFn& hvp, const Spectrum& spectrum, std::size_t i) {
  const Vec<double> u = spectrum.ritz_vector(i);
  Vec<double> Hu;
  hvp(u, Hu);
  return (Hu - spectrum.ritz_values[i] * u).norm();
}

PowerIteration power_iteration(const HvpFn& hvp, Index dim, int iterations, Rng& rng) {
  require(dim >= 1, "power iteration needs dim ≥ 1, got {}", dim);
  return power_iteration(hvp, gaussian_start(dim, rng), iterations);
}

PowerIteration power_iteration(const HvpFn& hvp, const Vec<double>& start, int iterations) {
  require(iterations >= 1, "power iteration needs iterations ≥ 1, got {}", iterations);
  const double start_norm = start.norm();
  require(start_norm > 0 && std::isfinite(start_norm), "power iteration: the start must be nonzero and finite");
  Vec<double> v = start / start_norm, Hv;
  PowerIteration p;
  for (int k = 1; k <= iterations; ++k) {
    hvp(v, Hv);
    p.eigenvalue = v.dot(Hv);
    p.residual = (Hv - p.eigenvalue * v).norm();
    p.iterations = k;
    const double norm = Hv.norm();
    require(norm > 0 && std::isfinite(norm), "power iteration: H maps the iterate of step {} to {}", k,
            norm > 0 ? "a non-finite vector" : "0");
    if (k < iterations) v = Hv / norm;
  }
  return p;
}

TraceEstimate hutchinson_trace(const HvpFn& hvp, Index dim, int probes, Rng& rng) {
  require(probes >= 1, "Hutchinson's trace estimate needs at least 1 probe, got {}", probes);
  std::vector<double> samples;
  Vec<double> z(dim), Hz;
  for (int i = 0; i < probes; ++i) {
    for (Index k = 0; k < dim; ++k) z[k] = (rng() >> 63) ? 1.0 : -1.0;
    hvp(z, Hz);
    samples.push_back(z.dot(Hz));
  }
  TraceEstimate t;
  t.probes = probes;
  t.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / probes;
  if (probes > 1) {
    double ss = 0;
    for (double x : samples) ss += (x - t.mean) * (x - t.mean);
    t.standard_error = std::sqrt(ss / (probes - 1) / probes);
  }
  return t;
}

SpectralDensity spectral_density(const HvpFn& hvp, Index dim, int iterations, int probes, Rng& rng) {
  require(probes >= 1, "the spectral density needs at least 1 probe, got {}", probes);
  SpectralDensity d;
  d.dim = dim;
  d.iterations = iterations;
  Vec<double> z(dim);
  for (int l = 0; l < probes; ++l) {
    for (Index k = 0; k < dim; ++k) z[k] = (rng() >> 63) ? 1.0 : -1.0;
    const Spectrum s = lanczos(hvp, z, iterations);
    std::vector<double> weights;
    for (Index j = 0; j < s.ritz_coordinates.cols(); ++j) weights.push_back(std::pow(s.ritz_coordinates(0, j), 2));
    d.nodes.push_back(s.ritz_values);
    d.weights.push_back(std::move(weights));
  }
  return d;
}

experiment::Estimate SpectralDensity::moment(int k) const {
  Vec<double> per_probe(Index(nodes.size()));
  for (std::size_t l = 0; l < nodes.size(); ++l) {
    double m = 0;
    for (std::size_t j = 0; j < nodes[l].size(); ++j) m += weights[l][j] * std::pow(nodes[l][j], k);
    per_probe(Index(l)) = m;
  }
  if (per_probe.size() == 1) return {per_probe(0), 0};
  return experiment::mean_estimate(per_probe);
}

double SpectralDensity::mass(double lo, double hi) const {
  double total = 0;
  for (std::size_t l = 0; l < nodes.size(); ++l)
    for (std::size_t j = 0; j < nodes[l].size(); ++j)
      if (nodes[l][j] >= lo && nodes[l][j] < hi) total += weights[l][j];
  return total / double(nodes.size());
}

std::vector<double> SpectralDensity::smoothed(const std::vector<double>& t, double sigma) const {
  require(sigma > 0, "smoothed density: sigma must be > 0, got {}", sigma);
  const double norm = 1 / (sigma * std::sqrt(2 * std::numbers::pi) * double(nodes.size()));
  std::vector<double> out(t.size(), 0.0);
  for (std::size_t i = 0; i < t.size(); ++i)
    for (std::size_t l = 0; l < nodes.size(); ++l)
      for (std::size_t j = 0; j < nodes[l].size(); ++j) {
        const double u = (t[i] - nodes[l][j]) / sigma;
        out[i] += weights[l][j] * std::exp(-0.5 * u * u) * norm;
      }
  return out;
}

}  // namespace nnlab::analysis
