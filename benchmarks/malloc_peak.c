/* Peak bytes in use through malloc, for benchmarks/cpu_workloads.py's working-memory column.
 *
 * Built as a shared library and LD_PRELOADed into a child process, it wraps the C allocator
 * (glibc's __libc_* entry points underneath) and keeps the bytes in use (malloc_usable_size of
 * each live block) and their peak. malloc_peak_reset() sets the peak to the bytes in use now and
 * returns them; malloc_peak() returns the peak since. It wraps every allocator glibc's manual
 * says a replacement malloc must provide, and reallocarray. Memory a library maps itself (mmap) is
 * not counted. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);
extern void __libc_free(void *);

static _Atomic long long in_use, peak;

static void *counted(void *p) {
    if (p) {
        long long size = (long long)malloc_usable_size(p);
        long long n = atomic_fetch_add(&in_use, size) + size;
        long long seen = atomic_load(&peak);
        while (n > seen && !atomic_compare_exchange_weak(&peak, &seen, n)) {
        }
    }
    return p;
}

static void uncounted(void *p) {
    if (p) atomic_fetch_sub(&in_use, (long long)malloc_usable_size(p));
}

void *malloc(size_t n) { return counted(__libc_malloc(n)); }
void *calloc(size_t count, size_t n) { return counted(__libc_calloc(count, n)); }
void *memalign(size_t alignment, size_t n) { return counted(__libc_memalign(alignment, n)); }
void *aligned_alloc(size_t alignment, size_t n) { return counted(__libc_memalign(alignment, n)); }
void *valloc(size_t n) { return counted(__libc_valloc(n)); }
void *pvalloc(size_t n) { return counted(__libc_pvalloc(n)); }
void free(void *p) {
    uncounted(p);
    __libc_free(p);
}

void *realloc(void *p, size_t n) {
    long long before = p ? (long long)malloc_usable_size(p) : 0;
    void *q = __libc_realloc(p, n);
    if (q || n == 0) atomic_fetch_sub(&in_use, before); /* (failed: p is still live, still counted) */
    return counted(q);
}

void *reallocarray(void *p, size_t count, size_t n) {
    size_t bytes;
    if (__builtin_mul_overflow(count, n, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, bytes);
}

int posix_memalign(void **out, size_t alignment, size_t n) {
    if (alignment % sizeof(void *) || (alignment & (alignment - 1))) return EINVAL;
    void *p = __libc_memalign(alignment, n);
    if (!p) return ENOMEM;
    *out = counted(p);
    return 0;
}

long long malloc_peak_reset(void) {
    long long now = atomic_load(&in_use);
    atomic_store(&peak, now);
    return now;
}

long long malloc_peak(void) { return atomic_load(&peak); }
