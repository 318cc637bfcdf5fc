// Whole-file I/O. Writes are atomic (temporary file in the same folder + rename), so a
// killed run never leaves a half-written result behind.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace nnlab {

// Reads a whole file; throws Error naming the file if it cannot be opened or read.
std::string read_file(const std::filesystem::path& path);

// Writes content to path atomically, creating parent folders; throws Error naming the file.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace nnlab
