/**
 * Named experiments. `batchit` is the main one: the BatchIt paper's comparison (Filardo & Parkinson,
 * ISMM'24): snmalloc and mimalloc, each with and without BatchIt, on snmalloc's msgpass benchmark
 * at 1, 2, 4 and 8 producer/consumer pairs, relative to plain snmalloc. It uses the models that are
 * registered; until the BatchIt models and msgpass exist it runs the teaching allocators on
 * `random` instead (and says so), and switches to the BatchIt grid as soon as they are registered.
 */
import { hasModel } from '../allocators/registry.ts';
import { lookupWorkload, workloadNames } from '../workloads/registry.ts';
import type { GridSpec } from './grid.ts';

export type PresetGrid = Pick<GridSpec, 'allocators' | 'workloads' | 'threads' | 'threadParams' | 'seeds' | 'params'> & {
  /** One line saying what runs and why. */
  note: string;
};

const BATCHIT_ALLOCATORS = ['snmalloc', 'snmalloc+batchit', 'mimalloc', 'mimalloc+batchit'];
const FALLBACK_ALLOCATORS = ['freelist', 'buckets', 'glibc', 'bump'];
const THREADS = [1, 2, 4, 8];

function declared(workload: string): string[] {
  return lookupWorkload(workload).info.params.map((p) => p.name);
}

/** The producer/consumer-pair axis of msgpass: `msgpass-N` means N producers and N consumers. */
function pairParams(workload: string): string[] | undefined {
  const ps = declared(workload);
  if (ps.includes('producers') && ps.includes('consumers')) return ['producers', 'consumers'];
  return ps.includes('threads') ? ['threads'] : undefined;
}

export function batchitPreset(seeds: number): PresetGrid {
  const seedList = Array.from({ length: seeds }, (_, i) => i + 1);
  const pairs = BATCHIT_ALLOCATORS.filter(hasModel);
  const hasPair = ['snmalloc', 'mimalloc'].some((m) => pairs.includes(m) && pairs.includes(`${m}+batchit`));
  const msgpass = workloadNames().includes('msgpass') ? pairParams('msgpass') : undefined;
  if (hasPair && msgpass !== undefined) {
    return {
      allocators: pairs,
      workloads: ['msgpass'],
      threads: THREADS,
      threadParams: msgpass,
      seeds: seedList,
      // msgpass-N is N producers and N consumers and no proxies (the paper's configuration).
      params: declared('msgpass').includes('proxies') ? [{ key: 'proxies', values: [0] }] : [],
      note: `BatchIt comparison: ${pairs.join(', ')} on msgpass at ${THREADS.join(', ')} producer/consumer pairs, relative to ${pairs[0]}`,
    };
  }
  const teaching = FALLBACK_ALLOCATORS.filter(hasModel);
  const missing = [...BATCHIT_ALLOCATORS.filter((m) => !hasModel(m)), ...(msgpass === undefined ? ['msgpass'] : [])];
  return {
    allocators: teaching,
    workloads: ['random'],
    threads: THREADS,
    threadParams: ['threads'],
    seeds: seedList,
    params: [{ key: 'ops', values: [5000] }],
    note: `the BatchIt grid needs ${missing.join(', ')} (not registered yet); running ${teaching.join(', ')} on random at ${THREADS.join(', ')} threads instead`,
  };
}
