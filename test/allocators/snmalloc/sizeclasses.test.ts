/**
 * The size-class table against snmalloc's, as printed by a program compiled against snmalloc 0.7
 * (src/snmalloc/ds/sizeclasstable.h).
 */
import { describe, expect, it } from 'vitest';
import { createModel, modelInfo } from '../../../src/allocators/index.ts';
import { Machine, machinePreset } from '../../../src/machine/index.ts';

const SIZES = [
  16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584,
  4096, 5120, 6144, 7168, 8192, 10240, 12288, 14336, 16384, 20480, 24576, 28672, 32768, 40960, 49152, 57344, 65536,
];
const KiB = 1024;
// Fast build: slab KiB, capacity, waking threshold per class (the reference's table).
const FAST_SLAB = [...Array(28).fill(16), 32, 32, 32, 32, 64, 64, 64, 64, 128, 128, 128, 128, 256, 256, 256, 256];
const FAST_CAP = [
  1024, 512, 341, 256, 204, 170, 146, 128, 102, 85, 73, 64, 51, 42, 36, 32, 25, 21, 18, 16, 12, 10, 9, 8, 6, 5, 4, 4, 6, 5, 4, 4, 6, 5, 4,
  4, 6, 5, 4, 4, 6, 5, 4, 4,
];
const FAST_WAKE = [
  32, 32, 32, 32, 32, 32, 32, 32, 25, 21, 18, 16, 12, 10, 9, 8, 6, 5, 4, 4, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1,
];
// Check build.
const CHECK_SLAB = [
  ...Array(20).fill(16),
  32,
  32,
  32,
  32,
  64,
  64,
  64,
  64,
  128,
  128,
  128,
  128,
  256,
  256,
  256,
  256,
  512,
  512,
  512,
  512,
  1024,
  1024,
  1024,
  1024,
];
const CHECK_CAP = [
  1024,
  512,
  341,
  256,
  204,
  170,
  146,
  128,
  102,
  85,
  73,
  64,
  51,
  42,
  36,
  32,
  25,
  21,
  18,
  16,
  ...Array(6).fill([25, 21, 18, 16]).flat(),
];
const CHECK_WAKE = [256, 128, 85, 64, 51, 42, 36, 32, 25, 21, 18, 16, 12, 10, 9, 8, 6, 5, 4, 4, ...Array(6).fill([6, 5, 4, 4]).flat()];

function describeModel(name: string) {
  return createModel(modelInfo(name), new Machine(machinePreset('default'))).describe();
}

describe('snmalloc size classes', () => {
  it.each([
    ['snmalloc', FAST_SLAB, FAST_CAP, FAST_WAKE],
    ['snmalloc+batchit', FAST_SLAB, FAST_CAP, FAST_WAKE],
    ['snmalloc-secure', CHECK_SLAB, CHECK_CAP, CHECK_WAKE],
    ['snmalloc-secure+batchit', CHECK_SLAB, CHECK_CAP, CHECK_WAKE],
  ])('%s: 44 classes with the reference slab sizes, capacities and wake thresholds', (name, slab, cap, wake) => {
    const d = describeModel(name as string);
    expect(d.sizeClasses.map((c) => c.size)).toEqual(SIZES);
    expect(d.sizeClasses.map((c) => c.slabBytes)).toEqual((slab as number[]).map((k) => k * KiB));
    expect(d.sizeClasses.map((c) => c.capacity)).toEqual(cap);
    expect(d.sizeClasses.map((c) => c.wakeThreshold)).toEqual(wake);
  });

  it('MAX_SLAB_SPAN_BITS is 18 in fast builds and 20 in check builds', () => {
    expect(describeModel('snmalloc').constants.maxSlabSpanBits).toBe(18);
    expect(describeModel('snmalloc-secure').constants.maxSlabSpanBits).toBe(20);
  });

  it('BatchIt is on exactly in the +batchit variants, which have room for a BatchedRemoteMessage', () => {
    expect(describeModel('snmalloc').constants.batchitRings).toBe(0);
    expect(describeModel('snmalloc+batchit').constants.batchitRings).toBe(9);
    expect(describeModel('snmalloc-secure').constants.batchitRings).toBe(0);
    const s = describeModel('snmalloc-secure+batchit').constants;
    expect([s.batchitRings, s.minAllocSize, s.remoteMessageLinkOffset]).toEqual([9, 32, 16]);
    expect(() => createModel(modelInfo('snmalloc-secure'), new Machine(machinePreset('default')), { batchit: true })).toThrow(
      /minAllocSize=32/,
    );
  });

  it('with MIN_ALLOC_SIZE 32 the smallest requests are served from the 32-byte class', () => {
    const m = new Machine(machinePreset('default'));
    const model = createModel(modelInfo('snmalloc-secure+batchit'), m);
    const cpu = m.cpu(0, 0);
    const p = model.malloc(cpu, 1);
    expect(model.usableSize(cpu, p)).toBe(32);
  });
});
