// Option checks shared by the optimizers: each throws nnlab::Error naming the optimizer, the
// option and the offending value.
#pragma once
#include <cmath>
#include <string_view>

#include "nnlab/core/error.hpp"
#include "nnlab/core/types.hpp"

namespace nnlab::optim::detail {

inline void require_positive(std::string_view optimizer, std::string_view option, double value) {
  require(value > 0 && std::isfinite(value), "{}: {} must be > 0 and finite, got {}", optimizer,
          option, value);
}

inline void require_nonnegative(std::string_view optimizer, std::string_view option, double value) {
  require(value >= 0 && std::isfinite(value), "{}: {} must be >= 0 and finite, got {}", optimizer,
          option, value);
}

// 0 ≤ value < 1 (momentum μ, decay rates β₁, β₂, ρ).
inline void require_unit(std::string_view optimizer, std::string_view option, double value) {
  require(value >= 0 && value < 1, "{}: {} must be in [0, 1), got {}", optimizer, option, value);
}

// θ and g agree and match the state sized on the first step; sizes the state on first use.
template <class S, class... State>
void prepare(std::string_view optimizer, const Vec<S>& theta, const Vec<S>& g, State&... state) {
  require(theta.size() == g.size() && theta.size() > 0,
          "{}: parameter vector has size {} but gradient has size {}", optimizer, theta.size(),
          g.size());
  (
      [&] {
        if (state.size() == 0) state.setZero(theta.size());
        require(state.size() == theta.size(),
                "{}: parameter vector has size {} but the optimizer state has size {} "
                "(call reset() before optimizing a different model)",
                optimizer, theta.size(), state.size());
      }(),
      ...);
}

// A piece [offset, offset + len) of a step: inside θ, with the state sized by begin_step.
template <class S, class... State>
void check_range(std::string_view optimizer, const Vec<S>& theta, const Vec<S>& g, Index offset,
                 Index len, const State&... state) {
  const bool ok = offset >= 0 && len >= 0 && offset + len <= theta.size() &&
                  g.size() == theta.size() && ((state.size() == theta.size()) && ...);
  if (!ok) [[unlikely]]
    fail("{}: update of [{}, {}) on a parameter vector of size {} (gradient {}) without a "
         "matching begin_step",
         optimizer, offset, offset + len, theta.size(), g.size());
}

}  // namespace nnlab::optim::detail
