// CSV reader (data/csv.hpp): header and delimiter detection, fields, BOM, targets and classes.
#include "input_file.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/data/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = nnlab::fuzz::input_file(data, size, ".csv");
  for (const nnlab::data::CsvOptions options :
       {nnlab::data::CsvOptions{}, nnlab::data::CsvOptions{.header = 0, .classification = true}}) {
    try {
      nnlab::data::load_csv<float>(path, options);
    } catch (const nnlab::Error&) {
    }
  }
  return 0;
}
