// Transparent gzip: data files may be stored raw or gzip-compressed (RFC 1952). A file is
// gzip iff it starts with the magic bytes 1f 8b, whatever its name; concatenated gzip
// members (as `cat a.gz b.gz` makes) decompress to the concatenation of their contents.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace nnlab::data {

// True iff bytes start with the gzip magic 1f 8b.
bool is_gzip(std::string_view bytes);

// Decompresses a gzip stream; `source` names the file in error messages (corrupt data,
// truncated stream, trailing bytes that are not another gzip member).
std::string gunzip(std::string_view bytes, const std::filesystem::path& source);

// Streaming form: calls sink with consecutive pieces of the decompressed data, so a large
// file can be converted without holding its decompressed copy in memory. A sink that needs no
// more returns false: decompression stops there, and the rest is neither decompressed nor
// checked.
using ChunkSink = std::function<bool(std::string_view chunk)>;
void gunzip(std::string_view bytes, const std::filesystem::path& source, const ChunkSink& sink);

// Compresses bytes into one gzip member (zlib's default level).
std::string gzip(std::string_view bytes);

// Reads a whole file, decompressing it if it is gzip; errors name the file.
std::string read_maybe_gzip(const std::filesystem::path& path);

// Streaming form of read_maybe_gzip: the (decompressed) content goes to sink in pieces.
void read_maybe_gzip(const std::filesystem::path& path, const ChunkSink& sink);

}  // namespace nnlab::data
