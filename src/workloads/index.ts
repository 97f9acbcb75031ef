/** Registers every built-in workload. Import this module (not the registry) to get them all. */
import { registerWorkload } from './registry.ts';
import { msgpassWorkload } from './msgpass.ts';
import { randomWorkload } from './random.ts';
import { startupWorkload } from './startup.ts';

registerWorkload(randomWorkload);
registerWorkload(msgpassWorkload);
registerWorkload(startupWorkload);

export * from './registry.ts';
export * from './contract.ts';
