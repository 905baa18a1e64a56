#include "core/parallel.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <immintrin.h>
#include <sched.h>

#include "core/blas.h"

namespace mlp::parallel {
namespace {

thread_local bool inside_part = false;

// Workers spin for a while after each job, because the next one follows within
// microseconds during training (one per layer and pass); then they sleep, so an
// idle pool costs nothing.
constexpr auto spin_before_sleep = std::chrono::microseconds(200);

// A waiting thread pauses the core, or, when the pool has more threads than the
// process has cores, gives its core to a thread that has work.
void wait_a_moment(bool oversubscribed) {
  if (oversubscribed) std::this_thread::yield();
  else _mm_pause();
}

class Pool {
 public:
  explicit Pool(int threads) : oversubscribed_(threads > usable_cores()) {
    // Workers compute as the creating thread does (flush-to-zero, rounding).
    const unsigned float_control = _mm_getcsr();
    for (int w = 1; w < threads; ++w)
      workers_.emplace_back([this, float_control] {
        _mm_setcsr(float_control);
        work();
      });
  }
  ~Pool() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }
  std::size_t size() const { return workers_.size() + 1; }

  void run(std::size_t parts, void (*part)(void*, std::size_t), void* context) {
    part_ = part;
    context_ = context;
    parts_ = parts;
    next_part_.store(0, std::memory_order_relaxed);
    pending_.store(static_cast<int>(workers_.size()));
    generation_.fetch_add(1);  // seq_cst: pairs with a sleeper's check below
    if (sleepers_.load() > 0) {
      std::lock_guard lock(mutex_);  // a worker between its check and its wait holds this
      wake_.notify_all();
    }
    inside_part = true;
    take_parts();
    inside_part = false;
    while (pending_.load(std::memory_order_acquire) != 0) wait_a_moment(oversubscribed_);
  }

 private:
  void work() {
    inside_part = true;
    std::uint64_t seen = 0;
    for (;;) {
      wait_for_job(seen);
      if (quit_) return;
      seen = generation_.load(std::memory_order_acquire);
      take_parts();
      pending_.fetch_sub(1, std::memory_order_release);
    }
  }

  void take_parts() {
    for (std::size_t k; (k = next_part_.fetch_add(1, std::memory_order_relaxed)) < parts_;) part_(context_, k);
  }

  void wait_for_job(std::uint64_t seen) {
    const auto give_up = std::chrono::steady_clock::now() + spin_before_sleep;
    for (int spins = 0; generation_.load(std::memory_order_acquire) == seen; ++spins) {
      wait_a_moment(oversubscribed_);
      if (spins % 256 == 255 && std::chrono::steady_clock::now() > give_up) {
        std::unique_lock lock(mutex_);
        sleepers_.fetch_add(1);
        wake_.wait(lock, [&] { return generation_.load() != seen; });
        sleepers_.fetch_sub(1);
        return;
      }
    }
  }

  const bool oversubscribed_;
  std::vector<std::thread> workers_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> quit_{false};
  // The job: written before generation_ changes, read after a worker sees it.
  void (*part_)(void*, std::size_t) = nullptr;
  void* context_ = nullptr;
  std::size_t parts_ = 0;
  std::atomic<std::size_t> next_part_{0};
};

std::unique_ptr<Pool>& pool() {
  static std::unique_ptr<Pool> instance;
  return instance;
}

}  // namespace

void set_threads(int threads) {
  threads = std::max(threads, 1);
  blas::set_threads(1);
  auto& p = pool();
  if (p && static_cast<int>(p->size()) == threads) return;
  p.reset();
  if (threads > 1) p = std::make_unique<Pool>(threads);
}

int threads() { return pool() ? static_cast<int>(pool()->size()) : 1; }

int usable_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

namespace detail {

std::size_t parts_for(std::size_t n, std::size_t align, double flops, std::size_t parts_per_thread) {
  if (!pool() || inside_part || flops < min_parallel_flops) return 1;
  const std::size_t units = (n + align - 1) / align;
  return std::min(pool()->size() * std::max<std::size_t>(parts_per_thread, 1), units);
}

void run(std::size_t parts, void (*part)(void*, std::size_t), void* context) { pool()->run(parts, part, context); }

}  // namespace detail
}  // namespace mlp::parallel
