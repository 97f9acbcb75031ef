/*
 * The operation sequence of allocsim's `glibc-simple` workload (src/workloads/glibc-simple.ts),
 * written for the project to time the real glibc natively and under Cachegrind on the same
 * sequence (bench/compare-cachegrind.ts). Usage: glibc-simple ITERATIONS
 *
 * For sizes s, 2s and 4s (s = 16): four phases (warm-up, main thread, a helper thread, main again),
 * each running n = 25, 100, 400, 1600 blocks for ITERATIONS / n rounds of: allocate n blocks
 * writing every byte, free the first half in order, then the second half in reverse.
 * Prints the number of allocator operations (mallocs + frees).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int ALLOCS[] = {25, 100, 400, 1600};
static long iterations;
static long ops;

static void rounds(void **arr, size_t size, int n, long iters) {
  for (long j = 0; j < iters; j++) {
    for (int i = 0; i < n; i++) {
      arr[i] = malloc(size);
      memset(arr[i], (int)i, size);
    }
    for (int i = 0; i < n / 2; i++) free(arr[i]);
    for (int i = n - 1; i >= n / 2; i--) free(arr[i]);
    ops += 2L * n;
  }
}

static void phase(void **arr, size_t size) {
  for (int k = 0; k < 4; k++) {
    long iters = iterations / ALLOCS[k];
    rounds(arr, size, ALLOCS[k], iters < 1 ? 1 : iters);
  }
}

struct job { void **arr; size_t size; };

static void *helper(void *p) {
  struct job *j = p;
  phase(j->arr, j->size);
  return NULL;
}

int main(int argc, char **argv) {
  iterations = argc > 1 ? atol(argv[1]) : 2000;
  for (size_t size = 16; size <= 64; size *= 2) {
    void **arr = malloc(1600 * sizeof(void *));
    phase(arr, size);
    phase(arr, size);
    struct job j = {arr, size};
    pthread_t t;
    pthread_create(&t, NULL, helper, &j);
    pthread_join(t, NULL);
    phase(arr, size);
    free(arr);
    ops += 2;
  }
  printf("%ld\n", ops);
  return 0;
}
