// Claims that can fail, and verdicts that do not depend on the seed, for every registered lab:
//  - each lab declares at least three mutants (plausible wrong theories);
//  - each mutant, run on the quick setting at seeds 1..5, fails some claim with severity ≥ 2:
//    for a k-SE check that is |z| ≥ 2k (|z| ≥ 8 against a pass threshold of 4), so the failing
//    value lies another k SE beyond the threshold and no seed passes it except by a k-SE
//    fluctuation (probability < 1e-4); for an exact tolerance, an error ≥ 2 × the tolerance;
//  - without mutants, every claim passes on the quick setting at seeds 1..10.
// Parameterized per lab and mutant, so ctest runs them in parallel (ctest -R mutant).
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <ostream>
#include <string>
#include <vector>

#include "labs/run_lab.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/labs/lab.hpp"

namespace nnlab::labs {
namespace {

using testing::product_labs;

constexpr double margin = 2;  // severity a killing claim must reach (see the header)

struct Case {
  std::string lab, mutant;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.lab << (c.mutant.empty() ? "" : " / ") << c.mutant; }

std::vector<Case> mutant_cases() {
  std::vector<Case> cases;
  for (const Lab* lab : product_labs())
    for (const Mutant& m : lab->mutants()) cases.push_back({lab->id(), m.name});
  return cases;
}

std::vector<Case> lab_cases() {
  std::vector<Case> cases;
  for (const Lab* lab : product_labs()) cases.push_back({lab->id(), {}});
  return cases;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.lab + (info.param.mutant.empty() ? "" : "__" + info.param.mutant);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

TEST(LabMutants, EveryLabDeclaresAtLeastThreeDistinctMutants) {
  for (const Lab* lab : product_labs()) {
    const auto mutants = lab->mutants();
    EXPECT_GE(mutants.size(), 3u) << lab->id();
    for (std::size_t i = 0; i < mutants.size(); ++i) {
      EXPECT_FALSE(mutants[i].description.empty()) << lab->id() << " " << mutants[i].name;
      for (std::size_t j = 0; j < i; ++j) EXPECT_NE(mutants[i].name, mutants[j].name) << lab->id();
    }
  }
}

TEST(LabMutants, AnUndeclaredMutantIsRefused) {
  for (const Lab* lab : product_labs())
    EXPECT_THROW(testing::run_quick(lab->id(), 1, 1, {}, "no-such-mutant"), Error) << lab->id();
}

class MutantKilled : public ::testing::TestWithParam<Case> {};

TEST_P(MutantKilled, ByAClaimWithMarginAtSeeds1To5) {
  const Case& c = GetParam();
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const Result r = testing::run_quick(c.lab, seed, 2, {}, c.mutant);
    const Claim* killer = nullptr;
    for (const Claim& claim : r.claims)
      if (!claim.pass) {
        std::cout << c.lab << " / " << c.mutant << " seed " << seed << ": FAIL, severity "
                  << claim.severity << ": " << claim.statement << " — " << claim.detail() << "\n";
        if (!std::isnan(claim.severity) && (killer == nullptr || claim.severity > killer->severity))
          killer = &claim;
      }
    ASSERT_NE(killer, nullptr) << c.lab << " / " << c.mutant << " seed " << seed
                               << ": no claim fails with a measurable severity";
    EXPECT_GE(killer->severity, margin)
        << c.lab << " / " << c.mutant << " seed " << seed << ": killed only narrowly by '"
        << killer->statement << "': " << killer->detail();
  }
}

INSTANTIATE_TEST_SUITE_P(mutant, MutantKilled, ::testing::ValuesIn(mutant_cases()), case_name);

class QuickSetting : public ::testing::TestWithParam<Case> {};

TEST_P(QuickSetting, EveryClaimPassesAtSeeds1To10) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const Result r = testing::run_quick(GetParam().lab, seed, 2);
    for (const Claim& claim : r.claims)
      EXPECT_TRUE(claim.pass) << GetParam().lab << " seed " << seed << ": " << claim.statement
                              << ": " << claim.detail();
  }
}

INSTANTIATE_TEST_SUITE_P(seeds, QuickSetting, ::testing::ValuesIn(lab_cases()), case_name);

}  // namespace
}  // namespace nnlab::labs
