// nnlab list: the labs, one per line, in sheet order, with aligned columns.
#include <fmt/format.h>

#include <algorithm>

#include "command.hpp"
#include "nnlab/labs/lab.hpp"

namespace nnlab::cli {
namespace {

Subcommand setup(CLI::App& parent) {
  CLI::App* app = parent.add_subcommand("list", "List the labs: id, sheet question, question");
  return {app, [] {
            const auto labs = labs::all_labs();
            std::size_t id_width = 2, sheet_width = 5;
            for (const auto* lab : labs) {
              id_width = std::max(id_width, lab->id().size());
              sheet_width = std::max(sheet_width, lab->sheet().size());
            }
            fmt::print("{:<{}}  {:<{}}  {}\n", "ID", id_width, "SHEET", sheet_width, "QUESTION");
            for (const auto* lab : labs)
              fmt::print("{:<{}}  {:<{}}  {}\n", lab->id(), id_width, lab->sheet(), sheet_width,
                         lab->question());
            fmt::print("\nRun one: nnlab run ID   its parameters: nnlab run ID --params   "
                       "all of them: nnlab report\n");
            return exit_ok;
          }};
}

const Registrar registrar{10, setup};

}  // namespace
}  // namespace nnlab::cli
