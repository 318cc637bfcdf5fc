// IDX files, the MNIST format (LeCun et al.): a big-endian header — magic 00 00 <type> <ndims>,
// then ndims u32 sizes — followed by the row-major data. Images (type 0x08 = unsigned byte,
// ndims 3: N × rows × cols) load as X: (rows·cols) × N with pixels scaled to [0, 1], one
// image per column (its rows·cols bytes in row-major order); labels (ndims 1: N) as ints.
// Files may be gzip-compressed. Every error names the file and what is wrong.
#pragma once
#include <filesystem>
#include <optional>
#include <vector>

#include "nnlab/core/types.hpp"

namespace nnlab::data {

// Magic numbers of unsigned-byte images (3 dims) and labels (1 dim).
inline constexpr std::uint32_t idx_images_magic = 0x00000803;
inline constexpr std::uint32_t idx_labels_magic = 0x00000801;

struct IdxImagesShape {
  Index count = 0, rows = 0, cols = 0;
};

// X: (rows·cols) × N, x = byte / 255; shape gets the file's dimensions. With `first`, only the
// first min(first, N) images: the file is read only as far as they reach (its header checked,
// the rest neither decompressed nor checked); a file that ends before them still fails.
template <class Scalar>
Mat<Scalar> load_idx_images(const std::filesystem::path& path, IdxImagesShape* shape = nullptr,
                            std::optional<Index> first = std::nullopt);

// The labels (the first min(first, N) with `first`, as for images); count gets the file's N.
std::vector<int> load_idx_labels(const std::filesystem::path& path, Index* count = nullptr,
                                 std::optional<Index> first = std::nullopt);

}  // namespace nnlab::data
