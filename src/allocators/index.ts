/** Registers every built-in allocator model. Import this module (not the registry) to get them all. */
import { registerModel } from './registry.ts';
import { bumpModel } from './bump/bump.ts';
import { glibcModel } from './glibc/glibc.ts';

registerModel(bumpModel);
registerModel(glibcModel);

export * from './registry.ts';
export * from './contract.ts';
