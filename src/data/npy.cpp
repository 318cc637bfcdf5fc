// NPY: header dict parsed by a small recursive-descent reader of the Python literals numpy
// writes (strings, True/False, tuples of integers); data converted row-major → column-major.
#include "nnlab/data/npy.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/core/file.hpp"
#include "nnlab/data/gzip.hpp"

namespace nnlab::data {

namespace {

constexpr std::string_view npy_magic = "\x93NUMPY";

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::uint64_t> shape;
};

// Reads the dict literal; every error quotes the header text.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string name) : text_(text), name_(std::move(name)) {}

  NpyHeader parse() {
    NpyHeader header;
    bool has_descr = false, has_order = false, has_shape = false;
    expect('{');
    while (!peek('}')) {
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        header.descr = string_literal();
        has_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = boolean_literal();
        has_order = true;
      } else if (key == "shape") {
        header.shape = integer_tuple();
        has_shape = true;
      } else {
        bad(fmt::format("unknown key '{}'", key));
      }
      if (!peek(',')) break;
      expect(',');
    }
    expect('}');
    if (!has_descr || !has_order || !has_shape)
      bad(fmt::format("missing key '{}'", !has_descr ? "descr" : !has_order ? "fortran_order" : "shape"));
    return header;
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    fail("'{}': bad NPY header: {} at position {} in \"{}\"", name_, what, pos_,
         std::string(text_.substr(0, text_.find_last_not_of(" \n") + 1)));
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n')) ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) bad(fmt::format("expected '{}'", c));
    ++pos_;
  }
  std::string string_literal() {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) bad("expected a string");
    const char quote = text_[pos_++];
    const auto end = text_.find(quote, pos_);
    if (end == std::string_view::npos) bad("unterminated string");
    std::string s(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }
  bool boolean_literal() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (text_.substr(pos_, std::strlen(word)) == word) {
        pos_ += std::strlen(word);
        return value;
      }
    }
    bad("expected True or False");
  }
  std::vector<std::uint64_t> integer_tuple() {
    std::vector<std::uint64_t> values;
    expect('(');
    while (!peek(')')) {
      std::uint64_t v = 0;
      const std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        if (v > (UINT64_MAX - 9) / 10) bad("dimension too large");
        v = 10 * v + std::uint64_t(text_[pos_++] - '0');
      }
      if (pos_ == start) bad("expected a non-negative integer");
      values.push_back(v);
      if (!peek(',')) break;
      expect(',');
    }
    expect(')');
    return values;
  }

  std::string_view text_;
  std::string name_;
  std::size_t pos_ = 0;
};

std::uint32_t little_endian(std::string_view bytes, std::size_t offset, int width) {
  std::uint32_t v = 0;
  for (int k = width - 1; k >= 0; --k)
    v = v << 8 | static_cast<unsigned char>(bytes[offset + std::size_t(k)]);
  return v;
}

// Copies element i (row-major) from raw little-endian storage of type T. A NaN or Inf entry
// (also a '<f8' value beyond float's range read as float) is refused with its position: data
// with one would only give NaN losses and gradients downstream.
template <class T, class Scalar>
void convert(const char* data, Index rows, Index cols, bool one_dimensional, const std::string& name,
             Mat<Scalar>& out) {
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j) {
      T value;
      std::memcpy(&value, data + (i * cols + j) * Index(sizeof(T)), sizeof(T));
      out(i, j) = Scalar(value);
      if constexpr (std::is_floating_point_v<T>)
        if (!std::isfinite(out(i, j)))
          fail("'{}': entry {} is {}{}; non-finite values are refused", name,
               one_dimensional ? fmt::format("[{}]", i) : fmt::format("[{}, {}]", i, j), double(value),
               std::isfinite(value) ? " (beyond float's range)" : "");
    }
}

template <class Scalar>
std::string header_text(Index rows, std::optional<Index> cols) {
  const std::string shape =
      cols ? fmt::format("({}, {})", rows, *cols) : fmt::format("({},)", rows);
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
                                 sizeof(Scalar) == 8 ? "<f8" : "<f4", shape);
  // numpy pads with spaces so that magic + version + length + dict + '\n' is a multiple of 64.
  const std::size_t unpadded = npy_magic.size() + 2 + 2 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict.push_back('\n');
  return dict;
}

template <class Scalar>
void save(const std::filesystem::path& path, const Scalar* row_major, Index rows,
          std::optional<Index> cols) {
  const std::string dict = header_text<Scalar>(rows, cols);
  std::string bytes(npy_magic);
  bytes += '\x01';
  bytes += '\x00';
  bytes += char(dict.size() & 0xff);
  bytes += char(dict.size() >> 8);
  bytes += dict;
  bytes.append(reinterpret_cast<const char*>(row_major),
               std::size_t(rows * cols.value_or(1)) * sizeof(Scalar));
  write_file_atomic(path, bytes);
}

}  // namespace

template <class Scalar>
Mat<Scalar> load_npy(const std::filesystem::path& path, NpyInfo* info) {
  return parse_npy<Scalar>(read_maybe_gzip(path), path.string(), info);
}

template <class Scalar>
Mat<Scalar> parse_npy(std::string_view bytes, const std::string& name, NpyInfo* info) {
  static_assert(std::endian::native == std::endian::little, "NPY data is read little-endian");
  require(!bytes.empty(), "'{}': empty file (expected an NPY file)", name);
  require(std::string_view(bytes).substr(0, 6) == npy_magic,
          "'{}': wrong magic: not an NPY file (it must start with \\x93NUMPY)", name);
  require(bytes.size() >= 10, "'{}': truncated NPY header ({} bytes)", name, bytes.size());
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  require((major >= 1 && major <= 3) && minor == 0,
          "'{}': unsupported NPY version {}.{} (supported: 1.0, 2.0, 3.0)", name, major, minor);
  const int width = major == 1 ? 2 : 4;
  require(bytes.size() >= std::size_t(8 + width), "'{}': truncated NPY header", name);
  const std::size_t header_length = little_endian(bytes, 8, width);
  const std::size_t data_offset = 8 + std::size_t(width) + header_length;
  require(bytes.size() >= data_offset,
          "'{}': truncated: NPY header claims {} bytes, file has {} after the preamble", name,
          header_length, bytes.size() - 8 - std::size_t(width));
  const std::string_view text(bytes.data() + 8 + width, header_length);
  require(!text.empty() && text.back() == '\n', "'{}': bad NPY header: it must end with a newline",
          name);
  const NpyHeader header = HeaderParser(text, name).parse();

  require(!header.fortran_order,
          "'{}': fortran_order is True; only C-order arrays are supported (save with "
          "np.save(path, np.ascontiguousarray(a)))",
          name);
  const auto& shape = header.shape;
  require(shape.size() == 1 || shape.size() == 2,
          "'{}': {}-D array; only 1-D and 2-D arrays are supported", name, shape.size());
  const Index rows = Index(shape[0]), cols = shape.size() == 2 ? Index(shape[1]) : 1;

  static constexpr std::array<std::pair<std::string_view, std::size_t>, 5> dtypes = {
      {{"<f4", 4}, {"<f8", 8}, {"<i4", 4}, {"<i8", 8}, {"|u1", 1}}};
  const auto dtype = std::find_if(dtypes.begin(), dtypes.end(),
                                  [&](const auto& d) { return d.first == header.descr; });
  if (dtype == dtypes.end())
    fail("'{}': unsupported dtype '{}'{}; supported: <f4, <f8, <i4, <i8, |u1", name, header.descr,
         header.descr.starts_with('>') ? " (big-endian)" : "");

  // The product must not wrap: (2^32, 2^32) of '|u1' would promise 0 bytes and then allocate.
  for (const std::uint64_t d : shape)
    require(d <= (std::uint64_t(1) << 48), "'{}': shape {} is too large (dimension {})", name,
            fmt::join(shape, "×"), d);
  require(cols == 0 || std::uint64_t(rows) <= std::numeric_limits<std::uint64_t>::max() / 8 / std::uint64_t(cols),
          "'{}': shape {} is too large", name, fmt::join(shape, "×"));
  const std::uint64_t promised = std::uint64_t(rows) * std::uint64_t(cols) * dtype->second;
  const std::uint64_t present = bytes.size() - data_offset;
  if (present < promised)
    fail("'{}': truncated: shape {} of {} needs {} data bytes, file has {}", name,
         fmt::join(shape, "×"), header.descr, promised, present);
  if (present > promised)
    fail("'{}': {} trailing bytes: shape {} of {} needs {} data bytes, file has {}", name,
         present - promised, fmt::join(shape, "×"), header.descr, promised, present);

  if (info) *info = {shape, header.descr};
  Mat<Scalar> out(rows, cols);
  const char* data = bytes.data() + data_offset;
  const bool one_dimensional = shape.size() == 1;
  if (header.descr == "<f4") convert<float>(data, rows, cols, one_dimensional, name, out);
  else if (header.descr == "<f8") convert<double>(data, rows, cols, one_dimensional, name, out);
  else if (header.descr == "<i4") convert<std::int32_t>(data, rows, cols, one_dimensional, name, out);
  else if (header.descr == "<i8") convert<std::int64_t>(data, rows, cols, one_dimensional, name, out);
  else convert<std::uint8_t>(data, rows, cols, one_dimensional, name, out);
  return out;
}

template <class Scalar>
void save_npy(const std::filesystem::path& path, const Mat<Scalar>& matrix) {
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major = matrix;
  save(path, row_major.data(), matrix.rows(), matrix.cols());
}

template <class Scalar>
void save_npy(const std::filesystem::path& path, const Vec<Scalar>& vector) {
  save(path, vector.data(), vector.size(), std::nullopt);
}

template Mat<float> load_npy<float>(const std::filesystem::path&, NpyInfo*);
template Mat<double> load_npy<double>(const std::filesystem::path&, NpyInfo*);
template Mat<float> parse_npy<float>(std::string_view, const std::string&, NpyInfo*);
template Mat<double> parse_npy<double>(std::string_view, const std::string&, NpyInfo*);
template void save_npy<float>(const std::filesystem::path&, const Mat<float>&);
template void save_npy<double>(const std::filesystem::path&, const Mat<double>&);
template void save_npy<float>(const std::filesystem::path&, const Vec<float>&);
template void save_npy<double>(const std::filesystem::path&, const Vec<double>&);

}  // namespace nnlab::data
