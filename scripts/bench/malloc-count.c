// Counts allocations for the in-process benchmarks (LD_PRELOAD; glibc): `authrpc bench
// dispatch-inproc` reads the process's count, `authrpc-allocs` (scripts/bench-allocs) the
// calling thread's, so that background threads never count. Every call goes on to
// glibc's own allocator; the counts are read through dlsym.
#include <stdatomic.h>
#include <stddef.h>
#include <errno.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static atomic_ulong count;
// initial-exec: this library is loaded at start-up, so its thread-local lives in the
// static TLS block and reading it never calls back into malloc.
static __thread unsigned long thread_count __attribute__((tls_model("initial-exec")));

unsigned long authrpc_malloc_count(void) { return atomic_load_explicit(&count, memory_order_relaxed); }
unsigned long authrpc_thread_malloc_count(void) { return thread_count; }

static inline void counted(void) {
  atomic_fetch_add_explicit(&count, 1, memory_order_relaxed);
  thread_count++;
}

void *malloc(size_t size) {
  counted();
  return __libc_malloc(size);
}

void *calloc(size_t n, size_t size) {
  counted();
  return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size) {
  counted();
  return __libc_realloc(p, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
  counted();
  return __libc_memalign(alignment, size);
}

void *memalign(size_t alignment, size_t size) {
  counted();
  return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
  counted();
  void *p = __libc_memalign(alignment, size);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
