// NPZ reader (data/npz.hpp): the ZIP end records (plain and zip64), the central directory with its
// zip64 extra fields, local headers, stored and deflated members, CRC-32, and the NPY inside.
#include "input_file.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/data/npz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const nnlab::data::NpzArchive archive(nnlab::fuzz::input_file(data, size, ".npz"));
    for (const std::string& key : archive.keys()) archive.load<double>(key);
  } catch (const nnlab::Error&) {
  }
  return 0;
}
