// What this machine has, for refusing work that cannot fit before it starts.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <cstddef>

namespace mlp {

// The physical memory in bytes (0 when the system does not say).
inline double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? static_cast<double>(pages) * static_cast<double>(page_size) : 0.0;
}

// The address-space limit (ulimit -v) in bytes, 0 when there is none.
inline std::size_t address_space_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  return static_cast<std::size_t>(limit.rlim_cur);
}

// The memory a run may use, for refusing what cannot fit: the physical memory, or
// the address-space limit when that is lower. `what` names which, for messages;
// `bytes` is 0 when neither is known.
struct MemoryBound {
  double bytes;
  const char* what;
};
inline MemoryBound memory_bound() {
  const double physical = physical_memory_bytes(), limit = static_cast<double>(address_space_limit());
  if (limit > 0 && (physical <= 0 || limit < physical)) return {limit, "the address-space limit (ulimit -v)"};
  return {physical, "this machine's memory"};
}

}  // namespace mlp
