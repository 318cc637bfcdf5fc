// safetensors reading and writing, and Mlp checkpoints on top of it (see checkpoint.hpp).
// θ keeps W^(k) column-major (n_{k+1} × n_k); the file keeps it row-major with shape
// (n_{k+1}, n_k), so the file's bytes equal those of the column-major Wᵀ, i.e. Mat(n_k × n_{k+1}).
#include "nnlab/nn/checkpoint.hpp"

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <tuple>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "nnlab/core/error.hpp"
#include "nnlab/core/file.hpp"

#ifndef NNLAB_VERSION
#define NNLAB_VERSION "unknown"
#endif

namespace nnlab::nn {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr int checkpoint_format = 1;

std::size_t dtype_size(DType d) { return d == DType::F32 ? 4 : 8; }

// Byte order of the file is little-endian; swap on a big-endian host.
template <class T>
T to_little_endian(T value) {
  if constexpr (std::endian::native == std::endian::big) {
    auto bytes = std::bit_cast<std::array<unsigned char, sizeof(T)>>(value);
    std::reverse(bytes.begin(), bytes.end());
    return std::bit_cast<T>(bytes);
  }
  return value;
}

template <class Scalar>
void append_values(std::string& out, const Scalar* data, std::size_t n) {
  const std::size_t start = out.size();
  out.resize(start + n * sizeof(Scalar));
  for (std::size_t i = 0; i < n; ++i) {
    const Scalar v = to_little_endian(data[i]);
    std::memcpy(out.data() + start + i * sizeof(Scalar), &v, sizeof(Scalar));
  }
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Bytes of a tensor of `shape` with `width`-byte elements, or nullopt if the product of its
// nonzero dimensions exceeds 2^62 bytes, so that neither this count nor Tensor::numel overflows.
std::optional<std::uint64_t> byte_count(const std::vector<std::uint64_t>& shape, std::uint64_t width) {
  constexpr std::uint64_t limit = std::uint64_t(1) << 62;
  std::uint64_t bytes = width;
  for (const auto d : shape) {
    if (d == 0) continue;
    if (bytes > limit / d) return std::nullopt;
    bytes *= d;
  }
  return std::find(shape.begin(), shape.end(), 0) != shape.end() ? 0 : bytes;
}

DType parse_dtype(const std::string& name, const std::string& tensor, const std::filesystem::path& source) {
  if (name == "F32") return DType::F32;
  if (name == "F64") return DType::F64;
  fail("{}: tensor '{}' has dtype '{}'; nnlab reads F32 and F64", source.string(), tensor, name);
}

}  // namespace

std::string to_string(DType dtype) { return dtype == DType::F32 ? "F32" : "F64"; }

// ------------------------------------------------------------------ Tensor
std::int64_t Tensor::numel() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

template <class Scalar>
Tensor Tensor::from_matrix(const Eigen::Ref<const Mat<Scalar>>& M) {
  Tensor t{dtype_of<Scalar>(), {std::int64_t(M.rows()), std::int64_t(M.cols())}, {}};
  t.bytes.reserve(std::size_t(M.size()) * sizeof(Scalar));
  for (Index i = 0; i < M.rows(); ++i)
    for (Index j = 0; j < M.cols(); ++j) {
      const Scalar v = M(i, j);
      append_values(t.bytes, &v, 1);
    }
  return t;
}

template <class Scalar>
Tensor Tensor::from_vector(const Eigen::Ref<const Vec<Scalar>>& v) {
  Tensor t{dtype_of<Scalar>(), {std::int64_t(v.size())}, {}};
  append_values(t.bytes, v.data(), std::size_t(v.size()));
  return t;
}

template <class Scalar>
Tensor Tensor::scalar(Scalar value) {
  Tensor t{dtype_of<Scalar>(), {}, {}};
  append_values(t.bytes, &value, 1);
  return t;
}

template <class Scalar>
std::vector<Scalar> Tensor::values() const {
  const auto n = std::size_t(numel());
  std::vector<Scalar> out(n);
  const auto read = [&]<class T>(T) {
    for (std::size_t i = 0; i < n; ++i) {
      T v;
      std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
      out[i] = Scalar(to_little_endian(v));
    }
  };
  require(bytes.size() == n * dtype_size(dtype), "tensor of shape {} holds {} bytes, expected {}",
          shape_string(shape), bytes.size(), n * dtype_size(dtype));
  if (dtype == DType::F32)
    read(float{});
  else
    read(double{});
  return out;
}

// ------------------------------------------------------------------ safetensors
std::string encode_safetensors(const TensorFile& file) {
  std::vector<std::string> names;
  for (const auto& name : file.order) {
    require(file.tensors.contains(name), "tensor order names '{}', which is not in the file", name);
    names.push_back(name);
  }
  for (const auto& [name, tensor] : file.tensors)
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);

  ordered_json header = ordered_json::object();
  std::uint64_t offset = 0;
  for (const auto& name : names) {
    require(name != "__metadata__", "'__metadata__' cannot name a tensor");
    const Tensor& t = file.tensors.at(name);
    require(t.bytes.size() == std::size_t(t.numel()) * dtype_size(t.dtype),
            "tensor '{}' of shape {} holds {} bytes, expected {}", name, shape_string(t.shape),
            t.bytes.size(), std::size_t(t.numel()) * dtype_size(t.dtype));
    header[name] = {{"dtype", to_string(t.dtype)},
                    {"shape", t.shape},
                    {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');

  std::string out;
  out.reserve(8 + text.size() + offset);
  const std::uint64_t n = text.size();
  append_values(out, &n, 1);
  out += text;
  for (const auto& name : names) out += file.tensors.at(name).bytes;
  return out;
}

TensorFile decode_safetensors(std::string_view bytes, const std::filesystem::path& source) {
  const std::string src = source.string();
  require(bytes.size() >= 8, "{}: too short for a safetensors file ({} bytes, the header length alone takes 8)",
          src, bytes.size());
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  n = to_little_endian(n);
  require(n <= bytes.size() - 8,
          "{}: header length {} reaches beyond the file ({} bytes after the length field); not a "
          "safetensors file or truncated",
          src, n, bytes.size() - 8);
  json header;
  try {
    header = json::parse(bytes.substr(8, std::size_t(n)));
  } catch (const json::exception& e) {
    fail("{}: safetensors header is not JSON ({})", src, e.what());
  }
  require(header.is_object(), "{}: safetensors header is not a JSON object", src);
  const std::string_view data = bytes.substr(8 + std::size_t(n));

  TensorFile file;
  struct Range {
    std::uint64_t begin, end;
    std::string name;
  };
  std::vector<Range> ranges;
  for (auto& item : header.items()) {
    const std::string name = item.key();
    const json& entry = item.value();
    if (name == "__metadata__") {
      require(entry.is_object(), "{}: __metadata__ is not a JSON object", src);
      for (const auto& [key, value] : entry.items()) {
        require(value.is_string(), "{}: __metadata__ entry '{}' is not a string", src, key);
        file.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    require(entry.is_object() && entry.contains("dtype") && entry.contains("shape") &&
                entry.contains("data_offsets"),
            "{}: tensor '{}' needs dtype, shape and data_offsets", src, name);
    require(entry.at("dtype").is_string(), "{}: tensor '{}': dtype is not a string", src, name);
    Tensor t;
    t.dtype = parse_dtype(entry.at("dtype").get<std::string>(), name, source);
    const auto& shape = entry.at("shape");
    require(shape.is_array(), "{}: tensor '{}': shape is not an array", src, name);
    std::vector<std::uint64_t> dims;
    for (const auto& d : shape) {
      require(d.is_number_unsigned() || (d.is_number_integer() && d.get<std::int64_t>() >= 0),
              "{}: tensor '{}': shape {} has an entry that is not a non-negative integer", src, name,
              shape.dump());
      dims.push_back(d.get<std::uint64_t>());
    }
    require(byte_count(dims, dtype_size(t.dtype)).has_value(), "{}: tensor '{}': shape [{}] is too large",
            src, name, fmt::join(dims, ", "));
    t.shape.assign(dims.begin(), dims.end());
    const auto& offsets = entry.at("data_offsets");
    require(offsets.is_array() && offsets.size() == 2 && offsets[0].is_number_unsigned() &&
                offsets[1].is_number_unsigned(),
            "{}: tensor '{}': data_offsets must be [begin, end] with non-negative integers, got {}",
            src, name, offsets.dump());
    const auto begin = offsets[0].get<std::uint64_t>(), end = offsets[1].get<std::uint64_t>();
    require(begin <= end && end <= data.size(),
            "{}: tensor '{}': data_offsets [{}, {}] out of range (the data hold {} bytes)", src, name,
            begin, end, data.size());
    const std::uint64_t expected = std::uint64_t(t.numel()) * dtype_size(t.dtype);
    require(end - begin == expected,
            "{}: tensor '{}': data_offsets [{}, {}] span {} bytes, but {} {} needs {}", src, name,
            begin, end, end - begin, to_string(t.dtype), shape_string(t.shape), expected);
    t.bytes = std::string(data.substr(std::size_t(begin), std::size_t(end - begin)));
    ranges.push_back({begin, end, name});
    file.order.push_back(name);
    file.tensors.emplace(name, std::move(t));
  }
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  for (std::size_t i = 1; i < ranges.size(); ++i)
    require(ranges[i].begin >= ranges[i - 1].end,
            "{}: tensors '{}' [{}, {}] and '{}' [{}, {}] overlap", src, ranges[i - 1].name,
            ranges[i - 1].begin, ranges[i - 1].end, ranges[i].name, ranges[i].begin, ranges[i].end);
  std::sort(file.order.begin(), file.order.end(), [&](const std::string& a, const std::string& b) {
    return header[a]["data_offsets"][0].get<std::uint64_t>() < header[b]["data_offsets"][0].get<std::uint64_t>();
  });
  return file;
}

void write_safetensors(const std::filesystem::path& path, const TensorFile& file) {
  write_file_atomic(path, encode_safetensors(file));
}

TensorFile read_safetensors(const std::filesystem::path& path) {
  return decode_safetensors(read_file(path), path);
}

// ------------------------------------------------------------------ parameters
template <class Scalar>
void add_parameter_tensors(TensorFile& file, const Mlp<Scalar>& net, const Vec<Scalar>& v,
                           std::string_view prefix) {
  require(v.size() == net.num_params(), "parameter vector has {} entries, the network {}", v.size(),
          net.num_params());
  const std::string p(prefix);
  for (int k = 1; k <= net.layers(); ++k) {
    if (net.W_owner(k) == k) {
      file.tensors[p + "W" + std::to_string(k)] = Tensor::from_matrix<Scalar>(net.W(v, k));
      file.order.push_back(p + "W" + std::to_string(k));
    }
    if (net.spec().bias) {
      file.tensors[p + "b" + std::to_string(k)] = Tensor::from_vector<Scalar>(net.b(v, k));
      file.order.push_back(p + "b" + std::to_string(k));
    }
  }
}

template <class Scalar>
Vec<Scalar> read_parameter_tensors(const TensorFile& file, const Mlp<Scalar>& net,
                                   const std::filesystem::path& source, std::string_view prefix) {
  const std::string p(prefix), src = source.string();
  const auto& sizes = net.spec().sizes;
  Vec<Scalar> v = Vec<Scalar>::Zero(net.num_params());
  const auto fetch = [&](const std::string& name, std::vector<std::int64_t> shape) {
    const auto it = file.tensors.find(name);
    require(it != file.tensors.end(), "{}: missing tensor '{}' (shape {})", src, name,
            shape_string(shape));
    require(it->second.shape == shape, "{}: tensor '{}' has shape {}, the architecture needs {}",
            src, name, shape_string(it->second.shape), shape_string(shape));
    // Checked after the conversion to Scalar: an F64 1e300 read into a float net is Inf too. A
    // non-finite weight or direction would only give NaN losses, gradients and H·v downstream.
    auto values = it->second.values<Scalar>();
    const auto bad = std::find_if(values.begin(), values.end(), [](Scalar x) { return !std::isfinite(x); });
    if (bad != values.end()) {
      const auto i = std::int64_t(bad - values.begin());
      fail("{}: tensor '{}' holds {} at {}{}; non-finite values are refused", src, name, double(*bad),
           shape.size() == 2 ? fmt::format("[{}, {}]", i / shape[1], i % shape[1])
                             : fmt::format("[{}]", i),
           std::isfinite(double(it->second.values<double>()[std::size_t(i)]))
               ? fmt::format(" (converted to {})", to_string(dtype_of<Scalar>()))
               : "");
    }
    return values;
  };
  std::vector<std::string> expected;
  for (int k = 1; k <= net.layers(); ++k) {
    const std::int64_t rows = sizes[std::size_t(k)], cols = sizes[std::size_t(k - 1)];
    if (net.W_owner(k) == k) {
      const std::string name = p + "W" + std::to_string(k);
      const auto values = fetch(name, {rows, cols});
      // Row-major (rows, cols) bytes are the column-major cols × rows matrix Wᵀ.
      net.W(v, k) = ConstMatMap<Scalar>(values.data(), cols, rows).transpose();
      expected.push_back(name);
    }
    if (net.spec().bias) {
      const std::string name = p + "b" + std::to_string(k);
      const auto values = fetch(name, {rows});
      net.b(v, k) = ConstVecMap<Scalar>(values.data(), rows);
      expected.push_back(name);
    }
  }
  // A parameter-like tensor the architecture does not have means a mismatch (e.g. a tied W
  // stored twice, or a bias in a bias-free net), not something to ignore.
  for (const auto& [name, tensor] : file.tensors) {
    if (name.size() <= p.size() + 1 || name.compare(0, p.size(), p) != 0) continue;
    const char kind = name[p.size()];
    const std::string digits = name.substr(p.size() + 1);
    if ((kind != 'W' && kind != 'b') ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    if (std::find(expected.begin(), expected.end(), name) != expected.end()) continue;
    const int k = std::atoi(digits.c_str());
    if (kind == 'W' && k >= 1 && k <= net.layers())
      fail("{}: unexpected tensor '{}': layer {} shares {}W{} (weight tying)", src, name, k, p,
           net.W_owner(k));
    fail("{}: unexpected tensor '{}': the architecture ({} layers, bias {}) has no such parameter",
         src, name, net.layers(), net.spec().bias ? "on" : "off");
  }
  return v;
}

// ------------------------------------------------------------------ architecture JSON
std::string spec_to_json(const MlpSpec& spec, DType dtype) {
  spec.validate();
  const Mlp<double> layout(spec);  // for the owners of tied W
  std::vector<int> owner;
  std::vector<std::string> activations;
  for (int k = 1; k <= spec.layers(); ++k) owner.push_back(layout.W_owner(k));
  for (auto h : spec.activations) activations.push_back(to_string(h));
  const ordered_json j = {{"format", checkpoint_format},
                          {"version", NNLAB_VERSION},
                          {"sizes", spec.sizes},
                          {"activations", activations},
                          {"loss", to_string(spec.loss)},
                          {"bias", spec.bias},
                          {"tying", to_string(spec.tying)},
                          {"dropout", to_string(spec.dropout)},
                          {"keep", spec.keep},
                          {"weight_owner", owner},
                          {"dtype", to_string(dtype)}};
  return j.dump();
}

MlpSpec spec_from_json(std::string_view text, DType* dtype) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    fail("architecture metadata is not JSON ({})", e.what());
  }
  require(j.is_object(), "architecture metadata is not a JSON object");
  for (const char* key : {"format", "sizes", "activations", "loss", "bias", "tying", "dropout", "keep",
                          "dtype"})
    require(j.contains(key), "architecture metadata lacks '{}'", key);
  try {
    require(j["format"].get<int>() == checkpoint_format,
            "architecture metadata has format {}, this nnlab reads format {}", j["format"].dump(),
            checkpoint_format);
    MlpSpec spec;
    for (const auto& n : j["sizes"]) {
      require(n.is_number_integer() && n.get<std::int64_t>() > 0,
              "architecture metadata: size {} is not a positive integer", n.dump());
      spec.sizes.push_back(n.get<Index>());
    }
    for (const auto& h : j["activations"]) spec.activations.push_back(parse_activation(h.get<std::string>()));
    spec.loss = parse_loss(j["loss"].get<std::string>());
    spec.bias = j["bias"].get<bool>();
    spec.tying = parse_tying(j["tying"].get<std::string>());
    spec.dropout = parse_dropout_kind(j["dropout"].get<std::string>());
    spec.keep = j["keep"].get<std::vector<double>>();
    const auto d = j["dtype"].get<std::string>();
    require(d == "F32" || d == "F64", "architecture metadata: dtype '{}' is not F32 or F64", d);
    if (dtype) *dtype = d == "F32" ? DType::F32 : DType::F64;
    spec.validate();
    return spec;
  } catch (const json::exception& e) {
    fail("architecture metadata has a field of the wrong type ({})", e.what());
  }
}

// ------------------------------------------------------------------ checkpoints
template <class Scalar>
std::string encode_checkpoint(const Mlp<Scalar>& net, const std::map<std::string, std::string>& extra,
                              const std::filesystem::path& path) {
  require(!extra.contains("nnlab"), "checkpoint metadata key 'nnlab' is reserved for the architecture");
  require(net.theta().allFinite(), "{}: refusing to save non-finite parameters", path.string());
  TensorFile file;
  file.metadata = extra;
  file.metadata["nnlab"] = spec_to_json(net.spec(), dtype_of<Scalar>());
  add_parameter_tensors(file, net, net.theta());
  return encode_safetensors(file);
}

template <class Scalar>
void save_checkpoint(const std::filesystem::path& path, const Mlp<Scalar>& net,
                     const std::map<std::string, std::string>& extra) {
  write_file_atomic(path, encode_checkpoint(net, extra, path));
}

namespace {

template <class Scalar>
Mlp<Scalar> load_into(const TensorFile& file, MlpSpec spec, const std::vector<int>& owner,
                      const std::filesystem::path& path) {
  Mlp<Scalar> net(std::move(spec));
  // weight_owner is optional; when absent there is nothing to index (require() evaluates its
  // message arguments even when the condition holds).
  if (!owner.empty())
    for (int k = 1; k <= net.layers(); ++k)
      require(owner[std::size_t(k - 1)] == net.W_owner(k),
              "{}: nnlab metadata says layer {} uses W{}, but tying '{}' gives W{}", path.string(),
              k, owner[std::size_t(k - 1)], to_string(net.spec().tying), net.W_owner(k));
  for (const auto& [name, tensor] : file.tensors)
    require(tensor.dtype == dtype_of<Scalar>(), "{}: tensor '{}' is {}, but the checkpoint is {}",
            path.string(), name, to_string(tensor.dtype), to_string(dtype_of<Scalar>()));
  net.theta() = read_parameter_tensors(file, net, path);
  return net;
}

}  // namespace

LoadedCheckpoint load_checkpoint(const std::filesystem::path& path) {
  const TensorFile file = read_safetensors(path);
  const auto it = file.metadata.find("nnlab");
  require(it != file.metadata.end(),
          "{}: no nnlab metadata (__metadata__[\"nnlab\"] with the architecture); not an nnlab "
          "checkpoint",
          path.string());
  DType dtype{};
  MlpSpec spec;
  std::vector<int> owner;
  try {
    spec = spec_from_json(it->second, &dtype);
    const json j = json::parse(it->second);
    if (j.contains("weight_owner")) owner = j["weight_owner"].get<std::vector<int>>();
  } catch (const Error& e) {
    fail("{}: invalid nnlab metadata: {}", path.string(), e.what());
  } catch (const json::exception& e) {
    fail("{}: invalid nnlab metadata: {}", path.string(), e.what());
  }
  require(owner.empty() || int(owner.size()) == spec.layers(),
          "{}: invalid nnlab metadata: weight_owner has {} entries for {} layers", path.string(),
          owner.size(), spec.layers());
  LoadedCheckpoint out{
      dtype == DType::F32
          ? std::variant<Mlp<float>, Mlp<double>>(load_into<float>(file, spec, owner, path))
          : std::variant<Mlp<float>, Mlp<double>>(load_into<double>(file, spec, owner, path)),
      file.metadata};
  return out;
}

#define NNLAB_INSTANTIATE(S)                                                                        \
  template Tensor Tensor::from_matrix<S>(const Eigen::Ref<const Mat<S>>&);                         \
  template Tensor Tensor::from_vector<S>(const Eigen::Ref<const Vec<S>>&);                         \
  template Tensor Tensor::scalar<S>(S);                                                             \
  template std::vector<S> Tensor::values<S>() const;                                               \
  template void add_parameter_tensors<S>(TensorFile&, const Mlp<S>&, const Vec<S>&,                \
                                         std::string_view);                                        \
  template Vec<S> read_parameter_tensors<S>(const TensorFile&, const Mlp<S>&,                      \
                                            const std::filesystem::path&, std::string_view);       \
  template void save_checkpoint<S>(const std::filesystem::path&, const Mlp<S>&,                    \
                                   const std::map<std::string, std::string>&);                     \
  template std::string encode_checkpoint<S>(const Mlp<S>&, const std::map<std::string, std::string>&, \
                                            const std::filesystem::path&);
NNLAB_INSTANTIATE(float)
NNLAB_INSTANTIATE(double)
#undef NNLAB_INSTANTIATE

}  // namespace nnlab::nn
