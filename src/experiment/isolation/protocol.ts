/**
 * The calls across the boundary between the simulator's realm and a model's realm (realm.ts and
 * realm-entry.ts): only numbers, strings and booleans cross it, never an object, so neither side
 * can reach the other's globals or prototypes through what it is given.
 */
import { ALLOCATION_METHODS } from '../../allocators/kit/contract.ts';

/** Calls into the model's realm (the dispatcher); the names are what a limit message says. */
export const DISPATCH = ['import', 'info', 'create', ...ALLOCATION_METHODS, 'threadStart', 'threadExit', 'describe', 'heapWalk'] as const;
export type DispatchName = (typeof DISPATCH)[number];
export const D_IMPORT = 0;
export const D_INFO = 1;
export const D_CREATE = 2;
export const D_DESCRIBE = 10;
export const D_HEAPWALK = 11;
/** The model methods the dispatcher calls by index (malloc .. heapWalk). */
export const MODEL_METHODS = DISPATCH.slice(3);

/** Objects of the simulator's realm the model's realm names by number. */
export const K_CPU = 0;
export const K_MACHINE = 1;
export const K_COUNTERS = 2;
/** The bridge's own requests: register the dispatcher, describe the last host error. */
export const K_SYSTEM = 3;

/** Cpu methods a model may call, by index; all take and return numbers (madvise's advice is a string, mmap's options a JSON string). */
export const CPU_METHODS = [
  'load',
  'store',
  'load64',
  'store64',
  'touch',
  'fill',
  'copy',
  'prefetch',
  'atomicLoad',
  'atomicStore',
  'fence',
  'cas',
  'exchange',
  'fetchAdd',
  'fetchOr',
  'fetchAnd',
  'fetchOr64',
  'fetchAnd64',
  'lock',
  'tryLock',
  'unlock',
  'path',
  'work',
  'mmap',
  'munmap',
  'mremap',
  'madvise',
  'mprotect',
  'mlock',
  'sbrk',
  'getrandom',
  'random32',
  'derive',
  'use',
  'serialize',
  // properties, read (and `now` written) through the bridge
  'getNow',
  'setNow',
  'getHi',
  'getTls',
  'getThread',
  'getCore',
  'getMachine',
] as const;
export const MACHINE_METHODS = ['staticData', 'peek', 'poke', 'tlsBase', 'pathId', 'spec'] as const;
export const COUNTER_METHODS = ['add', 'set', 'max', 'get', 'record'] as const;
export const SYSTEM_METHODS = ['register', 'lastError'] as const;
