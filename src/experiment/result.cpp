#include "nnlab/experiment/result.hpp"

#include <algorithm>

namespace nnlab::experiment {

Claim Claim::check(std::string statement, std::string quantity, std::string measured,
                   double value, double lo, double hi, std::string test) {
  Claim claim;  // assigned, not designated: severity, part and wall_clock keep their defaults
  claim.statement = std::move(statement);
  claim.quantity = std::move(quantity);
  claim.measured = std::move(measured);
  claim.test = std::move(test);
  claim.value = value;
  claim.lo = lo;
  claim.hi = hi;
  claim.pass = lo <= value && value <= hi;  // false whenever any of them is NaN
  return claim;
}

std::string Claim::detail() const {
  return measured.empty() ? quantity + ": " + test : quantity + " = " + measured + "; " + test;
}

bool Result::all_pass() const {
  return std::all_of(claims.begin(), claims.end(), [](const Claim& c) { return c.pass; });
}

void Result::assign(const std::string& part, Mark since) {
  for (auto k = since.claims; k < claims.size(); ++k) claims[k].part = part;
  for (auto k = since.figures; k < figures.size(); ++k) figures[k].part = part;
  for (auto k = since.tables; k < tables.size(); ++k) tables[k].part = part;
}

}  // namespace nnlab::experiment
