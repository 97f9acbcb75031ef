/**
 * `espresso`: the Berkeley PLA minimiser of mimalloc-bench (daanx/mimalloc-bench bench/espresso;
 * bench.sh: `espresso bench/espresso/largest.espresso`), replayed from its measured allocation
 * profile: 33.2 million mallocs and 0.32 million reallocs, 48 B 37%, 16 B 32%, 56 B 14%, a tail to
 * 32–64 KiB; lifetimes spread roughly evenly over 1..2^12 allocations; peak 4.4k live objects /
 * 438 KB. See docs/workloads/espresso.md for how the profile was measured.
 */
import { ESPRESSO_PROFILE } from './data/espresso-profile.ts';
import { profileWorkload } from './lib/profile-workload.ts';

export const espressoWorkload = profileWorkload({
  name: 'espresso',
  summary: "replay of espresso's measured allocation profile: small sets with lifetimes up to thousands of allocations, some reallocs",
  profile: ESPRESSO_PROFILE,
  sources: ['daanx/mimalloc-bench bench/espresso/', 'daanx/mimalloc-bench bench.sh', 'tools/alloc-profile (measurement)'],
  defaultScale: 0.006,
  // valgrind --tool=cachegrind: instructions outside glibc's malloc/*.c per allocation event (docs/workloads/espresso.md).
  computePerAlloc: 860,
  computeSource: 'cachegrind instruction count of the measured run (docs/workloads/espresso.md)',
});
