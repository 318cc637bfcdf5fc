// IDX reader (data/idx.hpp), raw and gzip: magic, dimensions, image and label payloads, all or
// the first few images.
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
  // The first few items only: the stream stops early (idx.hpp's `first`).
  try {
    nnlab::data::load_idx_images<float>(path, nullptr, nnlab::Index(size % 5));
  } catch (const nnlab::Error&) {
  }
  return 0;
}
