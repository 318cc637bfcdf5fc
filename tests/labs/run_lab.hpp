// Test support for labs: run a registered lab on its quick setting and look up its claims.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "nnlab/labs/lab.hpp"

namespace nnlab::labs::testing {

// mutant: one of the lab's declared mutants, or empty for the true theory.
inline Result run_quick(const std::string& id, std::uint64_t seed, int threads,
                        const std::vector<std::pair<std::string, std::string>>& sets = {},
                        const std::string& mutant = {}) {
  const Lab* lab = find_lab(id);
  EXPECT_NE(lab, nullptr) << id;
  ThreadPool pool(threads);
  experiment::PoolExecutor executor(pool);
  Context context;
  context.seed = seed;
  context.lab = id;
  context.executor = &executor;
  context.quick = true;
  context.mutant = mutant;
  return lab->run(Params::resolve(lab->params(), true, sets), context);
}

// The registered labs of the product; framework_test.cpp registers fixtures named test-….
inline std::vector<const Lab*> product_labs() {
  std::vector<const Lab*> labs;
  for (const Lab* lab : all_labs())
    if (lab->id().rfind("test-", 0) != 0) labs.push_back(lab);
  return labs;
}

// The claim whose statement starts with prefix, or nullptr.
inline const Claim* find_claim(const Result& r, const std::string& prefix) {
  for (const Claim& c : r.claims)
    if (c.statement.rfind(prefix, 0) == 0) return &c;
  return nullptr;
}

}  // namespace nnlab::labs::testing
