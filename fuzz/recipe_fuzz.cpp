// Recipe JSON (train/recipe.hpp, as stored in every checkpoint's metadata and log.json): any
// bytes that parse as JSON must give a valid Recipe or an nnlab::Error, never a crash, another
// exception or undefined behaviour (an out-of-range number cast to int); a recipe that loads
// must survive its own round trip unchanged.
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string_view>

#include "nnlab/core/error.hpp"
#include "nnlab/train/recipe.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto j = nlohmann::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), nullptr,
                                       /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;  // not JSON: the callers' parse error, not the recipe reader's
  nnlab::train::Recipe recipe;
  try {
    recipe = nnlab::train::Recipe::from_json(j);
  } catch (const nnlab::Error&) {
    return 0;
  }
  const auto written = recipe.to_json();
  if (nnlab::train::Recipe::from_json(nlohmann::json(written)).to_json() != written) std::abort();
  return 0;
}
