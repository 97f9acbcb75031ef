/** Registers every built-in allocator model. Import this module (not the registry) to get them all. */
import { registerModel } from './registry.ts';
import { bumpModel } from './bump/bump.ts';
import { glibcModel } from './glibc/glibc.ts';
import { isoallocModel } from './isoalloc/isoalloc.ts';
import { feoramallocModel } from './feoramalloc/feoramalloc.ts';
import { feoramallocV2Model } from './feoramalloc-v2/feoramalloc-v2.ts';

registerModel(bumpModel);
registerModel(glibcModel);
registerModel(isoallocModel);
registerModel(feoramallocModel);
registerModel(feoramallocV2Model);

export * from './registry.ts';
export * from './contract.ts';
