/**
 * `cfrac`: the continued-fraction factoring program of mimalloc-bench (daanx/mimalloc-bench
 * bench/cfrac; bench.sh: `cfrac 17545186520507317056371138836327483792789528`), replayed from its
 * measured allocation profile: 91.5 million allocations of small bignums (18 B 40%, 20/26/28 B
 * about 12% each, 10 B 11%), most dying within a few allocations; peak 24k live objects / 663 KB.
 * See docs/workloads/cfrac.md for how the profile was measured.
 */
import { CFRAC_PROFILE } from './data/cfrac-profile.ts';
import { profileWorkload } from './lib/profile-workload.ts';

export const cfracWorkload = profileWorkload({
  name: 'cfrac',
  summary: "replay of cfrac's measured allocation profile: tiny short-lived bignums, single-threaded",
  profile: CFRAC_PROFILE,
  sources: ['daanx/mimalloc-bench bench/cfrac/', 'daanx/mimalloc-bench bench.sh', 'tools/alloc-profile (measurement)'],
  defaultScale: 0.003,
  // valgrind --tool=cachegrind: instructions outside glibc's malloc/*.c per allocation event (docs/workloads/cfrac.md).
  computePerAlloc: 431,
  computeSource: 'cachegrind instruction count of the measured run (docs/workloads/cfrac.md)',
});
