/**
 * A segment's commit and purge masks (mimalloc src/segment.c, "Commit/Decommit ranges"): one bit per
 * 64 KiB, 512 bits as 16 32-bit words at `commit_mask` and `purge_mask` in the segment header.
 *
 * Freed spans are not returned to the OS at once: their bits join `purge_mask` with an expiry of
 * now + purge_delay (10 ms), extended by purge_extend_delay (1 ms) on each further free; reusing a
 * span clears its bits; `mi_segment_try_purge` purges what has expired (MADV_DONTNEED). Times are
 * the thread's simulated clock in ms.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { clockNow, type Mi } from './internal.ts';
import { osCommit, osPurge } from './os.ts';
import { COMMIT_SIZE, SEGMENT_HUGE, SLICE_SIZE, alignDown, alignUp } from './types.ts';

const WORDS = 16;

/** Bits [bit, bit+count) as (word, mask) pieces. */
function forBits(bit: number, count: number, fn: (word: number, mask: number) => void): void {
  let b = bit;
  let left = count;
  while (left > 0) {
    const pos = b % 32;
    const n = Math.min(left, 32 - pos);
    fn(Math.floor(b / 32), (n === 32 ? 0xffffffff : ((1 << n) - 1) << pos) >>> 0);
    b += n;
    left -= n;
  }
}

function anySet(cpu: Cpu, mask: number, bit: number, count: number): boolean {
  let any = false;
  forBits(bit, count, (w, mk) => {
    if ((cpu.load(mask + w * 4, 4) & mk) !== 0) any = true;
  });
  return any;
}

function allSet(cpu: Cpu, mask: number, bit: number, count: number): boolean {
  let all = true;
  forBits(bit, count, (w, mk) => {
    if ((cpu.load(mask + w * 4, 4) & mk) >>> 0 !== mk) all = false;
  });
  return all;
}

function setBits(cpu: Cpu, mask: number, bit: number, count: number, on: boolean): void {
  forBits(bit, count, (w, mk) => {
    const v = cpu.load(mask + w * 4, 4);
    cpu.store(mask + w * 4, (on ? v | mk : v & ~mk) >>> 0, 4);
  });
}

/** The runs of set bits of a mask over [bit, bit+count). */
function runsOf(cpu: Cpu, mask: number, bit: number, count: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = -1;
  for (let b = bit; b <= bit + count; b++) {
    const on = b < bit + count && ((cpu.load(mask + Math.floor(b / 32) * 4, 4) >>> (b % 32)) & 1) === 1;
    if (on && start < 0) start = b;
    if (!on && start >= 0) {
      runs.push([start, b - start]);
      start = -1;
    }
  }
  return runs;
}

export function maskIsEmpty(cpu: Cpu, mask: number): boolean {
  for (let w = 0; w < WORDS; w++) if (cpu.load(mask + w * 4, 4) !== 0) return false;
  return true;
}

function maskIsFull(cpu: Cpu, mask: number): boolean {
  for (let w = 0; w < WORDS; w++) if (cpu.load(mask + w * 4, 4) !== 0xffffffff) return false;
  return true;
}

/** Committed bytes of the segment (segment.c _mi_commit_mask_committed_size). */
export function committedSize(m: Mi, cpu: Cpu, segment: number, size: number): number {
  let n = 0;
  for (let w = 0; w < WORDS; w++) {
    let v = cpu.load(segment + m.layout.segment.commitMask + w * 4, 4);
    while (v !== 0) {
      n += v & 1;
      v >>>= 1;
    }
  }
  return (size / (WORDS * 32)) * n;
}

export function setMaskFull(cpu: Cpu, mask: number, full: boolean): void {
  cpu.fill(mask, WORDS * 4, full ? 0xff : 0, 0);
}

/**
 * segment.c mi_segment_commit_mask: the bit range of [p, p+size), conservative (inside) for purges,
 * liberal (covering) for commits; never the info slices; empty for huge segments.
 */
function rangeBits(m: Mi, cpu: Cpu, segment: number, conservative: boolean, p: number, size: number): [number, number] {
  const S = m.layout.segment;
  if (size === 0 || cpu.load(segment + S.kind, 4) === SEGMENT_HUGE) return [0, 0];
  const segstart = cpu.load(segment + S.infoSlices) * SLICE_SIZE;
  const segsize = cpu.load(segment + S.segmentSize);
  const pstart = p - segment;
  if (pstart >= segsize) return [0, 0];
  let start = conservative ? alignUp(pstart, COMMIT_SIZE) : alignDown(pstart, COMMIT_SIZE);
  let end = conservative ? alignDown(pstart + size, COMMIT_SIZE) : alignUp(pstart + size, COMMIT_SIZE);
  if (pstart >= segstart && start < segstart) start = segstart;
  if (end > segsize) end = segsize;
  if (end <= start) return [0, 0];
  return [start / COMMIT_SIZE, (end - start) / COMMIT_SIZE];
}

/** segment.c mi_segment_ensure_committed + mi_segment_commit: before a span is used again. */
export function segmentEnsureCommitted(m: Mi, cpu: Cpu, segment: number, p: number, size: number): void {
  const S = m.layout.segment;
  const commit = segment + S.commitMask;
  const purge = segment + S.purgeMask;
  if (maskIsFull(cpu, commit) && maskIsEmpty(cpu, purge)) return; // fully committed
  const [bit, count] = rangeBits(m, cpu, segment, false, p, size);
  if (count === 0) return;
  if (!allSet(cpu, commit, bit, count)) {
    osCommit(m, cpu, segment + bit * COMMIT_SIZE, count * COMMIT_SIZE);
    setBits(cpu, commit, bit, count, true);
  }
  // using part of a pending purge: assume more allocations are coming and push the purge back
  if (anySet(cpu, purge, bit, count)) cpu.store(segment + S.purgeExpire, clockNow(m, cpu) + m.cfg.purgeDelay);
  setBits(cpu, purge, bit, count, false);
}

/** segment.c mi_segment_purge: purge a range now. */
function segmentPurge(m: Mi, cpu: Cpu, segment: number, bit: number, count: number): void {
  const S = m.layout.segment;
  if (count === 0 || cpu.load(segment + S.allowPurge, 1) === 0) return;
  const commit = segment + S.commitMask;
  if (anySet(cpu, commit, bit, count)) {
    m.counters.add('segment.purges');
    if (osPurge(m, cpu, segment + bit * COMMIT_SIZE, count * COMMIT_SIZE)) setBits(cpu, commit, bit, count, false);
  }
  setBits(cpu, segment + S.purgeMask, bit, count, false);
}

/** segment.c mi_segment_schedule_purge: a freed span joins the purge mask with a delay. */
export function segmentSchedulePurge(m: Mi, cpu: Cpu, segment: number, p: number, size: number): void {
  const S = m.layout.segment;
  if (cpu.load(segment + S.allowPurge, 1) === 0) return;
  const [bit, count] = rangeBits(m, cpu, segment, true, p, size);
  if (count === 0) return;
  if (m.cfg.purgeDelay === 0) {
    segmentPurge(m, cpu, segment, bit, count);
    return;
  }
  // only purge what is committed
  const commit = segment + S.commitMask;
  const purge = segment + S.purgeMask;
  forBits(bit, count, (w, mk) => {
    const c = cpu.load(commit + w * 4, 4);
    const v = cpu.load(purge + w * 4, 4);
    cpu.store(purge + w * 4, (v | (c & mk)) >>> 0, 4);
  });
  const now = clockNow(m, cpu);
  const expire = cpu.load(segment + S.purgeExpire);
  if (expire === 0) {
    cpu.store(segment + S.purgeExpire, now + m.cfg.purgeDelay);
  } else if (expire <= now) {
    if (expire + m.cfg.purgeExtendDelay <= now) segmentTryPurge(m, cpu, segment, true);
    else cpu.store(segment + S.purgeExpire, now + m.cfg.purgeExtendDelay);
  } else {
    cpu.store(segment + S.purgeExpire, expire + m.cfg.purgeExtendDelay);
  }
}

/** segment.c mi_segment_try_purge: purge the mask once it has expired (or when forced). */
export function segmentTryPurge(m: Mi, cpu: Cpu, segment: number, force: boolean): void {
  const S = m.layout.segment;
  const purge = segment + S.purgeMask;
  if (cpu.load(segment + S.allowPurge, 1) === 0 || maskIsEmpty(cpu, purge)) return;
  if (!force && clockNow(m, cpu) < cpu.load(segment + S.purgeExpire)) return;
  const runs = runsOf(cpu, purge, 0, WORDS * 32);
  cpu.store(segment + S.purgeExpire, 0);
  setMaskFull(cpu, purge, false);
  for (const [bit, count] of runs) segmentPurge(m, cpu, segment, bit, count);
}
