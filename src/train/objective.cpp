#include "nnlab/train/objective.hpp"

#include <algorithm>
#include <cmath>

#include "nnlab/core/error.hpp"

namespace nnlab::train {

template <class S>
void check_fit(const nn::Mlp<S>& net, const data::Dataset<S>& data, std::string_view which) {
  const auto& sizes = net.spec().sizes;
  require(data.inputs() == sizes.front(), "the {} data have {} features, but the network takes {} inputs",
          which, data.inputs(), sizes.front());
  require(data.outputs() == sizes.back(),
          "the {} data have {} targets per sample, but the network has {} outputs", which,
          data.outputs(), sizes.back());
  require(net.spec().loss != nn::Loss::cross_entropy || data.is_classification(),
          "cross-entropy loss needs class labels, but the {} data are a regression set", which);
}

template <class S>
NetworkObjective<S>::NetworkObjective(nn::Mlp<S>& net, const data::Dataset<S>& data,
                                      ObjectiveOptions options)
    : net_(&net),
      data_(&data),
      options_(options),
      mask_rng_(make_rng(options.seed, stream::dropout)),
      part_(net.num_params()) {
  require(options.chunk >= 1, "the chunk of whole-set passes must be ≥ 1 sample, got {}", options.chunk);
  require(data.size() >= 1, "the data set {} is empty", data.name);
  check_fit(net, data, "objective's");
}

template <class S>
void NetworkObjective<S>::use(const Vec<S>& theta) const {
  if (&theta == &net_->theta()) return;
  require(theta.size() == dim(), "θ has {} entries, the network {} parameters", theta.size(), dim());
  net_->theta() = theta;
}

template <class S>
template <class F>
void NetworkObjective<S>::for_each_chunk(F&& f) const {
  const Index N = data_->size();
  if (N <= options_.chunk) {
    f(data_->X, data_->Y, S(1));
    return;
  }
  const bool mean = net_->spec().loss != nn::Loss::sum_of_squares;
  for (Index start = 0; start < N; start += options_.chunk) {
    const Index n = std::min(options_.chunk, N - start);
    X_ = data_->X.middleCols(start, n);
    T_ = data_->Y.middleCols(start, n);
    f(X_, T_, mean ? S(double(n) / double(N)) : S(1));
  }
}

template <class S>
S NetworkObjective<S>::value(const Vec<S>& theta) const {
  use(theta);
  return S(net_->dataset_loss(data_->X, data_->Y, options_.chunk, options_.pool));
}

template <class S>
S NetworkObjective<S>::gradient(const Vec<S>& theta, Vec<S>& g) const {
  use(theta);
  S loss = 0;
  bool first = true;
  for_each_chunk([&](const Mat<S>& X, const Mat<S>& T, S weight) {
    if (first && weight == S(1)) {  // one chunk (or sum_of_squares' first): straight into g
      loss = net_->loss_and_gradient(X, T, cache_, g, nn::Mode::eval, nullptr, options_.pool);
    } else {
      const S E = net_->loss_and_gradient(X, T, cache_, part_, nn::Mode::eval, nullptr, options_.pool);
      if (first) g.setZero(dim());
      g += weight * part_;
      loss += weight * E;
    }
    first = false;
  });
  return loss;
}

template <class S>
void NetworkObjective<S>::hvp(const Vec<S>& theta, const Vec<S>& v, Vec<S>& Hv) const {
  use(theta);
  bool first = true;
  for_each_chunk([&](const Mat<S>& X, const Mat<S>& T, S weight) {
    if (first && weight == S(1)) {
      net_->hvp(X, T, v, cache_, Hv, nn::Mode::eval, nullptr, options_.pool);
    } else {
      net_->hvp(X, T, v, cache_, part_, nn::Mode::eval, nullptr, options_.pool);
      if (first) Hv.setZero(dim());
      Hv += weight * part_;
    }
    first = false;
  });
}

template <class S>
FixedHessian<S> NetworkObjective<S>::hessian_at(const Vec<S>& theta) const {
  return FixedHessian<S>(*this, theta);
}

namespace {
template <class S>
std::size_t bytes_of(const std::vector<Mat<S>>& ms) {
  std::size_t n = 0;
  for (const Mat<S>& m : ms) n += std::size_t(m.size());
  return n * sizeof(S);
}
template <class S>
std::size_t bytes_of(const nn::Cache<S>& c) {
  return bytes_of(c.a) + bytes_of(c.z) + bytes_of(c.mask) + bytes_of(c.z_dropped) + bytes_of(c.delta) +
         bytes_of(c.g);
}
}  // namespace

// The chunks of NetworkObjective::for_each_chunk, each prepared in turn and kept while the
// budget lasts: a chunk's state is known only once prepared, and one that does not fit is let go.
template <class S>
FixedHessian<S>::FixedHessian(const NetworkObjective<S>& f, const Vec<S>& theta)
    : net_(f.net()), data_(&f.data()), pool_(f.pool()), part_(f.dim()) {
  require(theta.size() == dim(), "θ has {} entries, the network {} parameters", theta.size(), dim());
  net_.theta() = theta;
  const Index N = data_->size(), chunk = f.options_.chunk;
  const bool one = N <= chunk, mean = net_.spec().loss != nn::Loss::sum_of_squares;
  std::size_t used = 0;
  for (Index start = 0; start < N; start += chunk) {
    Chunk& c = *chunks_.emplace_back(std::make_unique<Chunk>());
    c.start = start;
    c.size = std::min(chunk, N - start);
    c.weight = one || !mean ? S(1) : S(double(c.size) / double(N));
    if (!one) {
      c.X = data_->X.middleCols(start, c.size);
      c.T = data_->Y.middleCols(start, c.size);
    }
    net_.hvp_prepare(one ? data_->X : c.X, one ? data_->Y : c.T, c.at, nn::Mode::eval, nullptr, pool_);
    const std::size_t need = bytes_of(c.at) + std::size_t(c.X.size() + c.T.size()) * sizeof(S);
    c.kept = used + need <= f.options_.hessian_bytes;
    if (c.kept) {
      used += need;
    } else {
      c.at = nn::Cache<S>();
      c.X = Mat<S>();
      c.T = Mat<S>();
    }
  }
}

template <class S>
Index FixedHessian<S>::kept_chunks() const {
  return Index(std::count_if(chunks_.begin(), chunks_.end(), [](const auto& c) { return c->kept; }));
}

template <class S>
std::size_t FixedHessian<S>::bytes() const {
  std::size_t n = 0;
  for (const nn::RBuffers<S>* r : {&r_, &r_last_})
    n += bytes_of(r->Ra) + bytes_of(r->Rz) + bytes_of(r->Rdelta) +
         std::size_t(r->tmp.size() + r->tmp2.size()) * sizeof(S);
  for (const auto& c : chunks_)
    if (c->kept) n += bytes_of(c->at) + std::size_t(c->X.size() + c->T.size()) * sizeof(S);
  return n;
}

// The sums of NetworkObjective::hvp, in its order: the first chunk of weight 1 straight into Hv,
// every other one weighted into part_ and added.
template <class S>
void FixedHessian<S>::hvp(const Vec<S>& v, Vec<S>& Hv) const {
  bool first = true;
  for (const auto& chunk : chunks_) {
    const Chunk& c = *chunk;
    const nn::Cache<S>* at = &c.at;
    const Mat<S>* T = chunks_.size() == 1 ? &data_->Y : &c.T;
    if (!c.kept) {
      X_ = data_->X.middleCols(c.start, c.size);
      T_ = data_->Y.middleCols(c.start, c.size);
      net_.hvp_prepare(X_, T_, scratch_, nn::Mode::eval, nullptr, pool_);
      at = &scratch_;
      T = &T_;
    }
    nn::RBuffers<S>& r = c.size == chunks_.front()->size ? r_ : r_last_;
    if (first && c.weight == S(1)) {
      net_.hvp_prepared(*T, v, *at, r, Hv, pool_);
    } else {
      net_.hvp_prepared(*T, v, *at, r, part_, pool_);
      if (first) Hv.setZero(dim());
      Hv += c.weight * part_;
    }
    first = false;
  }
}

template <class S>
void NetworkObjective<S>::gather(std::span<const Index> batch) const {
  const data::Dataset<S>& d = *data_;
  const auto n = Index(batch.size());
  X_.resize(d.inputs(), n);
  T_.resize(d.outputs(), n);
  labels_.clear();
  for (Index j = 0; j < n; ++j) {
    const Index i = batch[std::size_t(j)];
    X_.col(j) = d.X.col(i);
    T_.col(j) = d.Y.col(i);
    if (d.is_classification()) labels_.push_back(d.labels[std::size_t(i)]);
  }
}

template <class S>
S NetworkObjective<S>::gradient(const Vec<S>& theta, std::span<const Index> batch, Vec<S>& g) const {
  use(theta);
  gather(batch);
  return net_->loss_and_gradient(X_, T_, cache_, g, nn::Mode::train, &mask_rng_, options_.pool);
}

template <class S>
S NetworkObjective<S>::gradient_step(Vec<S>& theta, std::span<const Index> batch, Vec<S>& g,
                                     optim::Optimizer<S>& opt) const {
  if (&theta != &net_->theta()) {
    const S loss = gradient(theta, batch, g);
    if (std::isfinite(loss)) opt.step(theta, g);
    return loss;
  }
  gather(batch);
  g.resize(dim());
  opt.begin_step(theta, g);
  // One pointer captured, so the std::function keeps it inline and the step allocates nothing.
  struct Target {
    optim::Optimizer<S>& opt;
    Vec<S>& theta;
    const Vec<S>& g;
  } target{opt, theta, g};
  const typename nn::Mlp<S>::RangeStep step = [t = &target](Index offset, Index len) {
    t->opt.update(t->theta, t->g, offset, len);
  };
  const S loss = net_->loss_gradient_step(X_, T_, cache_, g, step, nn::Mode::train, &mask_rng_,
                                          options_.pool);
  if (std::isfinite(loss)) opt.end_step();
  return loss;
}

template <class S>
S penalized_gradient(const nn::Mlp<S>& net, const Mat<S>& X, const Mat<S>& T, Index sub,
                     double lambda, nn::Cache<S>& cache, Vec<S>& g) {
  require(sub >= 1 && X.cols() % sub == 0, "penalized_gradient: blocks of {} do not split a batch of {}",
          sub, X.cols());
  const Index m = X.cols() / sub;
  Mat<S> Xk, Tk;
  Vec<S> gk(net.num_params()), Hg(net.num_params());
  g.setZero(net.num_params());
  double F = 0;
  for (Index k = 0; k < m; ++k) {
    Xk = X.middleCols(k * sub, sub);
    Tk = T.middleCols(k * sub, sub);
    F += double(net.loss_and_gradient(Xk, Tk, cache, gk)) + lambda * double(gk.squaredNorm());
    net.hvp(Xk, Tk, gk, cache, Hg);
    g += (gk + S(2 * lambda) * Hg) / S(m);
  }
  return S(F / double(m));
}

template float penalized_gradient(const nn::Mlp<float>&, const Mat<float>&, const Mat<float>&, Index,
                                  double, nn::Cache<float>&, Vec<float>&);
template double penalized_gradient(const nn::Mlp<double>&, const Mat<double>&, const Mat<double>&,
                                   Index, double, nn::Cache<double>&, Vec<double>&);
template void check_fit<float>(const nn::Mlp<float>&, const data::Dataset<float>&, std::string_view);
template void check_fit<double>(const nn::Mlp<double>&, const data::Dataset<double>&, std::string_view);
template class FixedHessian<float>;
template class FixedHessian<double>;
template class NetworkObjective<float>;
template class NetworkObjective<double>;

}  // namespace nnlab::train
