// IDX parsing as a stream: the header is checked as soon as it has arrived (magic, dims),
// the data bytes are converted straight into X while the file decompresses, and the exact
// size is checked at the end. No decompressed copy of the file is ever held in memory. Asked
// for the first n items only, the stream stops once it has them.
#include "nnlab/data/idx.hpp"

#include <fmt/ranges.h>
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "nnlab/core/error.hpp"
#include "nnlab/data/gzip.hpp"

namespace nnlab::data {

namespace {

std::uint32_t big_endian_u32(std::string_view bytes, std::size_t offset) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data() + offset);
  return std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 | std::uint32_t(b[2]) << 8 |
         std::uint32_t(b[3]);
}

// Consumes an IDX byte stream. on_header(dims) runs once the header is complete;
// on_data(offset, bytes) receives the data section in order (the first `first` items of it,
// if first is given: items run along the first dimension); finish() checks the size.
class IdxStream {
 public:
  using HeaderFn = std::function<void(const std::vector<std::uint64_t>& dims)>;
  using DataFn = std::function<void(std::uint64_t offset, std::string_view bytes)>;

  IdxStream(const std::filesystem::path& path, std::uint32_t expected_magic,
            std::string_view what, HeaderFn on_header, DataFn on_data, std::optional<Index> first)
      : name_(path.string()), expected_magic_(expected_magic), what_(what),
        on_header_(std::move(on_header)), on_data_(std::move(on_data)), first_(first) {
    require(!first || *first >= 0, "'{}': a negative number of {} ({}) asked for", name_, what_,
            first.value_or(0));
    std::error_code ec;
    const std::uint64_t stored = std::filesystem::file_size(path, ec);
    if (!ec) capacity_ = max_deflate_ratio * stored;
  }

  // False once the first `first` items have all arrived: the caller may stop reading.
  bool consume(std::string_view chunk) {
    total_ += chunk.size();
    if (header_size_ == 0 || header_.size() < header_size_) chunk = take_header(chunk);
    if (chunk.empty() || header_.size() < header_size_ || header_size_ == 0) return true;
    // Bytes past the promised size are counted (for the message) but not delivered.
    const std::uint64_t room = wanted_ - std::min(wanted_, received_);
    if (room > 0) on_data_(received_, chunk.substr(0, std::min<std::uint64_t>(room, chunk.size())));
    received_ += chunk.size();
    return !stopped_early();
  }

  void finish() const {
    require(total_ > 0, "'{}': empty file (expected an IDX {} file)", name_, what_);
    if (header_size_ == 0 || header_.size() < header_size_)
      fail("'{}': truncated: {} bytes, too short for the IDX header", name_, total_);
    if (stopped_early()) return;
    const std::uint64_t promised = header_size_ + data_size_;
    if (total_ < promised)
      fail("'{}': truncated: header promises {} bytes, file has {}", name_, promised, total_);
    if (total_ > promised)
      fail("'{}': {} trailing bytes: header promises {} bytes, file has {}", name_,
           total_ - promised, promised, total_);
  }

 private:
  // All the items asked for have arrived, fewer than the file holds: the rest is not needed.
  bool stopped_early() const { return wanted_ < data_size_ && received_ >= wanted_; }

  // Appends header bytes; validates the magic at 4 bytes and the dims at 4 + 4·ndims.
  std::string_view take_header(std::string_view chunk) {
    const std::size_t want = header_size_ == 0 ? 4 : header_size_;
    const std::size_t n = std::min(chunk.size(), want - header_.size());
    header_.append(chunk.substr(0, n));
    chunk.remove_prefix(n);
    if (header_size_ == 0 && header_.size() == 4) {
      check_magic(big_endian_u32(header_, 0));
      header_size_ = 4 + 4 * (std::size_t(header_[3]) & 0xff);
      return take_header(chunk);
    }
    if (header_size_ != 0 && header_.size() == header_size_) {
      // The dims are checked against what the file can hold before on_header_ allocates, so a
      // corrupt header cannot ask for terabytes; the product is capped, never overflowed.
      std::vector<std::uint64_t> dims;
      data_size_ = 1;
      bool fits = true;
      for (std::size_t k = 4; k < header_size_; k += 4) {
        const std::uint64_t d = big_endian_u32(header_, k);
        dims.push_back(d);
        fits = fits && (d == 0 || data_size_ <= capacity_ / d);
        if (fits) data_size_ *= d;
      }
      if (!fits)
        fail("'{}': truncated or corrupt: header dimensions {} promise more data than the "
             "{}-byte file can hold",
             name_, fmt::join(dims, " × "), capacity_ / max_deflate_ratio);
      wanted_ = data_size_;
      if (first_ && std::uint64_t(*first_) < dims[0])
        wanted_ = data_size_ / dims[0] * std::uint64_t(*first_);
      on_header_(dims);
    }
    return chunk;
  }

  void check_magic(std::uint32_t magic) const {
    if (magic == expected_magic_) return;
    const bool idx_like = (magic >> 16) == 0;
    if (idx_like && (magic & 0xff) == (expected_magic_ & 0xff) && ((magic >> 8) & 0xff) != 0x08)
      fail("'{}': unsupported IDX data type 0x{:02x} (only 0x08, unsigned byte)", name_,
           (magic >> 8) & 0xff);
    fail("'{}': wrong magic 0x{:08x}, expected 0x{:08x} (IDX {} file){}", name_, magic,
         expected_magic_, what_, idx_like ? "" : "; not an IDX file");
  }

  std::string name_;
  std::uint32_t expected_magic_;
  std::string_view what_;
  HeaderFn on_header_;
  DataFn on_data_;
  std::optional<Index> first_;
  std::string header_;
  std::size_t header_size_ = 0;  // 0 until the magic (which holds ndims) has arrived
  // Decompressed bytes the file can hold: deflate expands at most 1032-fold.
  static constexpr std::uint64_t max_deflate_ratio = 1032;
  std::uint64_t capacity_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t data_size_ = 0, wanted_ = 0, received_ = 0, total_ = 0;
};

// Asks the kernel for transparent huge pages on a large fresh buffer: first-touch page
// faults otherwise dominate loading Fashion-MNIST (188 MB of floats). Only a hint.
void advise_huge_pages(void* data, std::size_t bytes) {
  constexpr std::uintptr_t huge = std::uintptr_t(1) << 21;
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + huge - 1) & ~(huge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(huge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace

template <class Scalar>
Mat<Scalar> load_idx_images(const std::filesystem::path& path, IdxImagesShape* shape,
                            std::optional<Index> first) {
  // A table of the 256 correctly rounded quotients b / 255: exact and branch-free.
  std::array<Scalar, 256> value;
  for (int b = 0; b < 256; ++b) value[std::size_t(b)] = Scalar(b) / Scalar(255);
  Mat<Scalar> X;
  IdxStream stream(
      path, idx_images_magic, "images",
      [&](const std::vector<std::uint64_t>& d) {
        require(d[0] > 0 && d[1] > 0 && d[2] > 0,
                "'{}': empty image set: dimensions {} × {} × {}", path.string(), d[0], d[1],
                d[2]);
        X.resize(Index(d[1] * d[2]), first ? std::min(*first, Index(d[0])) : Index(d[0]));
        advise_huge_pages(X.data(), std::size_t(X.size()) * sizeof(Scalar));
        if (shape) *shape = {Index(d[0]), Index(d[1]), Index(d[2])};
      },
      // Image j's bytes are column j of X, and X is column-major: file order = memory order.
      [&](std::uint64_t offset, std::string_view bytes) {
        Scalar* x = X.data() + offset;
        const auto* pixel = reinterpret_cast<const unsigned char*>(bytes.data());
        for (std::size_t i = 0; i < bytes.size(); ++i) x[i] = value[pixel[i]];
      },
      first);
  read_maybe_gzip(path, [&](std::string_view chunk) { return stream.consume(chunk); });
  stream.finish();
  return X;
}

std::vector<int> load_idx_labels(const std::filesystem::path& path, Index* count,
                                 std::optional<Index> first) {
  std::vector<int> labels;
  IdxStream stream(
      path, idx_labels_magic, "labels",
      [&](const std::vector<std::uint64_t>& d) {
        labels.resize(first ? std::min<std::uint64_t>(std::uint64_t(*first), d[0]) : d[0]);
        if (count) *count = Index(d[0]);
      },
      [&](std::uint64_t offset, std::string_view bytes) {
        const auto* label = reinterpret_cast<const unsigned char*>(bytes.data());
        std::copy(label, label + bytes.size(), labels.begin() + std::ptrdiff_t(offset));
      },
      first);
  read_maybe_gzip(path, [&](std::string_view chunk) { return stream.consume(chunk); });
  stream.finish();
  return labels;
}

template Mat<float> load_idx_images<float>(const std::filesystem::path&, IdxImagesShape*,
                                           std::optional<Index>);
template Mat<double> load_idx_images<double>(const std::filesystem::path&, IdxImagesShape*,
                                             std::optional<Index>);

}  // namespace nnlab::data
