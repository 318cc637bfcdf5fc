#include "nnlab/experiment/result.hpp"

#include <algorithm>

namespace nnlab::experiment {

Claim Claim::check(std::string statement, double value, double lo, double hi,
                   std::string detail) {
  Claim claim{std::move(statement), value, lo, hi, std::move(detail), false};
  claim.pass = lo <= value && value <= hi;  // false whenever any of them is NaN
  return claim;
}

bool Result::all_pass() const {
  return std::all_of(claims.begin(), claims.end(), [](const Claim& c) { return c.pass; });
}

}  // namespace nnlab::experiment
