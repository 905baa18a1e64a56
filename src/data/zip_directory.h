// The members of a zip archive (PKWARE's APPNOTE.TXT, with its ZIP64
// extensions), as NumPy's .npz files are written: read from the central
// directory at the archive's end, each member's data located through its local
// header. Only what NumPy writes is taken: stored or deflated members, not
// encrypted, on one disk. Every offset and size is checked against the file's
// size before it is used; a member that claims to inflate to more than deflate
// can make of its bytes (1032:1) is refused.
#pragma once

#include <string>
#include <vector>

#include "data/byte_source.h"

namespace mlp {

struct ZipMember {
  std::string name;
  ByteSource::Member data;
};

std::vector<ZipMember> read_zip_directory(const std::string& path);

}  // namespace mlp
