// Test support for labs: run a registered lab on its quick setting and look up its claims,
// tables and figures.
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

// The figure with this id, or nullptr.
inline const Figure* find_figure(const Result& r, const std::string& id) {
  for (const Figure& f : r.figures)
    if (f.id == id) return &f;
  return nullptr;
}

// The table or figure with this id; a test failure (and the first one) where there is none.
inline const Table& table(const Result& r, const std::string& id) {
  for (const Table& t : r.tables)
    if (t.id == id) return t;
  ADD_FAILURE() << "no table " << id;
  return r.tables.front();
}
inline const Figure& figure(const Result& r, const std::string& id) {
  if (const Figure* f = find_figure(r, id)) return *f;
  ADD_FAILURE() << "no figure " << id;
  return r.figures.front();
}

}  // namespace nnlab::labs::testing
