// The one pool of threads behind all of mlp's parallel work. BLAS runs with one
// thread inside it (never a pool on top of OpenBLAS's): a Dense layer splits each
// GEMM into slices (of its units, of the batch's rows, or of its inputs), each
// part calls sgemm on its slice and then runs the bias and activation over that
// slice while it is still in cache. At batch 32 this beats OpenBLAS's own
// threading, which hands off every call to an idle worker and leaves the passes
// between GEMMs on one core.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

namespace mlp::parallel {

// The pool's size, the calling thread included (1: everything runs inline). Also
// sets BLAS to one thread. Not to be called while parallel work runs.
void set_threads(int threads);
int threads();
// The cores this process may run on (its CPU affinity, as taskset or a container
// sets it): more threads than these only take turns.
int usable_cores();

// Below this many flops a range runs on the calling thread: waking the other
// threads costs about as much as the work.
inline constexpr double min_parallel_flops = 1 << 17;

namespace detail {
// Runs part(context, k) once for each k in [0, parts): the calling thread and the
// pool's threads each take the next part not yet taken until none is left, so
// when a thread is late (descheduled on a busy machine) another does its part.
// Returns when all are done. Called from inside a part, runs them all inline.
void run(std::size_t parts, void (*part)(void* context, std::size_t k), void* context);
std::size_t parts_for(std::size_t n, std::size_t align, double flops, std::size_t parts_per_thread);
}  // namespace detail

// Calls body(begin, end) for each range of a partition of [0, n) into contiguous
// ranges whose bounds are multiples of `align` (so that two threads write the
// same cache line of a row rarely or never): one range per thread, or up to
// `parts_per_thread` for work that costs nothing to split (elementwise loops),
// which the threads then share out as they finish. (GEMMs keep one range per
// thread: more, smaller ranges measured no faster, as each BLAS call packs its
// shared operand again.) `flops` estimates the whole range's work; small work
// runs inline as one range. A range's result does not depend on which thread
// computes it, and the ranges are the same for the same n and thread count, so
// results are reproducible. body must not throw.
template <class Body>
void for_ranges(std::size_t n, std::size_t align, double flops, Body&& body, std::size_t parts_per_thread = 1) {
  const std::size_t parts = detail::parts_for(n, align, flops, parts_per_thread);
  if (parts <= 1) {
    if (n > 0) body(std::size_t{0}, n);
    return;
  }
  struct Context {
    std::remove_reference_t<Body>* body;
    std::size_t n, parts, align;
  } context{&body, n, parts, align};
  detail::run(
      parts,
      [](void* raw, std::size_t k) {
        const auto& c = *static_cast<Context*>(raw);
        // Equal shares of the aligned units; the last range ends at n.
        const std::size_t units = (c.n + c.align - 1) / c.align;
        const std::size_t begin = std::min(c.n, units * k / c.parts * c.align);
        const std::size_t end = k + 1 == c.parts ? c.n : std::min(c.n, units * (k + 1) / c.parts * c.align);
        if (begin < end) (*c.body)(begin, end);
      },
      &context);
}

}  // namespace mlp::parallel
