/**
 * The header at the start of every page the `buckets` model maps, as the course notes put it
 * ("Where can we put the size field ...? At the beginning of the page ... store 'free' bits as a
 * bitmap at the beginning of the page"): free finds it by rounding the pointer down to the page.
 *
 *   bucket page:  +0 kind | +4 class | +8 next page | +16 prev page | +24 used | +28 capacity | +32 used bitmap ...
 *   large block:  +0 kind | +8 mapping base | +16 mapping length          (then the payload)
 *
 * A bucket page is on its class's list while it has a free slot.
 */
import type { Cpu } from '../../machine/cpu.ts';

export const KIND_BUCKET = 1;
export const KIND_LARGE = 2;
export const P_KIND = 0;
export const P_CLASS = 4;
export const P_NEXT = 8;
export const P_PREV = 16;
export const P_USED = 24;
export const P_CAP = 28;
export const P_BITMAP = 32;
export const P_BASE = 8;
export const P_LEN = 16;

const FULL_WORD = 0xffffffff;
const WORK_SCAN = 3;

/** First clear bit of the used bitmap (the caller knows the page has a free slot); sets it. Returns the slot. */
export function claimSlot(cpu: Cpu, page: number): number {
  for (let i = 0; ; i++) {
    cpu.work(WORK_SCAN);
    const addr = page + P_BITMAP + 4 * i;
    const w = cpu.load(addr, 4);
    if (w === FULL_WORD) continue;
    const free = ~w >>> 0;
    const bit = (free & -free) >>> 0; // lowest clear bit of w
    cpu.store(addr, (w | bit) >>> 0, 4);
    return 32 * i + 31 - Math.clz32(bit);
  }
}

/** Clears the slot's bit; returns false if it was already clear (a double free). */
export function releaseSlot(cpu: Cpu, page: number, slot: number): boolean {
  const addr = page + P_BITMAP + 4 * Math.floor(slot / 32);
  const bit = 2 ** (slot % 32);
  const w = cpu.load(addr, 4);
  if (Math.floor(w / bit) % 2 === 0) return false;
  cpu.store(addr, w - bit, 4);
  return true;
}

/** Whether the slot is in use (heap walks; charged like any read). */
export function slotUsed(cpu: Cpu, page: number, slot: number): boolean {
  const w = cpu.load(page + P_BITMAP + 4 * Math.floor(slot / 32), 4);
  return Math.floor(w / 2 ** (slot % 32)) % 2 === 1;
}
