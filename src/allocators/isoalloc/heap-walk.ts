/**
 * The heap walk for the checker and heap pictures (read with a quiet Cpu): free chunks of every zone
 * (bit pairs 00 and 01; canary chunks excluded), chunks waiting in the quarantine (cached: they are
 * freed at the next flush), and big zones on the free list.
 */
import type { Cpu } from '../../machine/cpu.ts';
import type { HeapRegion } from '../kit/contract.ts';
import { freeBigZones } from './big-zone.ts';
import { findZoneRange } from './free.ts';
import { B_SIZE, R_CHUNK_QUARANTINE, R_CHUNK_QUARANTINE_COUNT, R_ZONES_USED, S_ROOT, Z_CHUNK_COUNT, Z_CHUNK_SIZE } from './layout.ts';
import { findBigZone } from './big-zone.ts';
import type { IsoCtx } from './context.ts';
import { bitmapStart, userPagesStart, zoneAt } from './zone-fields.ts';

export function isoHeapWalk(ctx: IsoCtx, cpu: Cpu): HeapRegion[] {
  const root = cpu.load(ctx.statics + S_ROOT);
  if (root === 0) return [];
  const out: HeapRegion[] = [];
  const zonesUsed = cpu.load(root + R_ZONES_USED, 2);
  for (let i = 0; i < zonesUsed; i++) freeChunksOf(cpu, zoneAt(cpu, root, i), out);
  const q = cpu.load(root + R_CHUNK_QUARANTINE);
  const n = cpu.load(root + R_CHUNK_QUARANTINE_COUNT);
  for (let i = 0; i < n; i++) {
    const p = cpu.load(q + 8 * i);
    const z = findZoneRange(cpu, root, p);
    if (z !== 0) {
      out.push({ addr: p, size: cpu.load(z + Z_CHUNK_SIZE, 4), kind: 'cached' });
    } else {
      const big = findBigZone(ctx, cpu, root, p, false);
      if (big !== 0) out.push({ addr: p, size: cpu.load(big + B_SIZE, 8), kind: 'cached' });
    }
  }
  for (const [addr, size] of freeBigZones(cpu, root)) out.push({ addr, size, kind: 'free' });
  return out;
}

function freeChunksOf(cpu: Cpu, z: number, out: HeapRegion[]): void {
  const user = userPagesStart(cpu, z);
  const bitmap = bitmapStart(cpu, z);
  const chunk = cpu.load(z + Z_CHUNK_SIZE, 4);
  const count = cpu.load(z + Z_CHUNK_COUNT, 4);
  let runStart = -1;
  const close = (end: number): void => {
    if (runStart >= 0) out.push({ addr: user + runStart * chunk, size: (end - runStart) * chunk, kind: 'free' });
    runStart = -1;
  };
  for (let w = 0; w * 32 < count; w++) {
    const lo = cpu.load64(bitmap + 8 * w);
    const hi = cpu.hi;
    for (let k = 0; k < 32 && w * 32 + k < count; k++) {
      const pair = k < 16 ? (lo >>> (2 * k)) & 3 : (hi >>> (2 * (k - 16))) & 3;
      const free = pair === 0 || pair === 2; // in-use bit (the low one) clear, not a canary (11)
      const c = w * 32 + k;
      if (free && runStart < 0) runStart = c;
      else if (!free) close(c);
    }
  }
  close(count);
}
