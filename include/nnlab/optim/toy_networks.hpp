// Two nonconvex toy problems that are miniature neural networks, with their critical points and
// the conservation laws of gradient flow θ' = −∇L(θ) (Arora, Cohen & Hazan, ICML 2018; Du, Hu &
// Lee, NeurIPS 2018: balancedness is conserved in linear networks).
//   DeepChain            L(w) = ½(w_N ⋯ w_1 − y)², w ∈ R^N (a depth-N linear network on one
//                        scalar, target y = 1 by default). With P = Πw_j: ∂L/∂w_i = (P − y)Π_{j≠i}w_j,
//                        so w_i ∂L/∂w_i = (P − y)P is the same for every i and gradient flow
//                        conserves w_i² − w_j². Critical points: the minima P = y (a manifold:
//                        Hessian ∇P∇Pᵀ, rank 1) and every w with at least two zero entries. The
//                        origin is a saddle whose flatness grows with N: L(w) = ½y² − yΠw_j + O(‖w‖^{2N}),
//                        so near 0 the gradient is O(‖w‖^{N−1}), for N = 2 a strict saddle (index 1),
//                        for N ≥ 3 degenerate (H = 0), and escape from near 0 slows with depth.
//   MatrixFactorization  L(U, V) = ½‖UVᵀ − M‖²_F, U: m × r, V: n × r, θ = (vec U, vec V)
//                        column-major. ∇_U L = RV, ∇_V L = RᵀU with R = UVᵀ − M, so Uᵀ∇_U L =
//                        (∇_V L)ᵀV and gradient flow conserves UᵀU − VᵀV; a GD step of size h changes
//                        it by exactly h²(VᵀRᵀRV − UᵀRRᵀU), a drift ∝ h over a fixed time.
//                        Critical points (M = Σσ_i u_i v_iᵀ, distinct σ_i > 0; Baldi & Hornik 1989
//                        for the symmetric case): the origin, index r·rank M, and for every set S of
//                        r singular components the balanced U = U_S Σ_S^{1/2}, V = V_S Σ_S^{1/2} with
//                        L = ½Σ_{i∉S}σ_i², index #{(k ∈ S, i ∉ S): σ_i > σ_k} and r² zero
//                        eigenvalues (the GL(r) symmetry U → UG, V → VG^{−T}); so every local
//                        minimum is global (S = the top r) and every other critical point is a
//                        strict saddle (Ge, Jin & Zheng, ICML 2017).
#pragma once
#include <vector>

#include "nnlab/core/types.hpp"
#include "nnlab/optim/critical_points.hpp"

namespace nnlab::optim {

class DeepChain {
 public:
  using Scalar = double;

  explicit DeepChain(Index depth, double target = 1.0);

  Index dim() const { return depth_; }
  double target() const { return target_; }
  double value(const Vec<double>& w) const;
  double gradient(const Vec<double>& w, Vec<double>& g) const;
  void hvp(const Vec<double>& w, const Vec<double>& v, Vec<double>& Hv) const;
  Mat<double> hessian(const Vec<double>& w) const;
  // The origin, (0, 0, 1, …, 1) (N ≥ 3: index 1, N − 2 zero eigenvalues)
  // and the balanced minimum w_i = y^{1/N} (y > 0).
  std::vector<CriticalPoint> critical_points() const;

 private:
  Index depth_;
  double target_;
};

class MatrixFactorization {
 public:
  using Scalar = double;

  // M: m × n, rank ≥ rank_r ≥ 1 with distinct nonzero singular values (checked).
  MatrixFactorization(Mat<double> M, Index rank_r);

  Index dim() const { return (M_.rows() + M_.cols()) * r_; }
  Index rank() const { return r_; }
  const Mat<double>& M() const { return M_; }
  // θ = (vec U, vec V) → (U, V) and back.
  ConstMatMap<double> U(const Vec<double>& theta) const { return {theta.data(), M_.rows(), r_}; }
  ConstMatMap<double> V(const Vec<double>& theta) const {
    return {theta.data() + M_.rows() * r_, M_.cols(), r_};
  }
  Vec<double> pack(const Mat<double>& U, const Mat<double>& V) const;

  double value(const Vec<double>& theta) const;
  double gradient(const Vec<double>& theta, Vec<double>& g) const;
  // ∇²L·(A, B) = ((AVᵀ + UBᵀ)V + RB, (AVᵀ + UBᵀ)ᵀU + RᵀA).
  void hvp(const Vec<double>& theta, const Vec<double>& v, Vec<double>& Hv) const;
  Mat<double> hessian(const Vec<double>& theta) const;  // by hvp on the unit vectors
  // UᵀU − VᵀV (r × r), conserved by gradient flow.
  Mat<double> imbalance(const Vec<double>& theta) const;
  // The origin and the balanced points of every r-subset of singular components (see above).
  std::vector<CriticalPoint> critical_points() const;

 private:
  Mat<double> M_, Uy_, Vy_;  // M's singular vectors
  Vec<double> sigma_;        // and its singular values, descending
  Index r_;
};

}  // namespace nnlab::optim
