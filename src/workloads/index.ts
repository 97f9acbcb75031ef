/** Registers every built-in workload. Import this module (not the registry) to get them all. */
import { registerWorkload } from './registry.ts';
import { randomWorkload } from './random.ts';
import { larsonWorkload } from './larson.ts';
import { cacheThrashWorkload } from './cache-thrash.ts';
import { cacheScratchWorkload } from './cache-scratch.ts';
import { xmallocTestWorkload } from './xmalloc-test.ts';

registerWorkload(randomWorkload);
registerWorkload(xmallocTestWorkload);
registerWorkload(larsonWorkload);
registerWorkload(cacheThrashWorkload);
registerWorkload(cacheScratchWorkload);

export * from './registry.ts';
export * from './contract.ts';
