// What this machine has, for refusing work that cannot fit before it starts.
#pragma once

#include <unistd.h>

namespace mlp {

// The physical memory in bytes (0 when the system does not say).
inline double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? static_cast<double>(pages) * static_cast<double>(page_size) : 0.0;
}

}  // namespace mlp
