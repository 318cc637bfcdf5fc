// Lab vanishing-gradients (sheet 9.3.2): long-term dependencies in a deep net with the same W at
// every layer. PRML 5.3.1 notation, layers k = 1..N:
//   z^(1) = x,  a^(k+1) = W z^(k),  z^(k) = h(a^(k)),  y = a^(N+1) (linear output),
//   δ^(N+1) = ∇_y E,  δ^(k) = h'(a^(k)) ⊙ (Wᵀ δ^(k+1)),  ∂E/∂w_ji^(k) = δ_j^(k+1) z_i^(k),
// so ∂E/∂w₁₁^(1) = x₁ · [h'(a^(2)) ⊙ Wᵀ(h'(a^(3)) ⊙ Wᵀ( ⋯ h'(a^(N)) ⊙ Wᵀ∇_yE))]₁: N − 1 factors
// Wᵀ. With every ReLU firing (h' = 1) and Wᵀ∇_yE = λ∇_yE it is λ^(N−1) (∇_yE)₁ x₁.
// Measured: forward and backward passes of the library's layer functions (dense_forward,
// backprop_delta), central differences of E, singular values of products of W; W: n × n,
// Z: n × 1 (one sample).
#include <Eigen/LU>
#include <Eigen/QR>
#include <Eigen/SVD>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include "nnlab/core/error.hpp"
#include "nnlab/data/synthetic.hpp"
#include "nnlab/experiment/claims.hpp"
#include "nnlab/experiment/stats.hpp"
#include "nnlab/labs/lab.hpp"
#include "nnlab/nn/layer.hpp"
#include "nnlab/nn/rnn.hpp"
#include "nnlab/optim/adam.hpp"

namespace nnlab::labs {
namespace {

using data::gaussian_matrix;
using nn::Activation;
constexpr double inf = std::numeric_limits<double>::infinity();

// The lab's theory, or one of its mutants (VanishingGradients::mutants()); the measurements
// (forward/backward passes, finite differences, SVDs) never read it.
struct Theory {
  std::string_view mutant;

  // The matrix the δ recursion multiplies by: Wᵀ (δ^(k) = h'(a^(k)) ⊙ Wᵀδ^(k+1)).
  Mat<double> recursion_matrix(const Mat<double>& W) const {
    return mutant == "W-not-transpose" ? Mat<double>(W) : Mat<double>(W.transpose());
  }
  // (a): ∂E/∂w₁₁^(1) = x₁ [h'(a^(2)) ⊙ M(h'(a^(3)) ⊙ M(⋯ h'(a^(N)) ⊙ M∇_yE))]₁, M = recursion
  // matrix, from the forward pass's h'(a^(k)) (k = 2..N, at hprime[k−2]).
  double chain(const Mat<double>& W, const std::vector<Vec<double>>& hprime, const Vec<double>& grad_y,
               double x1) const {
    const Mat<double> M = recursion_matrix(W);
    Vec<double> delta = grad_y;
    for (std::size_t k = hprime.size(); k >= 1; --k) delta = hprime[k - 1].cwiseProduct(M * delta);
    return delta(0) * x1;
  }
  // (b): with every ReLU firing and ∇_yE an eigenvector (of the recursion matrix) with eigenvalue λ.
  double eigen_derivative(double lambda, int N, double g1, double x1) const {
    return std::pow(lambda, mutant == "lambda-N" ? N : N - 1) * g1 * x1;
  }
  // The eigenvector ∇_yE must be, for W = S Λ S⁻¹: of Wᵀ, a column of S⁻ᵀ (a left eigenvector of
  // W), not a column of S.
  Vec<double> eigenvector(const Mat<double>& S, const Mat<double>& S_inv, Index j) const {
    const Vec<double> v = mutant == "W-not-transpose" ? Vec<double>(S.col(j)) : Vec<double>(S_inv.row(j).transpose());
    return v / v.norm();
  }
  // Whether gradient clipping, which rescales the whole gradient, also cures vanishing gradients.
  bool clipping_cures_vanishing() const { return mutant == "clipping-cures-vanishing"; }
  // sup_a h'(a).
  double derivative_bound(Activation h) const {
    if (h == Activation::sigmoid) return mutant == "sigmoid-half" ? 0.5 : mutant == "no-derivative-factor" ? 1.0 : 0.25;
    return 1;  // tanh, relu
  }
};

// One forward and backward pass of the N-layer net with W at every layer, except that layer 1
// uses W1 (so that w₁₁^(1) alone can be moved), for one sample x and E = ½‖y − t‖².
struct Pass {
  std::vector<Mat<double>> a, z, delta;  // indices as in the math: a[2..N+1], z[1..N], δ[2..N+1]
  double E = 0;
  const Mat<double>& y() const { return a.back(); }
};

Pass forward(const Mat<double>& W1, const Mat<double>& W, const Vec<double>& x, Activation h, int N) {
  const Index n = W.rows();
  Pass p;
  p.a.assign(std::size_t(N) + 2, Mat<double>(n, 1));
  p.z.assign(std::size_t(N) + 1, Mat<double>(n, 1));
  p.z[1] = x;
  for (int k = 1; k < N; ++k)
    nn::dense_forward<double>(k == 1 ? W1 : W, nullptr, p.z[std::size_t(k)], h, p.a[std::size_t(k) + 1],
                              p.z[std::size_t(k) + 1], nn::Update::overwrite, nullptr);
  nn::dense_forward<double>(N == 1 ? W1 : W, nullptr, p.z[std::size_t(N)], p.a[std::size_t(N) + 1],
                            nn::Update::overwrite, nullptr);
  return p;
}

// δ^(k) for k = N+1 down to 2 from ∇_yE, by the library's backprop_delta (which applies Wᵀ).
void backward(Pass& p, const Mat<double>& W, const Vec<double>& grad_y, Activation h, int N) {
  const Index n = W.rows();
  p.delta.assign(std::size_t(N) + 2, Mat<double>(n, 1));
  p.delta[std::size_t(N) + 1] = grad_y;
  Mat<double> g(n, 1);
  for (int k = N; k >= 2; --k)
    nn::backprop_delta<double>(W, p.delta[std::size_t(k) + 1], std::nullopt, h, p.a[std::size_t(k)],
                               p.z[std::size_t(k)], g, p.delta[std::size_t(k)], nullptr);
}


// An orthogonal n × n matrix from the QR of a Gaussian one.
Mat<double> random_orthogonal(Index n, Rng& rng) {
  const Eigen::HouseholderQR<Mat<double>> qr(gaussian_matrix(n, n, rng));
  return qr.householderQ();
}

// The adding problem (Hochreiter & Schmidhuber 1997): x_t = (u_t, m_t), u_t ~ U(0, 1), one
// marker m_t = 1 in each half of the sequence; the target is the sum of the two marked u_t.
struct AddingBatch {
  std::vector<Mat<double>> x;  // x_1..x_T: T matrices 2 × batch
  Mat<double> target;          // 1 × batch
  Mat<double> marked;          // 2 × batch: the early and the late marked u_t
};

AddingBatch adding_problem(std::size_t T, Index batch, Rng& rng) {
  AddingBatch b{std::vector<Mat<double>>(T, Mat<double>::Zero(2, batch)), Mat<double>(1, batch), Mat<double>(2, batch)};
  for (Index n = 0; n < batch; ++n) {
    const std::size_t t1 = std::size_t(uniform_index(rng, T / 2)), t2 = T / 2 + std::size_t(uniform_index(rng, T - T / 2));
    for (std::size_t t = 0; t < T; ++t) b.x[t](0, n) = uniform01(rng);
    b.x[t1](1, n) = b.x[t2](1, n) = 1;
    b.marked(0, n) = b.x[t1](0, n), b.marked(1, n) = b.x[t2](0, n);
    b.target(0, n) = b.marked(0, n) + b.marked(1, n);
  }
  return b;
}

// A tanh RNN with H hidden units trained on the adding problem of length T by Adam (η = 0.01,
// minibatches of 32 fresh sequences), the gradient clipped to norm 1 or not. Initialization
// W_hh ~ N(0, 1/H), W_xh ~ N(0, 1), W_y ~ N(0, 1/H), biases 0. Measured on 1000 fresh sequences:
// the test MSE, and the least-squares weights of the prediction on the early and the late marked
// u_t (both 1 when the sum is learned; 0 for an input the net ignores).
struct AddingFit {
  double mse, w_early, w_late;
};

AddingFit train_adding(std::size_t T, Index H, std::int64_t steps, bool clip, Rng& rng) {
  nn::Rnn<double> rnn({.n_in = 2, .n_hidden = H, .n_out = 1, .h = Activation::tanh, .loss = nn::Loss::mse});
  auto v = rnn.view(rnn.theta());
  v.W_hh = gaussian_matrix(H, H, rng) / std::sqrt(double(H));
  v.W_xh = gaussian_matrix(H, 2, rng);
  v.W_y = gaussian_matrix(1, H, rng) / std::sqrt(double(H));
  optim::Adam<double> adam({.lr = 0.01});
  Vec<double> g;
  nn::RnnCache<double> cache;
  for (std::int64_t k = 0; k < steps; ++k) {
    const AddingBatch b = adding_problem(T, 32, rng);
    rnn.loss_and_gradient(b.x, b.target, g, cache);
    if (const double norm = g.norm(); clip && norm > 1) g /= norm;
    adam.step(rnn.theta(), g);
  }
  constexpr Index n_test = 1000;
  const AddingBatch test = adding_problem(T, n_test, rng);
  const double mse = rnn.loss_and_gradient(test.x, test.target, g, cache);
  Mat<double> design(n_test, 3);
  design.col(0).setOnes();
  design.rightCols(2) = test.marked.transpose();
  const Vec<double> w = design.colPivHouseholderQr().solve(cache.y.row(0).transpose());
  return {mse, w(1), w(2)};
}

// A basis S whose first column is u = 1/√n (positive), the other columns random.
Mat<double> basis_with_positive_first(Index n, Rng& rng, bool orthonormal) {
  Mat<double> G = gaussian_matrix(n, n, rng);
  G.col(0).setOnes();
  const Eigen::HouseholderQR<Mat<double>> qr(G);
  Mat<double> Q = qr.householderQ();
  if (Q(0, 0) < 0) Q.col(0) *= -1;  // the first column is ±u
  if (orthonormal) return Q;
  Mat<double> S = Q + 0.4 * gaussian_matrix(n, n, rng) / std::sqrt(double(n));
  S.col(0) = Q.col(0);
  return S;
}

std::string sheet_lambda(double l) { return fmt::format("{:g}", l); }

class VanishingGradients : public Lab {
 public:
  std::string id() const override { return "vanishing-gradients"; }
  std::string sheet() const override { return "9.3.2"; }
  std::string question() const override {
    return "Long-term dependencies: how ∂E/∂w₁₁⁽¹⁾ scales with depth when every layer has the same W";
  }

  std::vector<ParamSpec> params() const override {
    using T = ParamType;
    return {
        spec("width", T::integer, "units per layer n of the tied nets in (a) and (b) (every layer is n × n)", "8", "", 3, 512),
        spec("depth", T::integer, "largest number of layers N", "50", "", 2, 200),
        spec("lambdas", T::real_list, "eigenvalues λ of W that ∇_yE is the eigenvector of (|λ| in [0.05, 1.4])",
             "0.8,1,1.2,-0.9", "", -1.4, 1.4),
        spec("trials", T::integer, "random networks per activation in (c) and per init in the spectra", "40",
             "12", 3, 1e5),
        spec("random_width", T::integer, "units per layer of the random networks in (c)", "64", "32", 4, 1024),
        spec("sigma_w", T::real, "random weights W_ij ~ N(0, σ_w²/n) in (c)", "1.5", "", 0.01, 10),
        spec("rnn_T", T::real_list, "sequence lengths T of the RNN on the adding problem", "5,10,20,40,80",
             "5,10,20,40", 2, 2000),
        spec("rnn_hidden", T::integer, "hidden units of the RNN", "16", "", 2, 1024),
        spec("rnn_train_T", T::real_list, "sequence lengths T at which RNNs are trained on the adding problem",
             "10,20,30,40,60", "5,40", 2, 2000),
        spec("rnn_seeds", T::integer, "RNNs trained per length and gradient (plain, clipped)", "12", "6", 3, 1e4),
        spec("rnn_steps", T::integer, "Adam steps per RNN", "3000", "1000", 10, 1e7),
        spec("rnn_norm", T::real, "spectral norm of the RNN's W_hh", "0.9", "", 0.01, 10),
        spec("jacobian_depth", T::integer, "layers of the linear nets whose Jacobian spectra are compared",
             "30", "20", 2, 500),
    };
  }

  std::vector<Mutant> mutants() const override {
    return {{"lambda-N", "∂E/∂w₁₁⁽¹⁾ = λᴺ(∇_yE)₁x₁: one factor of λ per layer, N instead of N − 1", {"b"}},
            {"W-not-transpose", "the recursion applies W, not Wᵀ: ∇_yE must be an eigenvector of W", {"a", "b"}},
            {"sigmoid-half", "the sigmoid's derivative is bounded by 1/2 instead of 1/4", {"c"}},
            {"no-derivative-factor",
             "the activation adds no factor: sigmoid nets are bounded by ‖W‖₂ per layer, as ReLU nets", {"c"}},
            {"clipping-cures-vanishing",
             "gradient clipping cures vanishing gradients too: clipped RNNs learn long sequences as well as short ones",
             {"b"}}};
  }

  Result run(const Params& params, const Context& context) const override {
    const Theory theory{active_mutant(*this, context)};
    for (double l : params.real_list("lambdas"))
      if (std::abs(l) < 0.05)
        throw Error(fmt::format("lambdas: |λ| = {} is below 0.05 (the derivative λ^(N−1) would be 0)", l));
    for (const char* name : {"rnn_T", "rnn_train_T"})
      for (double T : params.real_list(name))
        if (T != std::floor(T)) throw Error(fmt::format("{}: sequence lengths must be integers, got {}", name, T));
    Result result;
    auto since = result.mark();
    const std::string general =
        runs_part(*this, context, "a") ? general_evidence(params, context, theory, result) : skipped_part(*this, context);
    result.assign("a", since);
    since = result.mark();
    std::string eigen_spectra_rnn;
    if (runs_part(*this, context, "b")) {
      context.report(0.2, "all ReLUs firing, ∇_yE an eigenvector");
      const std::string eigen = eigen_evidence(params, context, theory, result);
      const std::string spectra = spectrum_evidence(params, context, result);
      context.report(0.4, "a vanilla RNN on the adding problem");
      const std::string rnn = rnn_evidence(params, context, result);
      context.report(0.45, "training RNNs on the adding problem");
      eigen_spectra_rnn = eigen + "\n\n" + spectra + "\n\n" + rnn + "\n\n" +
                          rnn_training_evidence(params, context, theory, result);
    } else {
      eigen_spectra_rnn = skipped_part(*this, context);
    }
    result.assign("b", since);
    since = result.mark();
    context.report(0.5, "sigmoid, tanh and ReLU nets with random weights");
    const std::string squashing = runs_part(*this, context, "c") ? activation_evidence(params, context, theory, result)
                                                                 : skipped_part(*this, context);
    result.assign("c", since);
    since = result.mark();
    const std::string obstacles = runs_part(*this, context, "d") ? obstacle_evidence(result) : skipped_part(*this, context);
    result.assign("d", since);
    context.report(1.0, "done");

    result.notation = {
        {"N", "number of layers (weight matrices); $y = a^{(N+1)}$", ""},
        {"W", "the $n \\times n$ weight matrix shared by every layer, $w_{ji}$ from $z_i$ to $a_j$", ""},
        {"a^{(k)}, z^{(k)}", "pre- and post-activations of layer $k$; $z^{(1)} = x$, $z^{(k)} = h(a^{(k)})$", ""},
        {"\\delta^{(k)}", "$\\partial E_n / \\partial a^{(k)}$; $\\delta^{(N+1)} = \\nabla_y E_n$", ""},
        {"E", "the loss of one sample, $\\frac{1}{2}\\|y - t\\|^2$ here", "E_n"},
        {"\\lambda", "the eigenvalue of $W^\\top$ that $\\nabla_y E$ is an eigenvector of", ""},
        {"\\odot", "elementwise product", ""},
        {"\\|W\\|_2", "the spectral norm (largest singular value) of $W$", ""},
        {"W_{hh}", "the RNN's hidden-to-hidden matrix, the same at every time step", ""},
        {"\\delta_t", "the RNN's $\\partial E/\\partial a_t$ at time step $t$", ""},
        {"T", "the RNN's sequence length", ""},
    };
    const std::string derivation_a = R"(By the recursion, with the same $W$ at every layer and the index of the sum corrected (the sheet prints $\delta_j^{(k+1)}$ inside the sum over $l$; it must be $\delta_l^{(k+1)}$):

$$\delta_j^{(k)} = h'(a_j^{(k)}) \sum_l w_{lj}\, \delta_l^{(k+1)} \quad\Leftrightarrow\quad \delta^{(k)} = h'(a^{(k)}) \odot \left(W^\top \delta^{(k+1)}\right), \qquad \delta^{(N+1)} = \nabla_y E_n$$

(the output is linear, so $h' = 1$ there). Unrolling from $k = N$ down to $k = 2$:

$$\delta^{(2)} = h'(a^{(2)}) \odot W^\top\left(h'(a^{(3)}) \odot W^\top\left(\cdots\, h'(a^{(N)}) \odot W^\top \nabla_y E_n\right)\right),$$

with $N - 1$ factors $W^\top$. Writing $D^{(k)} = \operatorname{diag}(h'(a^{(k)}))$, this is $\delta^{(2)} = D^{(2)} W^\top D^{(3)} W^\top \cdots D^{(N)} W^\top \nabla_y E_n$, and

$$\frac{\partial E_n}{\partial w_{11}^{(1)}} = \delta_1^{(2)}\, z_1^{(1)} = x_1 \left[D^{(2)} W^\top D^{(3)} W^\top \cdots D^{(N)} W^\top \nabla_y E_n\right]_1 .$$

For $N = 1$ the product is empty: $\partial E_n / \partial w_{11}^{(1)} = (\nabla_y E_n)_1 x_1$.)";
    const std::string derivation_b = R"(If every ReLU fires, $h'(a^{(k)}) = 1$ and every $D^{(k)} = I$, so $\delta^{(2)} = (W^\top)^{N-1} \nabla_y E_n$. If $W^\top \nabla_y E_n = \lambda \nabla_y E_n$, each factor multiplies by $\lambda$:

$$\delta^{(k)} = \lambda^{N+1-k}\, \nabla_y E_n, \qquad \frac{\partial E_n}{\partial w_{11}^{(1)}} = \lambda^{N-1} (\nabla_y E_n)_1\, x_1 .$$

So $\log\|\delta^{(k)}\|$ is linear in the distance $N + 1 - k$ from the output with slope $\log|\lambda|$: the derivative vanishes geometrically for $|\lambda| < 1$ and explodes for $|\lambda| > 1$. The recursion applies $W^\top$, so the eigenvector must be one of $W^\top$ (a left eigenvector of $W$); the sheet's "eigenvector of $W$" is the same thing for a symmetric $W$ only.

Generally $\|\delta^{(2)}\| \le \|W\|_2^{N-1} \|\nabla_y E_n\|$ when $|h'| \le 1$: the product of $N - 1$ Jacobians $D^{(k)} W^\top$ decides, and its singular values spread apart geometrically unless $W$ is orthogonal.)";
    const std::string derivation_c = R"(With $0 < h' \le c$ ($c = \frac{1}{4}$ for the sigmoid, $c = 1$ for tanh), each step of the recursion obeys

$$\|\delta^{(k)}\| = \|D^{(k)} W^\top \delta^{(k+1)}\| \le c\, \|W\|_2\, \|\delta^{(k+1)}\|,$$

so

$$\left|\frac{\partial E_n}{\partial w_{11}^{(1)}}\right| \le |x_1|\, \|\delta^{(2)}\| \le \left(c\, \|W\|_2\right)^{N-1} \|\nabla_y E_n\|\, |x_1| .$$

For the sigmoid, $c^{N-1} = 4^{-(N-1)}$: unless $\|W\|_2 > 4$ (and then the units saturate, $h' \ll \frac{1}{4}$), the derivative vanishes geometrically. Tanh can keep $c = 1$ only near $a = 0$; every saturated unit multiplies by less.)";
    result.parts = {
        {"a",
         "With the same weight matrix $W$ at every layer, calculate $\\partial E_n / \\partial w_{11}^{(1)}$ "
         "(matrix-vector notation, $\\odot$ where needed).",
         general, derivation_a},
        {"b",
         "Now $\\nabla_y E_n$ is an eigenvector of $W$ and all ReLUs fire. What happens to the derivative if "
         "the eigenvalue is smaller or larger than 1 in absolute value? Does this pose risks for optimization?",
         eigen_spectra_rnn, derivation_b},
        {"c",
         "With sigmoid ($0 < \\sigma' \\le \\frac{1}{4}$) or tanh ($0 < \\tanh' \\le 1$) activations, what "
         "happens to $\\partial E_n / \\partial w_{11}^{(1)}$?",
         squashing, derivation_c},
        {"d", "Name two other factors that make training neural networks challenging.", obstacles, ""},
    };
    result.answer =
        "$\\partial E_n/\\partial w_{11}^{(1)} = x_1 [D^{(2)} W^\\top \\cdots D^{(N)} W^\\top \\nabla_y E_n]_1$ "
        "with $D^{(k)} = \\operatorname{diag}(h'(a^{(k)}))$ (a). With every ReLU firing and $\\nabla_y E_n$ an "
        "eigenvector of $W^\\top$ it is exactly $\\lambda^{N-1}(\\nabla_y E_n)_1 x_1$: it vanishes for "
        "$|\\lambda| < 1$ and explodes for $|\\lambda| > 1$, so early layers learn far slower or take "
        "huge steps (b). Sigmoid and tanh multiply in a further factor $h' \\le \\frac{1}{4}$ or $\\le 1$ "
        "per layer (c). Saddle points with their plateaus, and cliffs, are two further obstacles (d).";
    return result;
  }

 private:
  // (a) The unrolled formula against central differences of E in w₁₁^(1), for random W where
  // some ReLUs fire and some do not, N = 1..depth.
  static std::string general_evidence(const Params& params, const Context& context, const Theory& theory,
                                      Result& result) {
    const Index n = params.integer("width");
    const int depth = int(params.integer("depth"));
    Rng rng = context.rng("general");
    // A non-symmetric W with He scaling, W_ij ~ N(0, 2/n), so that δ neither vanishes nor explodes
    // on average as N grows.
    const Mat<double> W = std::sqrt(2.0 / double(n)) * gaussian_matrix(n, n, rng);
    const Vec<double> x = gaussian_matrix(n, 1, rng).col(0);
    // Central differences are checked up to N = 12, where E is well conditioned in w₁₁^(1); deeper,
    // an exploding or vanishing product leaves them with little accuracy. Backprop covers all N.
    const int fd_depth = std::min(depth, 12);
    double worst = 0, worst_backprop = 0;
    std::size_t fired = 0, units = 0;
    Table table{"general-formula", "(a) The formula against finite differences, random non-symmetric $W$",
                {"$N$", "ReLUs firing", "formula", "central difference", "backprop", "relative gap"}, {}, ""};
    table.data = true;
    for (int N = 1; N <= depth; ++N) {
      const Pass p = forward(W, W, x, Activation::relu, N);
      const Vec<double> grad_y = gaussian_matrix(n, 1, rng).col(0);
      const Vec<double> t = p.y().col(0) - grad_y;  // so that ∇_yE = y − t = grad_y
      std::vector<Vec<double>> hprime;
      std::size_t on = 0;
      for (int k = 2; k <= N; ++k) {
        hprime.push_back((p.a[std::size_t(k)].col(0).array() > 0).cast<double>().matrix());
        on += std::size_t(hprime.back().sum());
      }
      fired += on, units += std::size_t(n) * std::size_t(N - 1);
      const double formula = theory.chain(W, hprime, grad_y, x(0));
      // E is piecewise quadratic in w₁₁^(1); between kinks the central difference is exact up to
      // rounding. Halve the step until no unit changes sign.
      double step = 1e-2, numeric = 0;
      for (int tries = 0; tries < 30; ++tries, step /= 4) {
        Mat<double> Wp = W, Wm = W;
        Wp(0, 0) += step, Wm(0, 0) -= step;
        const Pass pp = forward(Wp, W, x, Activation::relu, N), pm = forward(Wm, W, x, Activation::relu, N);
        bool same = true;
        for (int k = 2; k <= N; ++k)
          same = same && ((pp.a[std::size_t(k)].array() > 0) == (p.a[std::size_t(k)].array() > 0)).all() &&
                 ((pm.a[std::size_t(k)].array() > 0) == (p.a[std::size_t(k)].array() > 0)).all();
        // E(+s) − E(−s) = ½(y₊ − y₋)ᵀ(y₊ + y₋ − 2t), factored so that the O(1) value of E
        // does not cancel.
        const Vec<double> yp = pp.y().col(0), ym = pm.y().col(0);
        numeric = 0.5 * (yp - ym).dot(yp + ym - 2 * t) / (2 * step);
        if (same) break;
      }
      Pass q = p;
      backward(q, W, grad_y, Activation::relu, N);
      const double backprop = q.delta[2](0, 0) * x(0);
      // The difference quotient carries the rounding error of y over the step. A forward error
      // bound: |fl(y) − y| ≤ Nnε b with b = |W|(m^(N) ⊙ ⋯ |W|(m^(2) ⊙ |W||x|)), m^(k) the firing
      // pattern; the gap is measured relative to |numeric| plus 64 times that error times
      // ‖∇_yE‖ over the step.
      Vec<double> b = x.cwiseAbs();
      for (int k = 1; k <= N; ++k) {
        if (k >= 2) b = b.cwiseProduct(hprime[std::size_t(k - 2)]);
        b = W.cwiseAbs() * b;
      }
      const double noise = 64 * double(N * n) * std::numeric_limits<double>::epsilon() * b.norm() *
                           grad_y.norm() / step;
      const double gap = formula == numeric ? 0 : std::abs(formula - numeric) / (std::abs(numeric) + noise);
      if (N <= fd_depth) worst = std::max(worst, std::isnan(gap) ? inf : gap);
      // Formula against the library's backprop (its own Wᵀ products), relative to |x₁|‖δ^(2)‖.
      const double scale = std::abs(x(0)) * q.delta[2].norm();
      const double bp_gap = formula == backprop ? 0 : std::abs(formula - backprop) / scale;
      worst_backprop = std::max(worst_backprop, std::isnan(bp_gap) ? inf : bp_gap);
      table.rows.push_back({double(N), fmt::format("{} of {}", on, n * (N - 1)), formula, numeric, backprop, gap});
    }
    table.caption = fmt::format(
        "Largest relative gap between the formula and the central difference over $N$ = 1..{}: {:.1e}, "
        "and to the library's backprop over $N$ = 1..{}: {:.1e}; {:.0f}% of the hidden ReLUs fire, so the "
        "$D^{{(k)}}$ matter.",
        fd_depth, worst, depth, worst_backprop, 100.0 * double(fired) / double(std::max<std::size_t>(units, 1)));
    result.tables.push_back(std::move(table));
    result.claims.push_back(experiment::at_most(
        "$\\partial E_n/\\partial w_{11}^{(1)} = x_1[D^{(2)}W^\\top \\cdots D^{(N)}W^\\top\\nabla_y E_n]_1$ "
        "for a non-symmetric $W$",
        fmt::format("largest gap between the formula and central differences of $E$ in "
                    "$w_{{11}}^{{(1)}}$, relative to the difference plus its forward rounding bound "
                    "$64Nn\\epsilon\\|b\\|\\|\\nabla_y E\\|/s$, $b = |W|(\\cdots|W||x|)$, $N$ = 1..{}, ReLU, $W_{{ij}} \\sim N(0, 2/n)$",
                    fd_depth),
        worst, 1e-6));
    result.claims.push_back(experiment::at_most(
        "the same formula equals the library's backpropagation at every depth",
        fmt::format("largest $|\\text{{formula}} - \\text{{backprop}}| / (|x_1|\\|\\delta^{{(2)}}\\|)$, $N$ = 1..{}", depth),
        worst_backprop, 1e-10));
    return fmt::format(
        "$\\partial E_n/\\partial w_{{11}}^{{(1)}} = \\delta_1^{{(2)}} x_1 = x_1 [h'(a^{{(2)}}) \\odot "
        "W^\\top(h'(a^{{(3)}}) \\odot W^\\top(\\cdots h'(a^{{(N)}}) \\odot W^\\top \\nabla_y E_n))]_1$, "
        "with $N - 1$ factors $W^\\top$. Checked for a random non-symmetric $W$ ($n = {}$) with ReLUs "
        "where {:.0f}% of the units fire: against central differences of $E$ in $w_{{11}}^{{(1)}}$ "
        "alone for $N$ = 1..{}, largest relative gap {:.1e}; against the library's backprop for $N$ = 1..{}, {:.1e}.",
        n, 100.0 * double(fired) / double(std::max<std::size_t>(units, 1)), fd_depth, worst, depth, worst_backprop);
  }

  // (b) A symmetric W = Q diag(μ, λ…, small) Qᵀ whose top eigenvector u = 1/√n is positive; x = u
  // plus a small part along eigenvectors with |λ_j| < μ keeps every a^(k) > 0 at every depth.
  static std::string eigen_evidence(const Params& params, const Context& context, const Theory& theory,
                                    Result& result) {
    const Index n = params.integer("width");
    const int depth = int(params.integer("depth"));
    const auto lambdas = params.real_list("lambdas");
    Rng rng = context.rng("eigen");
    double worst[2] = {0, 0};
    std::size_t not_fired = 0;
    Figure figure{.id = "delta-vs-depth",
                  .title = "$\\log_{10}\\|\\delta^{(k)}\\|$ against the distance from the output, all ReLUs firing",
                  .x_label = "layers below the output N + 1 − k", .y_label = "log10 ‖δ^(k)‖ / ‖∇_yE‖",
                  .log_x = false, .log_y = false};
    Table slopes{"eigen-slopes", "(b) Fitted slope of $\\log\\|\\delta^{(k)}\\|$ per layer against $\\log|\\lambda|$",
                 {"$\\lambda$", "fitted slope", "$\\log|\\lambda|$", "$\\partial E/\\partial w_{11}^{(1)}$ at $N$ = 1",
                  fmt::format("at $N$ = {}", depth), "ratio"},
                 {}, ""};
    Table table{"eigen-derivative", "(b) Backprop's $\\partial E/\\partial w_{11}^{(1)}$ against $\\lambda^{N-1}(\\nabla_y E)_1 x_1$",
                {"$W$", "$\\lambda$", "$N$", "backprop", "$\\lambda^{N-1}(\\nabla_y E)_1 x_1$", "relative gap"}, {}, ""};
    table.data = true;
    double worst_wrong = 0;  // the largest gap when ∇_yE is an eigenvector of W, not Wᵀ (N ≥ 2)
    for (std::size_t l = 0; l < lambdas.size(); ++l) {
      const double lambda = lambdas[l];
      // Spectrum: |λ| on u (the direction of x), λ on the eigenvector under test, the others within
      // ±|λ|/2, so that no rounding error along another eigenvector outgrows λ^(N−1).
      Vec<double> spectrum(n);
      spectrum(0) = std::abs(lambda), spectrum(1) = lambda;
      for (Index j = 2; j < n; ++j) spectrum(j) = 0.5 * std::abs(lambda) * (2 * uniform01(rng) - 1);
      for (std::size_t c = 0; c < 2; ++c) {
        const bool symmetric = c == 0;
        const std::string label = symmetric ? "symmetric" : "non-symmetric";
        const Mat<double> S = basis_with_positive_first(n, rng, symmetric);
        const Mat<double> S_inv = symmetric ? Mat<double>(S.transpose()) : Mat<double>(S.inverse());
        const Mat<double> W = S * spectrum.asDiagonal() * S_inv;
        // x = u + Σ_j c_j s_j with Σ|c_j|‖s_j‖_∞ ≤ ½ min u and |λ_j| ≤ |λ| = μ: then W^k x > 0 for all k.
        Vec<double> x = S.col(0);
        const Vec<double> coef = gaussian_matrix(n, 1, rng).col(0);
        double budget = 0;
        for (Index j = 1; j < n; ++j) budget += std::abs(coef(j)) * S.col(j).cwiseAbs().maxCoeff();
        for (Index j = 1; j < n; ++j) x += 0.5 * S.col(0).minCoeff() / budget * coef(j) * S.col(j);
        const Vec<double> grad_y = theory.eigenvector(S, S_inv, 1);
        double first = 0, last = 0;
        for (int N = 1; N <= depth; ++N) {
          Pass p = forward(W, W, x, Activation::relu, N);
          for (int k = 2; k <= N; ++k) not_fired += std::size_t((p.a[std::size_t(k)].array() <= 0).count());
          backward(p, W, grad_y, Activation::relu, N);
          const double backprop = p.delta[2](0, 0) * x(0);
          const double expected = theory.eigen_derivative(lambda, N, grad_y(0), x(0));
          const double gap = std::abs(backprop - expected) / std::abs(expected);
          worst[c] = std::max(worst[c], std::isnan(gap) ? inf : gap);
          if (N == 1) first = backprop;
          if (N == depth) last = backprop;
          if (N == 1 || N == 2 || N == 10 || N == depth)
            table.rows.push_back({label, lambda, double(N), backprop, expected, gap});
          if (symmetric && N == depth) {
            Line line{fmt::format("λ = {}", sheet_lambda(lambda)), {}, {}, {}, "linespoints"};
            std::vector<double> dist, logs;
            for (int k = N + 1; k >= 2; --k) {
              dist.push_back(double(N + 1 - k));
              logs.push_back(std::log(p.delta[std::size_t(k)].norm() / grad_y.norm()));
              line.x.push_back(dist.back()), line.y.push_back(logs.back() / std::log(10.0));
            }
            figure.lines.push_back(std::move(line));
            const auto fit = experiment::fit_line(dist, logs);
            const double theory_slope = std::log(std::abs(lambda));
            slopes.rows.push_back({lambda, fit.slope.value, theory_slope, 0.0, 0.0, 0.0});
            result.claims.push_back(experiment::slope_in(
                fmt::format("$\\log\\|\\delta^{{(k)}}\\|$ changes by $\\log|\\lambda|$ per layer, $\\lambda = {}$",
                            sheet_lambda(lambda)),
                fmt::format("slope of $\\log\\|\\delta^{{(k)}}\\|$ against $N + 1 - k$, $N = {}$, symmetric $W$", N),
                fit, theory_slope - 1e-9, theory_slope + 1e-9));
          }
        }
        if (symmetric) {
          auto& row = slopes.rows.back();
          row[3] = first, row[4] = last, row[5] = last / first;
        } else {
          // The sheet's wording taken literally: ∇_yE an eigenvector of W (a column of S).
          const Vec<double> v = S.col(1) / S.col(1).norm();
          for (int N : {2, 10}) {
            Pass p = forward(W, W, x, Activation::relu, N);
            backward(p, W, v, Activation::relu, N);
            const double expected = std::pow(lambda, N - 1) * v(0) * x(0);
            worst_wrong = std::max(worst_wrong, std::abs(p.delta[2](0, 0) * x(0) - expected) / std::abs(expected));
          }
        }
      }
    }
    result.claims.push_back(experiment::at_most(
        "every ReLU fires at every depth (the premise of (b))",
        fmt::format("hidden units with $a^{{(k)}} \\le 0$, over both $W$, every $\\lambda$ and $N$ = 1..{}", depth),
        double(not_fired), 0));
    result.claims.push_back(experiment::at_most(
        "symmetric $W$, $\\nabla_y E_n$ an eigenvector: $\\partial E_n/\\partial w_{11}^{(1)} = \\lambda^{N-1}(\\nabla_y E_n)_1 x_1$",
        fmt::format("largest relative gap to backprop over every $\\lambda$ and $N$ = 1..{}", depth), worst[0], 1e-10));
    result.claims.push_back(experiment::at_most(
        "non-symmetric $W$: the same holds when $\\nabla_y E_n$ is an eigenvector of $W^\\top$ (the recursion applies $W^\\top$)",
        fmt::format("largest relative gap to backprop over every $\\lambda$ and $N$ = 1..{}", depth), worst[1], 1e-10));
    result.claims.push_back(experiment::at_least(
        "non-symmetric $W$: an eigenvector of $W$ itself does not give $\\lambda^{N-1}(\\nabla_y E_n)_1 x_1$",
        "largest relative gap over every $\\lambda$ at $N$ = 2 and 10", worst_wrong, 0.01));
    const double lo = *std::min_element(lambdas.begin(), lambdas.end(), [](double a, double b) { return std::abs(a) < std::abs(b); });
    const double hi = *std::max_element(lambdas.begin(), lambdas.end(), [](double a, double b) { return std::abs(a) < std::abs(b); });
    figure.caption = fmt::format(
        "Straight lines of slope $\\log_{{10}}|\\lambda|$: over {} layers $\\|\\delta\\|$ is multiplied by "
        "$|\\lambda|^{{{}}}$ = {:.3g} for $\\lambda = {}$ and {:.3g} for $\\lambda = {}$.",
        depth, depth - 1, std::pow(std::abs(lo), depth - 1), sheet_lambda(lo), std::pow(std::abs(hi), depth - 1),
        sheet_lambda(hi));
    slopes.caption = fmt::format(
        "The fitted slopes equal $\\log|\\lambda|$ to rounding; the last column is the factor "
        "$\\lambda^{{{}}}$ between $N = 1$ and $N = {}$.",
        depth - 1, depth);
    result.figures.push_back(std::move(figure));
    result.tables.push_back(std::move(slopes));
    result.tables.push_back(std::move(table));
    return fmt::format(
        "With every ReLU firing ({} units off over all runs) and $\\nabla_y E_n$ an eigenvector of $W^\\top$, "
        "backprop gives $\\lambda^{{N-1}}(\\nabla_y E_n)_1 x_1$ to a relative {:.1e} for $N$ = 1..{} ({:.1e} for a "
        "non-symmetric $W$ with a left eigenvector; with a right eigenvector the gap reaches {:.2g}). "
        "For $\\lambda = {}$ the derivative at $N = {}$ is {:.3g} times its value at $N = 1$; for "
        "$\\lambda = {}$ it is {:.3g} times. Both are risks: with $|\\lambda| < 1$ the first layers get "
        "no signal and learn nothing in a reasonable number of steps (vanishing gradients), with "
        "$|\\lambda| > 1$ one step of a learning rate that suits the last layers throws the first ones "
        "far away (exploding gradients, a cliff in (d)); a negative $\\lambda$ also flips the sign with each layer.",
        not_fired, worst[0], depth, worst[1], worst_wrong, sheet_lambda(lo), depth, std::pow(lo, depth - 1),
        sheet_lambda(hi), std::pow(hi, depth - 1));
  }

  // (b) Singular values of the input–output Jacobian of a deep linear net, W^(k) i.i.d. Gaussian
  // N(0, 1/n) against orthogonal: the spectrum of a product of N matrices.
  static std::string spectrum_evidence(const Params& params, const Context& context, Result& result) {
    const Index n = params.integer("random_width");
    const int L = int(params.integer("jacobian_depth"));
    const auto trials = std::size_t(params.integer("trials"));
    struct Spread {
      double log10_gauss = 0, log10_orth = 0;
    };
    const auto spreads = context.trials<Spread>("jacobian", trials, [&](std::size_t, Rng& rng) {
      Mat<double> Jg = Mat<double>::Identity(n, n), Jo = Jg;
      for (int k = 0; k < L; ++k) {
        Jg = (gaussian_matrix(n, n, rng) / std::sqrt(double(n))) * Jg;
        Jo = random_orthogonal(n, rng) * Jo;
      }
      const Vec<double> sg = Eigen::JacobiSVD<Mat<double>>(Jg).singularValues();
      const Vec<double> so = Eigen::JacobiSVD<Mat<double>>(Jo).singularValues();
      return Spread{std::log10(sg(0) / sg(n - 1)), std::log10(so(0) / so(n - 1))};
    });
    Vec<double> gauss = Vec<double>::Zero(Index(trials)), orth = gauss;
    for (std::size_t t = 0; t < trials; ++t) gauss(Index(t)) = spreads[t].log10_gauss, orth(Index(t)) = spreads[t].log10_orth;
    // One network of each kind for the figure.
    Rng rng = context.rng("jacobian-figure");
    Mat<double> Jg = Mat<double>::Identity(n, n), Jo = Jg;
    for (int k = 0; k < L; ++k) {
      Jg = (gaussian_matrix(n, n, rng) / std::sqrt(double(n))) * Jg;
      Jo = random_orthogonal(n, rng) * Jo;
    }
    const Vec<double> sg = Eigen::JacobiSVD<Mat<double>>(Jg).singularValues();
    const Vec<double> so = Eigen::JacobiSVD<Mat<double>>(Jo).singularValues();
    Figure figure{.id = "jacobian-spectrum",
                  .title = fmt::format("Singular values of the Jacobian of a {}-layer linear net, width {}", L, n),
                  .x_label = "index i (largest first)", .y_label = "singular value σ_i",
                  .log_x = false, .log_y = true};
    Line lg{"Gaussian N(0, 1/n)", {}, {}, {}, "linespoints"}, lo{"orthogonal", {}, {}, {}, "linespoints"};
    for (Index i = 0; i < n; ++i) {
      lg.x.push_back(double(i + 1)), lg.y.push_back(sg(i));
      lo.x.push_back(double(i + 1)), lo.y.push_back(so(i));
    }
    figure.lines = {lg, lo};
    const experiment::Estimate g = experiment::mean_estimate(gauss);
    const double orth_worst = orth.cwiseAbs().maxCoeff();
    figure.caption = fmt::format(
        "Orthogonal layers keep every singular value at 1 (spread $\\sigma_1/\\sigma_n$ = {:.15g}); Gaussian "
        "layers spread them over {:.3g} decades (this network: from {:.3g} to {:.3g}), so some input "
        "directions are amplified and others lost.",
        so(0) / so(n - 1), std::log10(sg(0) / sg(n - 1)), sg(0), sg(n - 1));
    result.figures.push_back(std::move(figure));
    result.claims.push_back(experiment::at_most(
        "a product of orthogonal layers is orthogonal: every singular value of the Jacobian is 1",
        fmt::format("largest $\\log_{{10}}(\\sigma_{{\\max}}/\\sigma_{{\\min}})$ over {} nets, {} layers", trials, L),
        orth_worst, 1e-10));
    result.claims.push_back(experiment::exceeds(
        "Gaussian layers spread the Jacobian's singular values over more than two decades",
        fmt::format("$\\log_{{10}}(\\sigma_{{\\max}}/\\sigma_{{\\min}})$, mean over {} nets, {} layers, width {}", trials, L, n),
        g, 2, 4));
    return fmt::format(
        "Beyond eigenvectors: for a deep linear net ({} layers, width {}) the gradient reaching layer 1 is the "
        "Jacobian's transpose applied to $\\nabla_y E_n$. With Gaussian $N(0, 1/n)$ layers its singular values "
        "span {} decades on average (mean $\\log_{{10}}\\sigma_{{\\max}}/\\sigma_{{\\min}}$), so along some "
        "directions the gradient explodes while along others it vanishes; orthogonal layers keep all of them "
        "at 1 (spread {:.1e} decades).",
        L, n, experiment::pm(g), orth_worst);
  }

  // (b) The same W at every step: a vanilla tanh RNN (nn::Rnn) on the adding problem, unrolled over
  // T steps. ‖δ_1‖/‖δ_T‖ ≤ ‖W_hh‖₂^(T−1) (|tanh'| ≤ 1), so the signal from the first inputs fades.
  static std::string rnn_evidence(const Params& params, const Context& context, Result& result) {
    auto Ts = params.real_list("rnn_T");
    std::sort(Ts.begin(), Ts.end());
    const Index H = params.integer("rnn_hidden");
    const double rho = params.real("rnn_norm");
    const auto trials = std::size_t(params.integer("trials"));
    constexpr Index batch = 16;
    // Per trial: [0] log(‖δ_1‖/‖δ_T‖), [1] (‖δ_1‖/‖δ_T‖) / ‖W_hh‖₂^(T−1).
    const auto runs = context.sweep<std::vector<double>>("rnn", Ts.size(), trials, [&](std::size_t cell, std::size_t, Rng& rng) {
      const auto T = std::size_t(Ts[cell]);
      nn::Rnn<double> rnn({.n_in = 2, .n_hidden = H, .n_out = 1, .h = Activation::tanh});
      auto v = rnn.view(rnn.theta());
      v.W_hh = gaussian_matrix(H, H, rng);
      v.W_hh *= rho / Eigen::JacobiSVD<Mat<double>>(v.W_hh).singularValues()(0);
      v.W_xh = gaussian_matrix(H, 2, rng);
      v.W_y = gaussian_matrix(1, H, rng) / std::sqrt(double(H));
      const AddingBatch b = adding_problem(T, batch, rng);
      Vec<double> grad;
      nn::RnnCache<double> cache;
      rnn.loss_and_gradient(b.x, b.target, grad, cache);
      const double ratio = cache.delta[1].norm() / cache.delta[T].norm();
      return std::vector<double>{std::log(ratio), ratio / std::pow(rho, double(T - 1))};
    });
    Figure figure{.id = "rnn-gradient-ratio",
                  .title = fmt::format("RNN on the adding problem: $\\|\\delta_1\\| / \\|\\delta_T\\|$ against $T$, $\\|W_{{hh}}\\|_2 = {}$", rho),
                  .x_label = "sequence length T", .y_label = "‖δ_1‖ / ‖δ_T‖", .log_x = false, .log_y = true};
    Line measured{"mean over trials (geometric)", {}, {}, {}, "linespoints"}, bound{"bound ‖W_{hh}‖₂^{T−1}", {}, {}, {}, "lines"};
    std::vector<experiment::Estimate> means;
    double worst_bound = 0;
    for (std::size_t c = 0; c < Ts.size(); ++c) {
      Vec<double> logs = Vec<double>::Zero(Index(trials));
      for (std::size_t t = 0; t < trials; ++t) {
        logs(Index(t)) = runs[c * trials + t][0];
        worst_bound = std::max(worst_bound, runs[c * trials + t][1]);
      }
      means.push_back(experiment::mean_estimate(logs));
      measured.x.push_back(Ts[c]), measured.y.push_back(std::exp(means.back().value));
      bound.x.push_back(Ts[c]), bound.y.push_back(std::pow(rho, Ts[c] - 1));
    }
    figure.lines = {measured, bound};
    const experiment::Estimate fall{means.front().value - means.back().value,
                                    std::sqrt(means.front().se * means.front().se + means.back().se * means.back().se)};
    figure.caption = fmt::format(
        "The share of the gradient that reaches the first step falls from {:.3g} at $T = {}$ to {:.3g} at "
        "$T = {}$ (geometric means over {} sequences of random nets), below the bound $\\|W_{{hh}}\\|_2^{{T-1}}$.",
        std::exp(means.front().value), Ts.front(), std::exp(means.back().value), Ts.back(), trials);
    result.figures.push_back(std::move(figure));
    result.claims.push_back(experiment::at_most(
        "RNN (tanh): $\\|\\delta_1\\| \\le \\|W_{hh}\\|_2^{T-1}\\|\\delta_T\\|$, since $|\\tanh'| \\le 1$",
        fmt::format("largest $(\\|\\delta_1\\|/\\|\\delta_T\\|) / \\|W_{{hh}}\\|_2^{{T-1}}$ over {} lengths × {} nets", Ts.size(), trials),
        worst_bound, 1 + 1e-12));
    result.claims.push_back(experiment::exceeds(
        "RNN: the gradient reaching the first time step falls with the sequence length",
        fmt::format("mean $\\log(\\|\\delta_1\\|/\\|\\delta_T\\|)$ at $T = {}$ minus at $T = {}$", Ts.front(), Ts.back()),
        fall, 0, 4));
    // Exploding instead: a linear RNN (h = identity) with W_hh = 1.1·(orthogonal), T = the longest
    // length up to 40 (beyond, the plain step overflows the loss), one GD step of size η = 10⁻³ on the adding problem, plain and with the gradient
    // clipped to norm 1 (Pascanu et al. 2013).
    const auto T_long = std::min<std::size_t>(std::size_t(Ts.back()), 40);
    const auto steps = context.trials<std::vector<double>>("rnn-exploding", trials, [&](std::size_t, Rng& rng) {
      nn::Rnn<double> rnn({.n_in = 2, .n_hidden = H, .n_out = 1, .h = Activation::identity});
      auto v = rnn.view(rnn.theta());
      v.W_hh = 1.1 * random_orthogonal(H, rng);
      v.W_xh = gaussian_matrix(H, 2, rng) / std::sqrt(double(H));
      v.W_y = gaussian_matrix(1, H, rng) / std::sqrt(double(H));
      const AddingBatch b = adding_problem(T_long, batch, rng);
      Vec<double> grad, unused;
      nn::RnnCache<double> cache;
      const double E0 = rnn.loss_and_gradient(b.x, b.target, grad, cache);
      const Vec<double> theta = rnn.theta();
      const double eta = 1e-3, norm = grad.norm();
      rnn.theta() = theta - eta * grad;
      const double E_plain = rnn.loss_and_gradient(b.x, b.target, unused, cache);
      rnn.theta() = theta - eta * std::min(1.0, 1.0 / norm) * grad;
      const double E_clip = rnn.loss_and_gradient(b.x, b.target, unused, cache);
      return std::vector<double>{norm, E_plain / E0, E_clip / E0};
    });
    double min_plain = inf, max_clip = 0, min_norm = inf;
    for (const auto& r : steps) {
      min_norm = std::min(min_norm, r[0]);
      min_plain = std::min(min_plain, r[1]);
      max_clip = std::max(max_clip, r[2]);
    }
    result.claims.push_back(experiment::at_least(
        fmt::format("exploding RNN ($h$ = identity, $W_{{hh}} = 1.1 Q$, $T = {}$): one plain gradient step of "
                    "size $10^{{-3}}$ raises the loss",
                    T_long),
        fmt::format("smallest $E$ after / $E$ before over {} nets (gradient norms from {:.3g})", trials, min_norm),
        min_plain, 10));
    result.claims.push_back(experiment::at_most(
        "gradient clipping to norm 1 makes the same step descend on every net",
        fmt::format("largest $E$ after / $E$ before with the clipped step over {} nets", trials), max_clip, 1 - 1e-9));
    return fmt::format(
        "An RNN is this network unrolled in time: the same $W_{{hh}}$ at every step. A tanh RNN with {} "
        "hidden units and $\\|W_{{hh}}\\|_2 = {}$ on the adding problem (the target is the sum of two marked "
        "inputs, one in each half of the sequence) passes back to its first step a fraction "
        "$\\|\\delta_1\\|/\\|\\delta_T\\|$ of {:.3g} at $T = {}$ and {:.3g} at $T = {}$, so the first marked "
        "input cannot be learned for long sequences. Gradient clipping rescales the whole gradient, every "
        "step's share by the same factor: it bounds the exploding steps but cannot restore this ratio. On an "
        "exploding linear RNN ($W_{{hh}} = 1.1Q$, $T = {}$, gradient norms of at least {:.3g}) one plain step "
        "of size $10^{{-3}}$ multiplies the loss by at least {:.3g}, the step with the gradient clipped to norm 1 "
        "by at most {:.4g} (claims of (b); the cliff of (d) shows the same).",
        H, rho, std::exp(means.front().value), Ts.front(), std::exp(means.back().value), Ts.back(), T_long, min_norm,
        min_plain, max_clip);
  }

  // (b) Training, the risk itself: tanh RNNs trained on the adding problem for growing T, plain and
  // with the gradient clipped to norm 1. Success = test MSE below a tenth of Var(target) = 1/6.
  static std::string rnn_training_evidence(const Params& params, const Context& context, const Theory& theory,
                                           Result& result) {
    auto Ts = params.real_list("rnn_train_T");
    std::sort(Ts.begin(), Ts.end());
    const Index H = params.integer("rnn_hidden");
    const auto seeds = std::size_t(params.integer("rnn_seeds"));
    const std::int64_t steps = params.integer("rnn_steps");
    constexpr double success_mse = 1.0 / 60;
    // Cells: plain at every T, then clipped at every T.
    const auto fits = context.sweep<AddingFit>("rnn-training", 2 * Ts.size(), seeds, [&](std::size_t cell, std::size_t, Rng& rng) {
      return train_adding(std::size_t(Ts[cell % Ts.size()]), H, steps, cell >= Ts.size(), rng);
    });
    struct Cell {
      std::size_t successes = 0;
      experiment::Interval wilson;
      experiment::Estimate mse, w_early, w_late;
    };
    std::vector<Cell> cells(2 * Ts.size());
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const auto n = Index(seeds);
      Vec<double> mse(n), early(n), late(n);
      for (std::size_t s = 0; s < seeds; ++s) {
        const AddingFit& f = fits[c * seeds + s];
        mse(Index(s)) = f.mse, early(Index(s)) = f.w_early, late(Index(s)) = f.w_late;
        cells[c].successes += f.mse < success_mse;
      }
      cells[c].wilson = experiment::wilson_interval(cells[c].successes, seeds);
      cells[c].mse = experiment::mean_estimate(mse);
      cells[c].w_early = experiment::mean_estimate(early);
      cells[c].w_late = experiment::mean_estimate(late);
    }
    Table table{.id = "rnn-training",
                .title = fmt::format("tanh RNN ({} hidden units, Adam, {} steps of 32 sequences) on the adding problem", H, steps),
                .columns = {"T", "gradient", "successes", "success rate (95% Wilson)", "test MSE",
                            "weight on the early input", "weight on the late input"},
                .rows = {}};
    Figure success{.id = "rnn-success",
                   .title = "RNN training on the adding problem: success rate against the sequence length",
                   .x_label = "sequence length T", .y_label = "share of runs with test MSE < Var(target)/10"};
    Figure weights{.id = "rnn-input-weights",
                   .title = "What the trained RNN uses: its weights on the early and the late marked input",
                   .x_label = "sequence length T", .y_label = "least-squares weight of the prediction on the input"};
    for (bool clip : {false, true}) {
      const std::string how = clip ? "clipped to norm 1" : "plain";
      Line rate{how, {}, {}, {}, "linespoints"}, early{"early input, " + how, {}, {}, {}, "linespoints"},
          late{"late input, " + how, {}, {}, {}, "linespoints"};
      for (std::size_t t = 0; t < Ts.size(); ++t) {
        const Cell& c = cells[(clip ? Ts.size() : 0) + t];
        table.rows.push_back({Ts[t], how, fmt::format("{}/{}", c.successes, seeds),
                              fmt::format("{:.2f} [{:.2f}, {:.2f}]", double(c.successes) / double(seeds), c.wilson.lo, c.wilson.hi),
                              experiment::pm(c.mse), experiment::pm(c.w_early), experiment::pm(c.w_late)});
        rate.x.push_back(Ts[t]), rate.y.push_back(double(c.successes) / double(seeds));
        early.x.push_back(Ts[t]), early.y.push_back(c.w_early.value), early.err.push_back(c.w_early.se);
        late.x.push_back(Ts[t]), late.y.push_back(c.w_late.value), late.err.push_back(c.w_late.se);
      }
      success.lines.push_back(std::move(rate));
      weights.lines.push_back(std::move(early)), weights.lines.push_back(std::move(late));
    }
    const Cell &short_plain = cells.front(), &long_plain = cells[Ts.size() - 1], &long_clip = cells.back();
    // The longest T at which at least half of the runs succeed (the shortest T if none).
    const auto longest_learned = [&](bool clip) {
      double T = Ts.front();
      for (std::size_t t = 0; t < Ts.size(); ++t)
        if (2 * cells[(clip ? Ts.size() : 0) + t].successes >= seeds) T = Ts[t];
      return T;
    };
    success.caption = fmt::format(
        "{} of {} runs learn the sum at $T = {}$, {} of {} at $T = {}$. Clipping the gradient moves the length at which "
        "training fails only a little ({} of {} clipped runs succeed at $T = {}$).",
        short_plain.successes, seeds, Ts.front(), long_plain.successes, seeds, Ts.back(), long_clip.successes, seeds, Ts.back());
    weights.caption = fmt::format(
        "As $T$ grows the weight on the early marked input falls first (at $T = {}$: {} plain, {} clipped): its gradient "
        "travels back through $T/2$ or more steps. The late input's weight at $T = {}$ is {} plain and {} clipped. Error "
        "bars: ± 1 SE over {} runs.",
        Ts.back(), experiment::pm(long_plain.w_early), experiment::pm(long_clip.w_early), Ts.back(),
        experiment::pm(long_plain.w_late), experiment::pm(long_clip.w_late), seeds);
    table.caption = "Each row: " + std::to_string(seeds) +
                    " runs from independent initializations and data; weights from regressing the predictions on 1000 "
                    "fresh sequences on the two marked inputs (both 1 when the sum is learned).";
    result.tables.push_back(std::move(table));
    result.figures.push_back(std::move(success));
    result.figures.push_back(std::move(weights));
    const std::size_t first_claim = result.claims.size() + 1;
    result.claims.push_back(experiment::at_least(
        "training an RNN succeeds on short sequences and fails on long ones: the success rate falls with $T$",
        fmt::format("95% Wilson lower bound of the success rate at $T = {}$ minus the upper bound at $T = {}$ ({} runs each)",
                    Ts.front(), Ts.back(), seeds),
        short_plain.wilson.lo - long_plain.wilson.hi, 0));
    const Cell& short_clip = cells[Ts.size()];
    result.claims.push_back(
        theory.clipping_cures_vanishing()
            ? experiment::at_least(
                  "gradient clipping cures vanishing gradients: with the gradient clipped, training succeeds on long "
                  "sequences as on short ones",
                  fmt::format("with the gradient clipped to norm 1: upper bound at $T = {}$ minus lower bound at $T = {}$",
                              Ts.back(), Ts.front()),
                  long_clip.wilson.hi - short_clip.wilson.lo, 0)
            : experiment::at_least(
                  "gradient clipping tames exploding steps, not vanishing gradients: with the gradient clipped, "
                  "training still fails on long sequences",
                  fmt::format("the same, with the gradient clipped to norm 1: lower bound at $T = {}$ minus upper bound "
                              "at $T = {}$",
                              Ts.front(), Ts.back()),
                  short_clip.wilson.lo - long_clip.wilson.hi, 0));
    const double learned_plain = longest_learned(false), learned_clip = longest_learned(true);
    const std::string further =
        learned_clip > learned_plain
            ? fmt::format("at least half of them succeed up to $T = {}$, against $T = {}$ plain; ", learned_clip, learned_plain)
            : "";
    return fmt::format(
        "Trained, the risk shows: tanh RNNs with {} hidden units learn the adding problem in {} of {} runs at $T = {}$ "
        "and in {} of {} at $T = {}$ (claim {}). What fails is the long dependency: at $T = {}$ the prediction's weight "
        "on the early marked input is {}, on the late one {}. Clipping the gradient to norm 1 keeps rare huge steps "
        "from derailing training, so the clipped runs get further ({}at $T = {}$ their weights are {} on the early and "
        "{} on the late input), but they "
        "fail on long sequences too ({} of {} at $T = {}$, claim {}): clipping rescales the whole gradient and cannot "
        "enlarge the share of it that reaches the first steps.",
        H, short_plain.successes, seeds, Ts.front(), long_plain.successes, seeds, Ts.back(), first_claim, Ts.back(),
        experiment::pm(long_plain.w_early), experiment::pm(long_plain.w_late), further, Ts.back(), experiment::pm(long_clip.w_early), experiment::pm(long_clip.w_late),
        long_clip.successes, seeds, Ts.back(), first_claim + 1);
  }

  // (c) Random weights, sigmoid / tanh / relu: the per-layer bound ‖δ^(k)‖ ≤ c‖W‖₂‖δ^(k+1)‖, the
  // measured decay per layer, and the tightness of c.
  static std::string activation_evidence(const Params& params, const Context& context, const Theory& theory,
                                         Result& result) {
    const Index n = params.integer("random_width");
    const int N = int(params.integer("depth"));
    const double sigma_w = params.real("sigma_w");
    const auto trials = std::size_t(params.integer("trials"));
    const std::vector<Activation> hs = {Activation::sigmoid, Activation::tanh, Activation::relu};
    // One net's profile, shipped as numbers: [0] max_k ‖δ^(k)‖/(‖W‖₂‖δ^(k+1)‖), [1] fitted slope of
    // log ‖δ‖ per layer, [2] log ‖W‖₂, [3] |∂E/∂w₁₁^(1)| / (‖W‖₂^(N−1)‖∇_yE‖|x₁|), then
    // log ‖δ^(k)‖/‖∇_yE‖ at distance 0..N−1 from the output.
    constexpr std::size_t head = 4;
    const auto profiles = context.sweep<std::vector<double>>("random-nets", hs.size(), trials, [&](std::size_t cell, std::size_t, Rng& rng) {
      const Activation h = hs[cell];
      const Mat<double> W = sigma_w / std::sqrt(double(n)) * gaussian_matrix(n, n, rng);
      const Vec<double> x = gaussian_matrix(n, 1, rng).col(0), grad_y = gaussian_matrix(n, 1, rng).col(0);
      Pass p = forward(W, W, x, h, N);
      backward(p, W, grad_y, h, N);
      const double norm_W = Eigen::JacobiSVD<Mat<double>>(W).singularValues()(0);
      std::vector<double> dist, log_delta;
      double worst_ratio = 0;
      for (int k = N + 1; k >= 2; --k) {
        dist.push_back(double(N + 1 - k));
        log_delta.push_back(std::log(p.delta[std::size_t(k)].norm() / grad_y.norm()));
        if (k <= N)
          worst_ratio = std::max(worst_ratio, p.delta[std::size_t(k)].norm() /
                                                  (norm_W * p.delta[std::size_t(k) + 1].norm()));
      }
      std::vector<double> prof = {worst_ratio, experiment::fit_line(dist, log_delta).slope.value, std::log(norm_W),
                                  std::abs(p.delta[2](0, 0) * x(0)) /
                                      (std::pow(norm_W, N - 1) * grad_y.norm() * std::abs(x(0)))};
      prof.insert(prof.end(), log_delta.begin(), log_delta.end());
      return prof;
    });
    Figure figure{.id = "random-delta-vs-depth",
                  .title = fmt::format("Mean $\\log_{{10}}\\|\\delta^{{(k)}}\\|$ with random weights $\\sigma_w = {}$", sigma_w),
                  .x_label = "layers below the output N + 1 − k", .y_label = "log10 ‖δ^(k)‖ / ‖∇_yE‖",
                  .log_x = false, .log_y = false};
    Table table{"activation-slopes", "(c) Per-layer factor of $\\|\\delta\\|$ with random weights",
                {"$h$", "bound $c$", "mean fitted slope", "$e^{\\text{slope}}$", "$c \\cdot$ mean $\\|W\\|_2$",
                 "largest $\\|\\delta^{(k)}\\|/(\\|W\\|_2\\|\\delta^{(k+1)}\\|)$",
                 fmt::format("$\\|\\delta^{{(2)}}\\|/\\|\\nabla_y E\\|$ at $N = {}$", N)},
                {}, ""};
    std::vector<double> factor(hs.size());
    for (std::size_t c = 0; c < hs.size(); ++c) {
      const double bound = theory.derivative_bound(hs[c]);
      Vec<double> slope = Vec<double>::Zero(Index(trials)), log_norm = slope;
      double worst = 0, worst_derivative = 0;
      Line line{nn::to_string(hs[c]), {}, {}, {}, "lines"};
      std::vector<double> mean(std::size_t(N), 0.0);
      for (std::size_t t = 0; t < trials; ++t) {
        const std::vector<double>& p = profiles[c * trials + t];
        slope(Index(t)) = p[1], log_norm(Index(t)) = p[2];
        worst = std::max(worst, p[0] / bound);
        worst_derivative = std::max(worst_derivative, p[3] / std::pow(bound, N - 1));
        for (int d = 0; d < N; ++d) mean[std::size_t(d)] += p[head + std::size_t(d)] / double(trials);
      }
      for (int d = 0; d < N; ++d) line.x.push_back(d), line.y.push_back(mean[std::size_t(d)] / std::log(10.0));
      figure.lines.push_back(std::move(line));
      const experiment::Estimate s = experiment::mean_estimate(slope);
      factor[c] = std::exp(s.value);
      table.rows.push_back({nn::to_string(hs[c]), bound, s.value, factor[c], bound * std::exp(log_norm.mean()),
                            worst * bound, std::exp(mean.back())});
      if (hs[c] == Activation::relu) continue;
      result.claims.push_back(experiment::at_most(
          fmt::format("{}: each layer multiplies $\\|\\delta\\|$ by at most ${} \\cdot \\|W\\|_2$", nn::to_string(hs[c]),
                      hs[c] == Activation::sigmoid ? "\\frac{1}{4}" : "1"),
          fmt::format("largest $\\|\\delta^{{(k)}}\\| / (c\\|W\\|_2\\|\\delta^{{(k+1)}}\\|)$ over {} nets × {} layers", trials, N - 1),
          worst, 1 + 1e-12));
      result.claims.push_back(experiment::at_most(
          fmt::format("{}: $|\\partial E_n/\\partial w_{{11}}^{{(1)}}| \\le (c\\|W\\|_2)^{{N-1}}\\|\\nabla_y E_n\\||x_1|$",
                      nn::to_string(hs[c])),
          fmt::format("largest ratio of the two sides over {} nets, $N = {}$", trials, N), worst_derivative, 1 + 1e-12));
      if (hs[c] == Activation::sigmoid)
        result.claims.push_back(experiment::exceeds(
            "sigmoid: with $\\|W\\|_2 < 4$ the gradient vanishes geometrically with depth",
            fmt::format("$-$(fitted slope of $\\log\\|\\delta^{{(k)}}\\|$ per layer), mean over {} nets", trials),
            {-s.value, s.se}, 0.5, 4));
    }
    // How tight c is: sup_a h'(a) by central differences of h on a grid through 0.
    double sup_sigmoid = 0, sup_tanh = 0;
    {
      const int points = 2001;
      Mat<double> a(1, points), ap(1, points), am(1, points), zp(1, points), zm(1, points);
      const double step = 1e-5;
      for (int i = 0; i < points; ++i) a(0, i) = -5 + 10.0 * i / (points - 1);
      ap = a.array() + step, am = a.array() - step;
      for (Activation h : {Activation::sigmoid, Activation::tanh}) {
        nn::activate<double>(h, ap, zp);
        nn::activate<double>(h, am, zm);
        const double sup = ((zp - zm) / (2 * step)).maxCoeff();
        (h == Activation::sigmoid ? sup_sigmoid : sup_tanh) = sup;
      }
    }
    result.claims.push_back(experiment::relative_error(
        "the bound $\\sigma' \\le \\frac{1}{4}$ is attained (at $a = 0$)",
        "largest central difference quotient of $\\sigma$ on a grid of 2001 points in $[-5, 5]$, over the bound",
        sup_sigmoid / theory.derivative_bound(Activation::sigmoid), 1, 1e-6));
    result.claims.push_back(experiment::relative_error(
        "the bound $\\tanh' \\le 1$ is attained (at $a = 0$)",
        "largest central difference quotient of $\\tanh$ on the same grid, over the bound",
        sup_tanh / theory.derivative_bound(Activation::tanh), 1, 1e-6));
    figure.caption = fmt::format(
        "Straight lines, steepest for the sigmoid: per layer $\\|\\delta\\|$ is multiplied by {:.3g} (sigmoid), "
        "{:.3g} (tanh) and {:.3g} (ReLU) on average, with $W_{{ij}} \\sim N(0, \\sigma_w^2/n)$, $\\sigma_w = {}$, $n = {}$.",
        factor[0], factor[1], factor[2], sigma_w, n);
    table.caption = fmt::format(
        "The measured factor per layer stays below the bound $c\\|W\\|_2$ (claims of (c)); the sigmoid's "
        "is {:.3g}, so after {} layers {:.3g} of the gradient is left.",
        factor[0], N, std::pow(factor[0], N - 1));
    result.figures.push_back(std::move(figure));
    result.tables.push_back(std::move(table));
    return fmt::format(
        "It is multiplied by a further factor $h'(a^{{(k)}}) \\le c$ at every layer: "
        "$|\\partial E_n/\\partial w_{{11}}^{{(1)}}| \\le (c\\|W\\|_2)^{{N-1}}\\|\\nabla_y E_n\\||x_1|$ with "
        "$c = \\frac{{1}}{{4}}$ (sigmoid) or 1 (tanh). So with the sigmoid it vanishes geometrically "
        "unless $\\|W\\|_2 > 4$, even where a ReLU net would keep it. Measured on random nets "
        "($n = {}$, $N = {}$, $W_{{ij}} \\sim N(0, {}^2/n)$, so $\\|W\\|_2 \\approx {:.2g}$): per layer "
        "$\\|\\delta\\|$ is multiplied by {:.3g} with the sigmoid, {:.3g} with tanh and {:.3g} with ReLU "
        "(table of (c)); both bounds hold at every layer of every net, and they are tight: the largest "
        "difference quotient of $\\sigma$ is {:.6f} and of $\\tanh$ {:.6f}, both at $a = 0$.",
        n, N, sigma_w, sigma_w * 2, factor[0], factor[1], factor[2], sup_sigmoid, sup_tanh);
  }

  // (d) Two further obstacles, one measurement each: the plateau around the saddle of a deep
  // product, and the cliff of an exploding gradient (with clipping).
  static std::string obstacle_evidence(Result& result) {
    // Saddle / plateau: f(w) = ½(1 − w₁w₂w₃w₄)², the scalar deep linear net; w = 0 is a critical
    // point with f = ½ (a saddle; its Hessian is 0). GD (step 0.1) from w_i = ε, all equal.
    const int L = 4;
    const double lr = 0.1;
    Table plateau{"plateau", "(d) Gradient-descent steps to leave the plateau of $f = \\frac{1}{2}(1 - w_1 w_2 w_3 w_4)^2$",
                  {"start $w_i = \\varepsilon$", "$\\|\\nabla f\\|$ at the start", "steps until $f < 0.05$"}, {}, ""};
    std::vector<double> steps_taken;
    const std::vector<double> eps = {0.5, 0.2, 0.1, 0.05};
    for (double e : eps) {
      std::vector<double> w(L, e);
      auto prod = [&] { double p = 1; for (double v : w) p *= v; return p; };
      const double g0 = std::sqrt(double(L)) * (1 - prod()) * prod() / e;
      int steps = 0;
      while (0.5 * (1 - prod()) * (1 - prod()) >= 0.05 && steps < 1000000) {
        const double P = prod(), r = 1 - P;
        for (double& v : w) v += lr * r * P / v;  // −∂f/∂w_i = (1 − P) P / w_i
        ++steps;
      }
      steps_taken.push_back(double(steps));
      plateau.rows.push_back({e, g0, double(steps)});
    }
    plateau.caption = fmt::format(
        "Starting closer to the saddle at 0 multiplies the time on the plateau: {:g} steps from "
        "$\\varepsilon = {}$, {:g} from $\\varepsilon = {}$.",
        steps_taken.front(), eps.front(), steps_taken.back(), eps.back());
    result.tables.push_back(std::move(plateau));
    result.claims.push_back(experiment::at_least(
        "near the saddle of a deep product the gradient is tiny and GD sits on a plateau",
        fmt::format("steps from $\\varepsilon = {}$ over steps from $\\varepsilon = {}$", eps.back(), eps.front()),
        steps_taken.back() / steps_taken.front(), 10));

    // Cliff: E(w) = ½(w^50 − 1)², one tied weight over 50 layers (a scalar RNN). At w = 1.1 the
    // gradient is 50 w^49 (w^50 − 1) ≈ 6·10⁵; a step size that is stable at the minimum
    // (η = 5·10⁻⁴ < 2/50²) throws w off the cliff, the clipped step (|Δw| ≤ η) descends.
    const int N = 50;
    const double eta = 5e-4, w0 = 1.1;
    auto E = [&](double w) { return 0.5 * std::pow(std::pow(w, N) - 1, 2); };
    const double grad = N * std::pow(w0, N - 1) * (std::pow(w0, N) - 1);
    const double w_plain = w0 - eta * grad;
    const double w_clip = w0 - eta * std::clamp(grad, -1.0, 1.0);
    Table cliff{"cliff", "(d) One gradient step on $E(w) = \\frac{1}{2}(w^{50} - 1)^2$ from $w = 1.1$, $\\eta = 5 \\cdot 10^{-4}$",
                {"step", "$w$ after", "$E$ after", "$E$ after / $E$ before"}, {}, ""};
    cliff.rows.push_back({"plain", w_plain, E(w_plain), E(w_plain) / E(w0)});
    cliff.rows.push_back({"clipped to $|g| \\le 1$", w_clip, E(w_clip), E(w_clip) / E(w0)});
    cliff.caption = fmt::format(
        "The plain step multiplies $E$ by {:.3g}; the clipped step multiplies it by {:.4g}.", E(w_plain) / E(w0),
        E(w_clip) / E(w0));
    result.tables.push_back(std::move(cliff));
    result.claims.push_back(experiment::at_least(
        "at a cliff one plain gradient step with a step size that is stable at the minimum overshoots",
        "$E$ after / $E$ before, plain step", E(w_plain) / E(w0), 1e6));
    result.claims.push_back(experiment::at_most(
        "clipping the gradient makes the same step descend",
        "$E$ after / $E$ before, clipped step", E(w_clip) / E(w0), 1 - 1e-3));
    return fmt::format(
        "Saddle points and their plateaus: $f(w) = \\frac{{1}}{{2}}(1 - w_1 w_2 w_3 w_4)^2$, the loss of a "
        "scalar four-layer linear net, has a saddle at $w = 0$ where the gradient and the Hessian vanish; "
        "gradient descent started at $w_i = {}$ needs {:g} steps to reach $f < 0.05$, from $w_i = {}$ "
        "it needs {:g}. Cliffs: where a product of many weights is steep, one gradient step is huge; on "
        "$E(w) = \\frac{{1}}{{2}}(w^{{50}} - 1)^2$ at $w = 1.1$ a step size stable at the minimum "
        "multiplies $E$ by {:.3g}, and the same step with the gradient clipped to 1 multiplies it by {:.4g}.",
        eps.front(), steps_taken.front(), eps.back(), steps_taken.back(), E(w_plain) / E(w0), E(w_clip) / E(w0));
  }
};

}  // namespace

NNLAB_REGISTER_LAB(VanishingGradients);

}  // namespace nnlab::labs
