// Whether this test binary runs under AddressSanitizer, which makes the programs
// it starts several times slower: long workloads are cut there, not skipped.
#pragma once

namespace mlp::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool sanitized = true;
#else
inline constexpr bool sanitized = false;
#endif
#else
inline constexpr bool sanitized = false;
#endif

}  // namespace mlp::test
