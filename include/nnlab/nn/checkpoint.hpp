// Checkpoints and tensor files in the safetensors format (huggingface/safetensors), readable
// from numpy and PyTorch without nnlab:
//   [8-byte little-endian header length N][N bytes of JSON header][raw little-endian data]
//   header = {"W1": {"dtype": "F32", "shape": [n2, n1], "data_offsets": [begin, end]}, …,
//             "__metadata__": {string: string}}, offsets relative to the start of the data.
// Tensors are row-major. A checkpoint holds W1, b1, W2, b2, … with W_k of shape (n_{k+1}, n_k)
// as in a^(k+1) = W^(k) z^(k) + b^(k) (nnlab keeps W column-major inside θ, so W is transposed
// on the way in and out) and b_k of shape (n_{k+1}). With weight tying each distinct W is stored
// once, under its owner layer's name. __metadata__["nnlab"] holds the architecture as JSON:
//   {"format": 1, "version", "sizes", "activations", "loss", "bias", "tying", "dropout", "keep",
//    "weight_owner": [owner of W^(1), …, owner of W^(L)], "dtype"};
// every other metadata entry is free-form text that the caller passed (e.g. the training recipe).
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "nnlab/core/types.hpp"
#include "nnlab/nn/mlp.hpp"

namespace nnlab::nn {

enum class DType { F32, F64 };
std::string to_string(DType dtype);  // "F32", "F64": the safetensors spelling

template <class Scalar>
constexpr DType dtype_of() {
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>);
  return std::is_same_v<Scalar, float> ? DType::F32 : DType::F64;
}

// One tensor: row-major values, little-endian bytes as they lie in the file.
struct Tensor {
  DType dtype = DType::F64;
  std::vector<std::int64_t> shape;  // [] is a scalar (one value)
  std::string bytes;

  std::int64_t numel() const;
  // A matrix M (rows × cols) as shape [rows, cols] in row-major order.
  template <class Scalar>
  static Tensor from_matrix(const Eigen::Ref<const Mat<Scalar>>& M);
  // A vector v as shape [n].
  template <class Scalar>
  static Tensor from_vector(const Eigen::Ref<const Vec<Scalar>>& v);
  template <class Scalar>
  static Tensor scalar(Scalar value);
  // The values in row-major order, converted to Scalar.
  template <class Scalar>
  std::vector<Scalar> values() const;
};

struct TensorFile {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> metadata;
  std::vector<std::string> order;  // names in the order they are written (others follow, sorted)
};

// Serializes to the safetensors byte layout; the header is padded with spaces to a multiple of 8
// bytes, so every tensor starts 8-byte aligned.
std::string encode_safetensors(const TensorFile& file);
// Parses and validates a safetensors byte string; `source` names the file in errors (too short,
// header length beyond the file, header not JSON, bad entries, unsupported dtypes, data offsets
// out of range, not matching the shape, or overlapping).
TensorFile decode_safetensors(std::string_view bytes, const std::filesystem::path& source);

void write_safetensors(const std::filesystem::path& path, const TensorFile& file);  // atomic
TensorFile read_safetensors(const std::filesystem::path& path);

// The layers' parts of a θ-layout vector v (parameters, gradient, direction, Hv) as tensors
// named prefix + "W1", prefix + "b1", …, W transposed to (n_{k+1}, n_k); tied W once.
template <class Scalar>
void add_parameter_tensors(TensorFile& file, const Mlp<Scalar>& net, const Vec<Scalar>& v,
                           std::string_view prefix = "");
// The inverse: reads prefix + "W1", … into a θ-layout vector, checking that every tensor is
// there with the architecture's shape (any dtype; values are converted to Scalar) and that no
// other tensor with the prefix's W/b names is present. Errors name `source`.
template <class Scalar>
Vec<Scalar> read_parameter_tensors(const TensorFile& file, const Mlp<Scalar>& net,
                                   const std::filesystem::path& source,
                                   std::string_view prefix = "");

// Saves θ and the architecture, atomically. `extra` is stored as further metadata; the key
// "nnlab" is reserved.
template <class Scalar>
void save_checkpoint(const std::filesystem::path& path, const Mlp<Scalar>& net,
                     const std::map<std::string, std::string>& extra = {});
// The bytes save_checkpoint writes, for a caller that writes them together with other files
// (core/file.hpp: write_files_together). `path` names the file in errors.
template <class Scalar>
std::string encode_checkpoint(const Mlp<Scalar>& net, const std::map<std::string, std::string>& extra,
                              const std::filesystem::path& path);

struct LoadedCheckpoint {
  std::variant<Mlp<float>, Mlp<double>> model;  // the precision it was trained in
  std::map<std::string, std::string> metadata;  // every entry, "nnlab" included
};

// Loads a checkpoint; every problem (file, format, missing or invalid nnlab metadata, a missing
// or unexpected tensor, a shape that does not fit the architecture, mixed dtypes) throws Error
// naming the file.
LoadedCheckpoint load_checkpoint(const std::filesystem::path& path);

// The architecture JSON stored under "nnlab", and its inverse (throws Error on anything invalid).
std::string spec_to_json(const MlpSpec& spec, DType dtype);
MlpSpec spec_from_json(std::string_view json, DType* dtype = nullptr);

}  // namespace nnlab::nn
