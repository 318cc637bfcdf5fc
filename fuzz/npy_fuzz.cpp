// NPY reader (data/npy.hpp): magic, version, header dictionary, dtype, shape, data length.
#include "input_file.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/data/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    nnlab::data::load_npy<double>(nnlab::fuzz::input_file(data, size, ".npy"));
  } catch (const nnlab::Error&) {
  }
  return 0;
}
