// safetensors decoding and checkpoint loading (nn/checkpoint.hpp): header, offsets, dtypes,
// shapes, the architecture metadata, non-finite values.
#include "input_file.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/nn/checkpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    nnlab::nn::decode_safetensors(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const nnlab::Error&) {
    return 0;
  }
  try {
    nnlab::nn::load_checkpoint(nnlab::fuzz::input_file(data, size, ".safetensors"));
  } catch (const nnlab::Error&) {
  }
  return 0;
}
