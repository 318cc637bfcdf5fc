// Checkpoints in safetensors: bit-exact round trips in float and double, tied weights stored
// once, the row-major (n_{k+1}, n_k) layout checked on a hand-built file, and every kind of
// corrupt file rejected with an Error naming the file and the problem.
#include "nnlab/nn/checkpoint.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>

#include "data/temp_dir.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/core/file.hpp"
#include "nnlab/core/rng.hpp"

namespace nnlab::nn {
namespace {

using data::testing::TempDir;
using json = nlohmann::json;

MlpSpec small_spec() {
  MlpSpec spec;
  spec.sizes = {5, 4, 3, 2};
  spec.activations = {Activation::relu, Activation::tanh};
  spec.loss = Loss::cross_entropy;
  spec.dropout = DropoutKind::inverted;
  spec.keep = {0.9, 0.5, 0.75};
  return spec;
}

template <class S>
Mlp<S> random_net(MlpSpec spec, std::uint64_t seed = 7) {
  Mlp<S> net(std::move(spec));
  Rng rng = make_rng(seed, stream::init);
  net.init(rng, Init::uniform);
  return net;
}

template <class S>
bool bit_equal(const Vec<S>& a, const Vec<S>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(S) * std::size_t(a.size())) == 0;
}

void expect_same_spec(const MlpSpec& a, const MlpSpec& b) {
  EXPECT_EQ(a.sizes, b.sizes);
  EXPECT_EQ(a.activations, b.activations);
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_EQ(a.bias, b.bias);
  EXPECT_EQ(a.tying, b.tying);
  EXPECT_EQ(a.dropout, b.dropout);
  EXPECT_EQ(a.keep, b.keep);
}

template <class S>
void round_trip(const TempDir& dir) {
  Mlp<S> net = random_net<S>(small_spec());
  net.theta()[3] = S(1) / S(3);  // a value with a full mantissa
  const auto path = dir.path() / "model.safetensors";
  save_checkpoint(path, net, {{"recipe", "{\"lr\": 0.1}"}, {"note", "hello"}});
  const LoadedCheckpoint loaded = load_checkpoint(path);
  ASSERT_TRUE(std::holds_alternative<Mlp<S>>(loaded.model));
  const auto& back = std::get<Mlp<S>>(loaded.model);
  expect_same_spec(back.spec(), net.spec());
  EXPECT_TRUE(bit_equal(back.theta(), net.theta()));
  EXPECT_EQ(loaded.metadata.at("recipe"), "{\"lr\": 0.1}");
  EXPECT_EQ(loaded.metadata.at("note"), "hello");
  EXPECT_TRUE(loaded.metadata.contains("nnlab"));
}

TEST(Checkpoint, RoundTripFloatIsBitExact) {
  TempDir dir;
  round_trip<float>(dir);
}

TEST(Checkpoint, RoundTripDoubleIsBitExact) {
  TempDir dir;
  round_trip<double>(dir);
}

TEST(Checkpoint, FileHoldsWTransposedToRowMajorAndDtypeOfTraining) {
  TempDir dir;
  const Mlp<float> net = random_net<float>(small_spec());
  const auto path = dir.path() / "m.safetensors";
  save_checkpoint(path, net);
  const TensorFile file = read_safetensors(path);
  ASSERT_TRUE(file.tensors.contains("W2"));
  const Tensor& W2 = file.tensors.at("W2");
  EXPECT_EQ(W2.dtype, DType::F32);
  EXPECT_EQ(W2.shape, (std::vector<std::int64_t>{3, 4}));  // (n_3, n_2)
  const auto values = W2.values<float>();
  for (Index i = 0; i < 3; ++i)
    for (Index j = 0; j < 4; ++j) EXPECT_EQ(values[std::size_t(i * 4 + j)], net.W(2)(i, j));
  EXPECT_EQ(file.tensors.at("b3").shape, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(file.order, (std::vector<std::string>{"W1", "b1", "W2", "b2", "W3", "b3"}));
}

TEST(Checkpoint, TiedWeightsAreStoredOnceUnderTheOwner) {
  TempDir dir;
  MlpSpec spec;
  spec.sizes = {3, 4, 4, 4, 2};
  spec.activations = {Activation::tanh, Activation::tanh, Activation::tanh};
  spec.loss = Loss::mse;
  spec.tying = Tying::hidden;
  const Mlp<double> net = random_net<double>(spec);
  const auto path = dir.path() / "tied.safetensors";
  save_checkpoint(path, net);
  const TensorFile file = read_safetensors(path);
  EXPECT_TRUE(file.tensors.contains("W2"));
  EXPECT_FALSE(file.tensors.contains("W3"));  // W^(3) is W^(2)
  EXPECT_TRUE(file.tensors.contains("W4"));
  EXPECT_TRUE(file.tensors.contains("b3"));  // biases are never tied
  const json arch = json::parse(file.metadata.at("nnlab"));
  EXPECT_EQ(arch["weight_owner"].get<std::vector<int>>(), (std::vector<int>{1, 2, 2, 4}));

  const auto back = std::get<Mlp<double>>(load_checkpoint(path).model);
  EXPECT_TRUE(bit_equal(back.theta(), net.theta()));
  EXPECT_EQ(back.W_owner(3), 2);

  // Storing the shared W twice is a mismatch, not something to ignore.
  TensorFile doubled = file;
  doubled.tensors["W3"] = file.tensors.at("W2");
  write_safetensors(dir.path() / "doubled.safetensors", doubled);
  EXPECT_ERROR_CONTAINS(load_checkpoint(dir.path() / "doubled.safetensors"), "doubled.safetensors",
                        "unexpected tensor 'W3'", "shares W2");
}

TEST(Checkpoint, RefusesNonFiniteParametersAndReservedKey) {
  TempDir dir;
  Mlp<double> net = random_net<double>(small_spec());
  EXPECT_ERROR_CONTAINS(save_checkpoint(dir.path() / "a.safetensors", net, {{"nnlab", "x"}}),
                        "reserved");
  net.theta()[0] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_ERROR_CONTAINS(save_checkpoint(dir.path() / "b.safetensors", net), "non-finite");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "b.safetensors"));
}

TEST(Checkpoint, DirectionTensorsRoundTripWithPrefixAndConvertDtype) {
  const Mlp<double> net = random_net<double>(small_spec());
  const Mlp<float> net32 = random_net<float>(small_spec());
  TensorFile file;
  Vec<double> v = Vec<double>::LinSpaced(net.num_params(), -1, 1);
  add_parameter_tensors(file, net, v, "H");
  EXPECT_TRUE(file.tensors.contains("HW1"));
  EXPECT_TRUE(file.tensors.contains("Hb3"));
  const TensorFile back = decode_safetensors(encode_safetensors(file), "mem");
  EXPECT_TRUE(bit_equal(read_parameter_tensors(back, net, "mem", "H"), v));
  const Vec<float> v32 = read_parameter_tensors(back, net32, "mem", "H");
  EXPECT_TRUE(bit_equal(v32, Vec<float>(v.cast<float>())));
  EXPECT_ERROR_CONTAINS(read_parameter_tensors(back, net, "mem", "d"), "mem", "missing tensor 'dW1'");
}

// ------------------------------------------------------------------ hand-built files
std::string le64(std::uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[std::size_t(i)] = char((n >> (8 * i)) & 0xff);
  return s;
}

std::string f64_bytes(std::initializer_list<double> values) {
  std::string s;
  for (double v : values) {
    char b[8];
    std::memcpy(b, &v, 8);  // the test machine is little-endian, as safetensors requires
    s.append(b, 8);
  }
  return s;
}

std::string assemble(const json& header, const std::string& data) {
  const std::string text = header.dump();
  return le64(text.size()) + text + data;
}

// A 3 → 2 linear net (L = 1): W1 = [[1, 2, 3], [4, 5, 6]] row-major, b1 = [10, 20].
json linear_arch() {
  return {{"format", 1},       {"version", "test"}, {"sizes", {3, 2}},  {"activations", json::array()},
          {"loss", "mse"},     {"bias", true},      {"tying", "none"},  {"dropout", "none"},
          {"keep", json::array()}, {"dtype", "F64"}};
}

json linear_header(const json& arch = linear_arch()) {
  return {{"W1", {{"dtype", "F64"}, {"shape", {2, 3}}, {"data_offsets", {0, 48}}}},
          {"b1", {{"dtype", "F64"}, {"shape", {2}}, {"data_offsets", {48, 64}}}},
          {"__metadata__", {{"nnlab", arch.dump()}}}};
}

const std::string linear_data = f64_bytes({1, 2, 3, 4, 5, 6, 10, 20});

TEST(Checkpoint, HandBuiltFileIsReadAsRowMajorNextByN) {
  TempDir dir;
  const auto path = dir.write("hand.safetensors", assemble(linear_header(), linear_data));
  const auto net = std::get<Mlp<double>>(load_checkpoint(path).model);
  EXPECT_EQ(net.W(1)(0, 0), 1);
  EXPECT_EQ(net.W(1)(0, 2), 3);
  EXPECT_EQ(net.W(1)(1, 0), 4);
  EXPECT_EQ(net.b(1)(1), 20);
  // a^(2) = W^(1) x + b^(1) for x = (1, 0, −1): (1 − 3 + 10, 4 − 6 + 20).
  Mat<double> X(3, 1);
  X << 1, 0, -1;
  Cache<double> cache;
  net.forward(X, cache);
  EXPECT_EQ(cache.y()(0, 0), 8);
  EXPECT_EQ(cache.y()(1, 0), 18);
}

// A NaN or Inf weight would only surface later as a NaN loss or a failed eigensolver; a finite
// F64 value beyond float's range becomes Inf in a float net and is refused the same way.
TEST(Checkpoint, NonFiniteWeightsAndDirectionsAreRefusedAtLoad) {
  TempDir dir;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto path = dir.write("nan.safetensors", assemble(linear_header(), f64_bytes({1, 2, 3, nan, 5, 6, 10, 20})));
  EXPECT_ERROR_CONTAINS(load_checkpoint(path), "nan.safetensors", "tensor 'W1' holds nan at [1, 0]");
  const auto inf = dir.write("inf.safetensors", assemble(linear_header(), f64_bytes({1, 2, 3, 4, 5, 6, 10, -HUGE_VAL})));
  EXPECT_ERROR_CONTAINS(load_checkpoint(inf), "inf.safetensors", "tensor 'b1' holds -inf at [1]");

  const Mlp<float> net = random_net<float>(small_spec());
  TensorFile direction;
  Vec<double> v = Vec<double>::Ones(net.num_params());
  v[0] = 1e300;  // W1[0, 0]: finite in F64, Inf as float
  add_parameter_tensors(direction, Mlp<double>(small_spec()), v);
  EXPECT_ERROR_CONTAINS(read_parameter_tensors(direction, net, "v.safetensors"), "v.safetensors",
                        "tensor 'W1' holds inf at [0, 0] (converted to F32)");
}

class CorruptCheckpoint : public ::testing::Test {
 protected:
  void expect_rejected(const std::string& bytes, const std::string& problem) {
    const auto path = dir_.write("bad.safetensors", bytes);
    EXPECT_ERROR_CONTAINS(load_checkpoint(path), "bad.safetensors", problem);
  }
  TempDir dir_;
};

TEST_F(CorruptCheckpoint, TooShort) { expect_rejected("abc", "too short"); }

TEST_F(CorruptCheckpoint, HeaderLengthBeyondTheFile) {
  expect_rejected(le64(1000) + "{}", "header length 1000 reaches beyond the file");
}

TEST_F(CorruptCheckpoint, HeaderNotJson) {
  expect_rejected(le64(5) + "{\"W1\"" + linear_data, "header is not JSON");
}

TEST_F(CorruptCheckpoint, MissingTensor) {
  json header = linear_header();
  header.erase("b1");
  expect_rejected(assemble(header, linear_data), "missing tensor 'b1'");
}

TEST_F(CorruptCheckpoint, WrongShape) {
  json header = linear_header();
  header["W1"]["shape"] = {3, 2};  // the transpose: same byte count, wrong layout
  expect_rejected(assemble(header, linear_data), "tensor 'W1' has shape [3, 2], the architecture needs [2, 3]");
}

TEST_F(CorruptCheckpoint, UnsupportedDtype) {
  json header = linear_header();
  header["b1"]["dtype"] = "F16";
  expect_rejected(assemble(header, linear_data), "dtype 'F16'");
}

TEST_F(CorruptCheckpoint, DtypeDiffersFromTheCheckpoint) {
  json header = linear_header();
  header["b1"] = {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {48, 56}}};
  expect_rejected(assemble(header, linear_data), "tensor 'b1' is F32, but the checkpoint is F64");
}

TEST_F(CorruptCheckpoint, DataOffsetsOutOfRange) {
  json header = linear_header();
  header["b1"]["data_offsets"] = {56, 72};
  expect_rejected(assemble(header, linear_data), "data_offsets [56, 72] out of range");
}

TEST_F(CorruptCheckpoint, DataOffsetsNotMatchingTheShape) {
  json header = linear_header();
  header["b1"]["data_offsets"] = {48, 56};
  expect_rejected(assemble(header, linear_data), "span 8 bytes");
}

// Shapes whose element or byte counts overflow 64 bits must be rejected, not wrapped: 2^61 F64
// elements are 2^64 ≡ 0 bytes, which would otherwise match an empty span.
TEST_F(CorruptCheckpoint, ShapeTooLarge) {
  json header = linear_header();
  header["b1"]["shape"] = {std::uint64_t(1) << 32, std::uint64_t(1) << 32};
  expect_rejected(assemble(header, linear_data), "tensor 'b1': shape [4294967296, 4294967296] is too large");
  header = linear_header();
  header["x"] = {{"dtype", "F64"}, {"shape", {std::uint64_t(1) << 61}}, {"data_offsets", {64, 64}}};
  expect_rejected(assemble(header, linear_data), "tensor 'x': shape [2305843009213693952] is too large");
  header = linear_header();
  header["b1"]["shape"] = {std::uint64_t(-1)};
  expect_rejected(assemble(header, linear_data), "tensor 'b1': shape [18446744073709551615] is too large");
}

TEST_F(CorruptCheckpoint, DataOffsetsOverlap) {
  json header = linear_header();
  header["b1"]["data_offsets"] = {32, 48};
  expect_rejected(assemble(header, linear_data), "overlap");
}

TEST_F(CorruptCheckpoint, MissingNnlabMetadata) {
  json header = linear_header();
  header.erase("__metadata__");
  expect_rejected(assemble(header, linear_data), "no nnlab metadata");
}

TEST_F(CorruptCheckpoint, NnlabMetadataNotJson) {
  json header = linear_header();
  header["__metadata__"]["nnlab"] = "{sizes: [3, 2]";
  expect_rejected(assemble(header, linear_data), "invalid nnlab metadata");
}

TEST_F(CorruptCheckpoint, NnlabMetadataLacksAField) {
  json arch = linear_arch();
  arch.erase("sizes");
  expect_rejected(assemble(linear_header(arch), linear_data), "lacks 'sizes'");
}

TEST_F(CorruptCheckpoint, NnlabMetadataWithUnknownActivation) {
  json arch = linear_arch();
  arch["sizes"] = {3, 2, 2};
  arch["activations"] = {"swish"};
  expect_rejected(assemble(linear_header(arch), linear_data), "swish");
}

TEST_F(CorruptCheckpoint, NnlabMetadataInconsistent) {
  json arch = linear_arch();
  arch["activations"] = {"relu"};  // L = 1 has no hidden layer
  expect_rejected(assemble(linear_header(arch), linear_data), "invalid nnlab metadata");
}

TEST_F(CorruptCheckpoint, MetadataValueNotAString) {
  json header = linear_header();
  header["__metadata__"]["epochs"] = 3;
  expect_rejected(assemble(header, linear_data), "'epochs' is not a string");
}

}  // namespace
}  // namespace nnlab::nn
