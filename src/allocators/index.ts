/** Registers every built-in allocator model. Import this module (not the registry) to get them all. */
import { registerModel } from './registry.ts';
import { bumpModel } from './bump/bump.ts';
import { isoallocModel } from './isoalloc/isoalloc.ts';

registerModel(bumpModel);
registerModel(isoallocModel);

export * from './registry.ts';
export * from './contract.ts';
