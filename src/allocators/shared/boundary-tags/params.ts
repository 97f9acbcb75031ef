/**
 * The parameters every boundary-tag model shares (freelist, arenas, tcache), and building a
 * TagHeap from them with a clear error for a bad combination.
 */
import { num, ParamError, requirePowerOfTwo, str, type ParamSpec } from '../../../lib/params.ts';
import type { ModelEnv } from '../../kit/contract.ts';
import { INSERT_POLICIES, type InsertPolicy } from './free-list.ts';
import { TagHeap, type TagHeapConfig } from './heap.ts';
import { MIN_BLOCK, TAG_BYTES } from './layout.ts';

export const TAG_HEAP_PARAMS: readonly ParamSpec[] = [
  {
    name: 'chunkKiB',
    type: 'int',
    default: 64,
    min: 8,
    max: 65536,
    description: 'size of each chunk mapped for a heap (a power of two; chunks are aligned to it)',
    source: 'xv6 umalloc.c morecore (the CH02 starter xv6_malloc.c): at least 4096 units of 16 bytes',
  },
  {
    name: 'mmapThreshold',
    type: 'int',
    default: 4096,
    min: 64,
    description: 'block sizes (request + 16 bytes of tags) at or above this are mapped directly and unmapped on free',
    source: 'HW08 spec, draft-hw/hw07/hw07.txt: requests of at least one page are mmapped',
  },
  {
    name: 'insert',
    type: 'enum',
    default: 'address',
    choices: INSERT_POLICIES,
    description: 'free-list order: address (HW08 spec; O(n) insert) or lifo (CSE 351 starter; O(1) insert)',
  },
];

/** Makes the heap; tests pass a factory to build a deliberately broken one. */
export type HeapFactory = (cfg: TagHeapConfig) => TagHeap;

export function tagHeapFrom(env: ModelEnv, name: string, make: HeapFactory = (c) => new TagHeap(c)): TagHeap {
  const chunkBytes = num(env.params, 'chunkKiB') * 1024;
  requirePowerOfTwo(`allocator ${name}`, 'chunkKiB', chunkBytes / 1024, 64);
  const mmapThreshold = num(env.params, 'mmapThreshold');
  if (mmapThreshold > chunkBytes / 2) {
    throw new ParamError(
      `allocator ${name}: parameter mmapThreshold=${mmapThreshold} must be at most half a chunk (${chunkBytes / 2}); raise chunkKiB or lower mmapThreshold`,
    );
  }
  return make({
    chunkBytes,
    mmapThreshold,
    insert: str(env.params, 'insert') as InsertPolicy,
    counters: env.counters,
    name,
    machine: env.machine,
  });
}

/** The constants a boundary-tag model shows in describe(). */
export function tagHeapConstants(heap: TagHeap): Record<string, number | string> {
  return {
    alignment: 16,
    tagBytes: TAG_BYTES,
    minBlockBytes: MIN_BLOCK,
    chunkBytes: heap.chunkBytes,
    mmapThresholdBytes: heap.mmapThreshold,
    insert: heap.insert,
    fit: 'first',
  };
}
