// Whole-file I/O. Writes are atomic (temporary file in the same folder + rename), so a
// killed run never leaves a half-written result behind.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nnlab {

// Reads a whole file; throws Error naming the file if it cannot be opened or read.
std::string read_file(const std::filesystem::path& path);

// Writes content to path atomically, creating parent folders; throws Error naming the file.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Replaces several files of `folder` as one: whenever the process dies, every name shows the
// content of the same call (e.g. a checkpoint and the log of the same epoch). Each call writes a
// fresh hidden snapshot folder, folder/.snapshot.N, then switches the symlink folder/.current to
// it with one rename; each name is a symlink to .current/name, so all names switch at once.
// All links are relative: the folder can be moved or copied (cp -r, tar). Older snapshots,
// including one a crash left half-written, are removed. Throws Error naming the folder.
void write_files_together(const std::filesystem::path& folder,
                          const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace nnlab
