/** Registers every built-in workload. Import this module (not the registry) to get them all. */
import { registerWorkload } from './registry.ts';
import { randomWorkload } from './random.ts';
import { larsonWorkload } from './larson.ts';
import { cacheThrashWorkload } from './cache-thrash.ts';
import { cacheScratchWorkload } from './cache-scratch.ts';
import { sh6benchWorkload } from './sh6bench.ts';
import { sh8benchWorkload } from './sh8bench.ts';
import { glibcSimpleWorkload } from './glibc-simple.ts';
import { glibcThreadWorkload } from './glibc-thread.ts';
import { allocTestWorkload } from './alloc-test.ts';
import { mstressWorkload } from './mstress.ts';
import { rptestWorkload } from './rptest.ts';
import { mleakWorkload } from './mleak.ts';
import { mallocLargeWorkload } from './malloc-large.ts';
import { cfracWorkload } from './cfrac.ts';
import { espressoWorkload } from './espresso.ts';
import { xmallocTestWorkload } from './xmalloc-test.ts';

registerWorkload(randomWorkload);
registerWorkload(xmallocTestWorkload);
registerWorkload(larsonWorkload);
registerWorkload(cacheThrashWorkload);
registerWorkload(cacheScratchWorkload);
registerWorkload(sh6benchWorkload);
registerWorkload(sh8benchWorkload);
registerWorkload(glibcSimpleWorkload);
registerWorkload(glibcThreadWorkload);
registerWorkload(allocTestWorkload);
registerWorkload(mstressWorkload);
registerWorkload(rptestWorkload);
registerWorkload(mleakWorkload);
registerWorkload(mallocLargeWorkload);
registerWorkload(cfracWorkload);
registerWorkload(espressoWorkload);

export * from './registry.ts';
export * from './contract.ts';
