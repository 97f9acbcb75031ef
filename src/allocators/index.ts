/** Registers every built-in allocator model. Import this module (not the registry) to get them all. */
import { registerModel } from './registry.ts';
import { bumpModel } from './bump/bump.ts';
import { glibcModel } from './glibc/glibc.ts';
import { mimallocModels } from './mimalloc/mimalloc.ts';
import { snmallocModels } from './snmalloc/model.ts';

registerModel(bumpModel);
registerModel(glibcModel);
for (const m of snmallocModels) registerModel(m);
for (const m of mimallocModels) registerModel(m);

export * from './registry.ts';
export * from './contract.ts';
