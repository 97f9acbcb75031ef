/**
 * Registers every built-in allocator model. Import this module (not the registry) to get them all.
 * The teaching models are registered in the order of the teaching ladder (docs/models/teaching.md).
 */
import { registerModel } from './registry.ts';
import { bumpModel } from './bump/bump.ts';
import { freelistModel } from './freelist/freelist.ts';
import { bucketsModel } from './buckets/buckets.ts';
import { buddyModel } from './buddy/buddy.ts';
import { tcacheModel } from './tcache/tcache.ts';
import { arenasModel } from './arenas/arenas.ts';
import { glibcModel } from './glibc/glibc.ts';
import { isoallocModel } from './isoalloc/isoalloc.ts';
import { feoramallocModel } from './feoramalloc/feoramalloc.ts';
import { feoramallocV2Model } from './feoramalloc-v2/feoramalloc-v2.ts';
import { snmallocModels } from './snmalloc/model.ts';
import { mimallocModels } from './mimalloc/mimalloc.ts';

registerModel(bumpModel);
registerModel(freelistModel);
registerModel(bucketsModel);
registerModel(buddyModel);
registerModel(tcacheModel);
registerModel(arenasModel);
registerModel(glibcModel);
registerModel(isoallocModel);
registerModel(feoramallocModel);
registerModel(feoramallocV2Model);
for (const m of snmallocModels) registerModel(m);
for (const m of mimallocModels) registerModel(m);

export * from './registry.ts';
export * from './kit/create-model.ts';
export * from './kit/contract.ts';
