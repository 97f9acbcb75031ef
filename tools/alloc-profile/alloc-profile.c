/*
 * alloc-profile: an LD_PRELOAD library that measures a single-threaded program's allocation
 * profile for allocsim's replay workloads (cfrac, espresso): for every block, its requested size,
 * how it was born (malloc/calloc/memalign, or realloc) and how it ended (free, realloc, or still
 * live at exit), and its lifetime counted in allocations made meanwhile. It prints a joint
 * histogram on exit. It forwards to glibc's own __libc_* entry points, so it needs glibc.
 *
 *   gcc -O2 -shared -fPIC -o alloc-profile.so alloc-profile.c
 *   ALLOC_PROFILE_OUT=prog.profile LD_PRELOAD=./alloc-profile.so ./prog args
 *
 * Output lines: `# key value` totals, then `born size bucket end count`, where born is m
 * (malloc-like) or r (realloc), end is f (free), r (realloc) or l (live at exit), and bucket b
 * holds lifetimes L with L = 0 for b = 0 and 2^(b-1) <= L < 2^b otherwise.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

#define LIVE_BITS 24
#define LIVE_CAP (1u << LIVE_BITS)
#define HIST_BITS 20
#define HIST_CAP (1u << HIST_BITS)

struct live { uintptr_t ptr; uint64_t birth; uint64_t size_born; };
struct hist { uint64_t key; uint64_t count; };

static struct live *live;
static struct hist *hist;
static uint64_t tick, n_malloc, n_calloc, n_realloc, n_free, n_memalign, live_count, live_bytes, peak_count, peak_bytes;
static int busy;

static void *map(size_t bytes) {
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) abort();
  return p;
}

static void init(void) {
  if (live == NULL) {
    live = map(sizeof(struct live) * LIVE_CAP);
    hist = map(sizeof(struct hist) * HIST_CAP);
  }
}

static uint32_t slot_of(uintptr_t p, uint32_t bits) { return (uint32_t)((p * 0x9E3779B97F4A7C15ull) >> (64 - bits)); }

static void hist_add(uint64_t key) {
  uint32_t i = slot_of(key + 1, HIST_BITS);
  while (hist[i].count != 0 && hist[i].key != key) i = (i + 1) & (HIST_CAP - 1);
  hist[i].key = key;
  hist[i].count++;
}

static void born(void *p, size_t size, int by_realloc) {
  if (p == NULL) return;
  uint32_t i = slot_of((uintptr_t)p, LIVE_BITS);
  while (live[i].ptr != 0) i = (i + 1) & (LIVE_CAP - 1);
  live[i].ptr = (uintptr_t)p;
  live[i].birth = ++tick;
  live[i].size_born = ((uint64_t)size << 1) | (uint64_t)by_realloc;
  live_count++;
  live_bytes += size;
  if (live_count > peak_count) peak_count = live_count;
  if (live_bytes > peak_bytes) peak_bytes = live_bytes;
}

static unsigned bucket(uint64_t l) { unsigned b = 0; while (l != 0) { b++; l >>= 1; } return b; }

/* key: size (40 bits) | bucket (7 bits) | born (1 bit) | end (2 bits) */
static void record(uint64_t size_born, uint64_t lifetime_bucket, unsigned end) {
  hist_add(((size_born >> 1) << 10) | (lifetime_bucket << 3) | ((size_born & 1) << 2) | end);
}

static void died(void *p, unsigned end) {
  uint32_t i = slot_of((uintptr_t)p, LIVE_BITS);
  while (live[i].ptr != (uintptr_t)p) {
    if (live[i].ptr == 0) return; /* allocated before we were loaded */
    i = (i + 1) & (LIVE_CAP - 1);
  }
  record(live[i].size_born, bucket(tick - live[i].birth), end);
  live_count--;
  live_bytes -= live[i].size_born >> 1;
  /* backward-shift deletion keeps linear probing correct */
  uint32_t j = i;
  for (;;) {
    j = (j + 1) & (LIVE_CAP - 1);
    if (live[j].ptr == 0) break;
    uint32_t k = slot_of(live[j].ptr, LIVE_BITS);
    if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) { live[i] = live[j]; i = j; }
  }
  live[i].ptr = 0;
}

void *malloc(size_t n) {
  void *p = __libc_malloc(n);
  if (!busy) { busy = 1; init(); n_malloc++; born(p, n, 0); busy = 0; }
  return p;
}

void *calloc(size_t a, size_t b) {
  void *p = __libc_calloc(a, b);
  if (!busy) { busy = 1; init(); n_calloc++; born(p, a * b, 0); busy = 0; }
  return p;
}

void *memalign(size_t al, size_t n) {
  void *p = __libc_memalign(al, n);
  if (!busy) { busy = 1; init(); n_memalign++; born(p, n, 0); busy = 0; }
  return p;
}

int posix_memalign(void **out, size_t al, size_t n) {
  void *p = memalign(al, n);
  if (p == NULL) return 12;
  *out = p;
  return 0;
}

void *aligned_alloc(size_t al, size_t n) { return memalign(al, n); }

void free(void *p) {
  if (p != NULL && !busy) { busy = 1; init(); n_free++; died(p, 0); busy = 0; }
  __libc_free(p);
}

void *realloc(void *old, size_t n) {
  if (old == NULL) return malloc(n);
  if (n == 0) { free(old); return NULL; }
  void *p = __libc_realloc(old, n);
  if (!busy && p != NULL) { busy = 1; init(); n_realloc++; died(old, 1); born(p, n, 1); busy = 0; }
  return p;
}

static void put(int fd, const char *s) { (void)!write(fd, s, strlen(s)); }

__attribute__((destructor)) static void dump(void) {
  busy = 1;
  init();
  const char *path = getenv("ALLOC_PROFILE_OUT");
  int fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : 2;
  if (fd < 0) return;
  for (uint32_t i = 0; i < LIVE_CAP; i++)
    if (live[i].ptr != 0) record(live[i].size_born, 127, 2);
  char line[160];
  snprintf(line, sizeof line, "# malloc %llu\n# calloc %llu\n# memalign %llu\n# realloc %llu\n# free %llu\n# peak_live_objects %llu\n# peak_live_bytes %llu\n",
           (unsigned long long)n_malloc, (unsigned long long)n_calloc, (unsigned long long)n_memalign, (unsigned long long)n_realloc,
           (unsigned long long)n_free, (unsigned long long)peak_count, (unsigned long long)peak_bytes);
  put(fd, line);
  for (uint32_t i = 0; i < HIST_CAP; i++) {
    if (hist[i].count == 0) continue;
    uint64_t k = hist[i].key;
    const char *ends = "frl";
    snprintf(line, sizeof line, "%c %llu %u %c %llu\n", (k >> 2) & 1 ? 'r' : 'm', (unsigned long long)(k >> 10),
             (unsigned)((k >> 3) & 127), ends[k & 3], (unsigned long long)hist[i].count);
    put(fd, line);
  }
  if (fd != 2) close(fd);
}
