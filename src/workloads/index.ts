/** Registers every built-in workload. Import this module (not the registry) to get them all. */
import { registerWorkload } from './registry.ts';
import { randomWorkload } from './random.ts';

registerWorkload(randomWorkload);

export * from './registry.ts';
export * from './contract.ts';
