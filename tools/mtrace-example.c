/* The program behind traces/mtrace/example.mtrace (written for allocsim):
 *   gcc -o mtrace-example tools/mtrace-example.c
 *   MALLOC_TRACE=traces/mtrace/example.mtrace LD_PRELOAD=libc_malloc_debug.so.0 ./mtrace-example
 * (glibc 2.34+ needs the preload; older glibc logs without it). */
#include <malloc.h>
#include <mcheck.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  mtrace();
  char *keep[64] = {0};
  for (int i = 0; i < 400; i++) {
    int k = (i * 37) % 64;
    if (keep[k] != NULL && i % 3 == 0) {
      keep[k] = realloc(keep[k], 64 + (i % 200));
    } else {
      free(keep[k]);
      keep[k] = (i % 5 == 0) ? calloc(4, 16 + i % 48) : malloc(24 + (i * 13) % 1000);
    }
    if (keep[k] != NULL) memset(keep[k], i, 8);
  }
  void *big = malloc(200000); /* above the mmap threshold */
  free(big);
  void *al = memalign(256, 100);
  free(al);
  for (int k = 0; k < 64; k++) free(keep[k]);
  muntrace();
  return 0;
}
