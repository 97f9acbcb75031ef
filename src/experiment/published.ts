/**
 * Published figures the simulator is held against (docs/fidelity.md): measurements of the real
 * allocators on real hardware, as their authors reported them. Data only: the simulated figures
 * beside them are always computed.
 */

/** snmalloc's msgpass, BatchIt's time change by producer/consumer pairs, in percent. */
export const MSGPASS_BATCHIT_CHANGE: Readonly<Record<number, number>> = {
  1: -15.4,
  2: -27.8,
  3: -25.4,
  4: -22.2,
  8: -13.1,
  16: -6.2,
  24: -5.0,
  32: -3.5,
};

/** snmalloc's msgpass without BatchIt at the benchmark's full size (2^20 batches per producer), seconds. */
export const MSGPASS_BASELINE_SECONDS: Readonly<Record<number, number>> = { 1: 0.29, 2: 1.5, 4: 1.7, 8: 2.6, 16: 4.7 };

export const MSGPASS_SOURCE =
  'snmalloc 0.7 release notes, docs/release/0.7/snmalloc-msgpass.svg (microsoft/snmalloc), as in the BatchIt paper (Filardo & Parkinson, ISMM 2024) fig. 4';

/** xmalloc-test, BatchIt's time change per allocator, in percent (paper §4.1-4.2, ±0.5 / ±0.5 / ±0.2). */
export const XMALLOC_BATCHIT_CHANGE: Readonly<Record<string, number>> = {
  snmalloc: -14.7,
  mimalloc: -9.9,
  'mimalloc-secure': -27.6,
};

export const XMALLOC_SOURCE = 'BatchIt paper (Filardo & Parkinson, ISMM 2024) §4.1-4.2, xmalloc-test on the Azure F72s v2';

/** The published change for `allocator` (a "+batchit" variant) against its base on msgpass with `pairs` pairs, if any. */
export function publishedMsgpassChange(allocator: string, pairs: number): number | undefined {
  return allocator === 'snmalloc+batchit' ? MSGPASS_BATCHIT_CHANGE[pairs] : undefined;
}

export const ISOALLOC_SOURCE = 'struct/isoalloc PERFORMANCE.md';

/**
 * IsoAlloc's 2020 comparison test (tests.c at 69d488e, 1,441,616 allocations a phase, on a t2.micro):
 * seconds per phase and page faults, IsoAlloc built with its zones pre-populated, against glibc.
 */
export const ISOALLOC_CMP_2020 = {
  isoalloc: { mallocSeconds: 0.368, callocSeconds: 0.534, reallocSeconds: 0.856, pageFaults: 182 },
  glibc: { mallocSeconds: 0.375, callocSeconds: 0.765, reallocSeconds: 0.833, pageFaults: 530_386 },
} as const;

/** mimalloc-bench's larsonN in PERFORMANCE.md: seconds (1e9 / throughput), IsoAlloc against mimalloc. */
export const LARSON_SECONDS = { isoalloc: 1328.9, mimalloc: 1.016 } as const;
