// Learning-rate schedules and their string spelling; formulas in schedule.hpp.
#include "nnlab/optim/schedule.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <numbers>
#include <vector>

#include "nnlab/core/error.hpp"

namespace nnlab::optim {

namespace {

void require_t(std::int64_t t) { require(t >= 0, "learning-rate schedule: step {} is negative", t); }

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

template <class T>
T parse_number(std::string_view text, std::string_view spec, const char* what) {
  T value{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  require(ec == std::errc() && ptr == text.data() + text.size() && !text.empty(),
          "learning-rate schedule '{}': {} '{}' is not a number", spec, what, text);
  return value;
}

}  // namespace

double ConstantLr::operator()(std::int64_t t) const {
  require_t(t);
  return lr;
}

double StepLr::operator()(std::int64_t t) const {
  require_t(t);
  return lr0 * std::pow(gamma, double(t / period));
}

double CosineLr::operator()(std::int64_t t) const {
  require_t(t);
  if (t >= horizon) return lr_min;
  return lr_min + 0.5 * (lr0 - lr_min) * (1 + std::cos(std::numbers::pi * double(t) / double(horizon)));
}

Schedule Schedule::constant(double lr) {
  require(lr > 0 && std::isfinite(lr), "learning rate must be > 0 and finite, got {}", lr);
  return Schedule(ConstantLr{lr});
}

Schedule Schedule::step(double lr0, std::int64_t period, double gamma) {
  require(lr0 > 0 && std::isfinite(lr0), "learning rate must be > 0 and finite, got {}", lr0);
  require(period >= 1, "step schedule: period must be >= 1 step, got {}", period);
  require(gamma > 0 && gamma <= 1, "step schedule: factor gamma must be in (0, 1], got {}", gamma);
  return Schedule(StepLr{lr0, period, gamma});
}

Schedule Schedule::cosine(double lr0, double lr_min, std::int64_t horizon) {
  require(lr0 > 0 && std::isfinite(lr0), "learning rate must be > 0 and finite, got {}", lr0);
  require(lr_min >= 0 && lr_min <= lr0, "cosine schedule: lr_min must be in [0, lr0 = {}], got {}",
          lr0, lr_min);
  require(horizon >= 1, "cosine schedule: horizon must be >= 1 step, got {}", horizon);
  return Schedule(CosineLr{lr0, lr_min, horizon});
}

Schedule Schedule::parse(std::string_view spec, double lr0, std::int64_t horizon_steps,
                         std::int64_t steps_per_epoch) {
  require(steps_per_epoch >= 1, "learning-rate schedule '{}': steps per epoch must be >= 1, got {}",
          spec, steps_per_epoch);
  try {
    return parse_parts(spec, split(spec, ':'), lr0, horizon_steps, steps_per_epoch);
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.starts_with("learning-rate schedule '") || message.starts_with("unknown")) throw;
    fail("learning-rate schedule '{}': {}", spec, message);
  }
}

Schedule Schedule::parse_parts(std::string_view spec, const std::vector<std::string_view>& parts,
                               double lr0, std::int64_t horizon_steps,
                               std::int64_t steps_per_epoch) {
  const std::string_view name = parts[0];
  if (name == "constant") {
    require(parts.size() == 1, "learning-rate schedule '{}': 'constant' takes no arguments", spec);
    return constant(lr0);
  }
  if (name == "step") {
    require(parts.size() == 3, "learning-rate schedule '{}': expected step:K:GAMMA, e.g. step:30:0.1",
            spec);
    const auto k = parse_number<std::int64_t>(parts[1], spec, "period K");
    const auto gamma = parse_number<double>(parts[2], spec, "factor GAMMA");
    require(k >= 1, "learning-rate schedule '{}': period K must be >= 1, got {}", spec, k);
    return step(lr0, k * steps_per_epoch, gamma);
  }
  if (name == "cosine") {
    require(parts.size() <= 3,
            "learning-rate schedule '{}': expected cosine, cosine:T or cosine:T:LR_MIN", spec);
    std::int64_t horizon = horizon_steps;
    if (parts.size() >= 2) {
      const auto T = parse_number<std::int64_t>(parts[1], spec, "horizon T");
      require(T >= 1, "learning-rate schedule '{}': horizon T must be >= 1, got {}", spec, T);
      horizon = T * steps_per_epoch;
    }
    require(horizon >= 1,
            "learning-rate schedule '{}': cosine needs a horizon (cosine:T or the run's length)", spec);
    const double lr_min = parts.size() == 3 ? parse_number<double>(parts[2], spec, "LR_MIN") : 0.0;
    return cosine(lr0, lr_min, horizon);
  }
  fail("unknown learning-rate schedule '{}' (valid: constant, step:K:GAMMA, cosine[:T[:LR_MIN]])",
       spec);
}

double Schedule::operator()(std::int64_t t) const {
  return std::visit([t](const auto& s) { return s(t); }, kind_);
}

std::string Schedule::describe() const {
  struct Describe {
    std::string operator()(const ConstantLr&) const { return "constant"; }
    std::string operator()(const StepLr& s) const { return fmt::format("step:{}:{}", s.period, s.gamma); }
    std::string operator()(const CosineLr& s) const {
      return fmt::format("cosine:{}:{}", s.horizon, s.lr_min);
    }
  };
  return std::visit(Describe{}, kind_);
}

}  // namespace nnlab::optim
