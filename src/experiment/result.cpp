#include "nnlab/experiment/result.hpp"

#include <algorithm>

namespace nnlab::experiment {

Claim Claim::check(std::string statement, std::string quantity, std::string measured,
                   double value, double lo, double hi, std::string test) {
  Claim claim{.statement = std::move(statement), .quantity = std::move(quantity),
              .measured = std::move(measured), .test = std::move(test), .value = value, .lo = lo,
              .hi = hi};
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
