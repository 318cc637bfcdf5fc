// Learning-rate schedules η(t), t = 0, 1, 2, … the optimizer's step counter:
//   constant  η(t) = η₀
//   step      η(t) = η₀ γ^⌊t/k⌋                       (PyTorch StepLR)
//   cosine    η(t) = η_min + ½(η₀ − η_min)(1 + cos(π t/T)) for t ≤ T, η_min after
//             (Loshchilov & Hutter 2017, SGDR, eq. 5, without restarts).
// Schedule is a value type holding one of them; Schedule::parse reads the CLI's spelling.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace nnlab::optim {

struct ConstantLr {
  double lr;
  double operator()(std::int64_t t) const;
};

struct StepLr {
  double lr0;
  std::int64_t period;  // k ≥ 1 steps between decays
  double gamma;         // factor in (0, 1]
  double operator()(std::int64_t t) const;
};

struct CosineLr {
  double lr0;
  double lr_min;         // 0 ≤ η_min ≤ η₀
  std::int64_t horizon;  // T ≥ 1 steps
  double operator()(std::int64_t t) const;
};

class Schedule {
 public:
  // Constructors validate (η₀ > 0 and finite, k ≥ 1, γ ∈ (0, 1], 0 ≤ η_min ≤ η₀, T ≥ 1) and
  // throw nnlab::Error naming the bad value.
  static Schedule constant(double lr);
  static Schedule step(double lr0, std::int64_t period, double gamma);
  static Schedule cosine(double lr0, double lr_min, std::int64_t horizon);

  // Reads "constant", "step:K:GAMMA", "cosine", "cosine:T" or "cosine:T:LR_MIN". K and T count
  // epochs of steps_per_epoch optimizer steps each (so with steps_per_epoch = 1 they count
  // steps); plain "cosine" anneals over horizon_steps steps to η_min = 0. A malformed spec throws
  // nnlab::Error quoting it.
  static Schedule parse(std::string_view spec, double lr0, std::int64_t horizon_steps = 0,
                        std::int64_t steps_per_epoch = 1);

  double operator()(std::int64_t t) const;
  // Round-trippable description, e.g. "step:30:0.1" (in steps).
  std::string describe() const;
  const std::variant<ConstantLr, StepLr, CosineLr>& kind() const { return kind_; }

 private:
  explicit Schedule(std::variant<ConstantLr, StepLr, CosineLr> kind) : kind_(kind) {}
  static Schedule parse_parts(std::string_view spec, const std::vector<std::string_view>& parts,
                              double lr0, std::int64_t horizon_steps, std::int64_t steps_per_epoch);
  std::variant<ConstantLr, StepLr, CosineLr> kind_;
};

}  // namespace nnlab::optim
