// IDX reader (data/idx.hpp), raw and gzip: magic, dimensions, image and label payloads.
#include "input_file.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/data/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = nnlab::fuzz::input_file(data, size, ".idx");
  try {
    nnlab::data::load_idx_images<float>(path);
  } catch (const nnlab::Error&) {
  }
  try {
    nnlab::data::load_idx_labels(path);
  } catch (const nnlab::Error&) {
  }
  return 0;
}
