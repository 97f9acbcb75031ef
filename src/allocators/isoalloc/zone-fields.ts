/**
 * Reading and writing an `iso_alloc_zone_t` in simulated memory (include/iso_alloc_ds.h), and the
 * MASK_PTRS handling of its two pointers (include/iso_alloc_internal.h MASK_ZONE_PTRS /
 * UNMASK_USER_PTR): `user_pages_start` and `bitmap_start` are stored XOR'd with the zone's
 * `pointer_mask` between operations.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { join64 } from '../shared/bits64.ts';
import {
  BAD_BIT_SLOT,
  R_ZONES,
  Z_BITMAP_START,
  Z_CHUNK_SIZE,
  Z_FREE_BIT_SLOTS,
  Z_POINTER_MASK,
  Z_USER_PAGES_START,
  ZONE_STRUCT_SIZE,
} from './layout.ts';

/** &_root->zones[i]. */
export function zoneAt(cpu: Cpu, root: number, i: number): number {
  return cpu.load(root + R_ZONES) + i * ZONE_STRUCT_SIZE;
}

function unmaskAt(cpu: Cpu, z: number, off: number): number {
  const lo = cpu.load64(z + off);
  const hi = cpu.hi;
  const mlo = cpu.load64(z + Z_POINTER_MASK);
  const mhi = cpu.hi;
  return join64((lo ^ mlo) >>> 0, (hi ^ mhi) >>> 0);
}

/** UNMASK_USER_PTR(zone). */
export function userPagesStart(cpu: Cpu, z: number): number {
  return unmaskAt(cpu, z, Z_USER_PAGES_START);
}

/** UNMASK_BITMAP_PTR(zone). */
export function bitmapStart(cpu: Cpu, z: number): number {
  return unmaskAt(cpu, z, Z_BITMAP_START);
}

/** MASK_ZONE_PTRS(zone) on a zone whose pointers are known: stores both masked. */
export function storeMaskedPointers(cpu: Cpu, z: number, user: number, bitmap: number): void {
  const mlo = cpu.load64(z + Z_POINTER_MASK);
  const mhi = cpu.hi;
  const u = split(user);
  const b = split(bitmap);
  cpu.store64(z + Z_USER_PAGES_START, (u[0] ^ mlo) >>> 0, (u[1] ^ mhi) >>> 0);
  cpu.store64(z + Z_BITMAP_START, (b[0] ^ mlo) >>> 0, (b[1] ^ mhi) >>> 0);
}

/**
 * One UNMASK_ZONE_PTRS or MASK_ZONE_PTRS of the real code: both pointer words are XOR'd in place
 * (read, write). The model keeps them masked functionally and charges the toggle's accesses.
 */
export function toggleMask(cpu: Cpu, z: number): void {
  const lo1 = cpu.load64(z + Z_USER_PAGES_START);
  const hi1 = cpu.hi;
  const lo2 = cpu.load64(z + Z_BITMAP_START);
  const hi2 = cpu.hi;
  cpu.load64(z + Z_POINTER_MASK);
  cpu.store64(z + Z_USER_PAGES_START, lo1, hi1);
  cpu.store64(z + Z_BITMAP_START, lo2, hi2);
}

export function chunkSize(cpu: Cpu, z: number): number {
  return cpu.load(z + Z_CHUNK_SIZE, 4);
}

/** zone->free_bit_slots[i] (an int64 at an unaligned address in the packed struct). */
export function slotAt(cpu: Cpu, z: number, i: number): number {
  return cpu.load(z + Z_FREE_BIT_SLOTS + 8 * i, 8);
}

export function setSlot(cpu: Cpu, z: number, i: number, v: number): void {
  cpu.store(z + Z_FREE_BIT_SLOTS + 8 * i, v, 8);
}

export function isBad(slot: number): boolean {
  return slot === BAD_BIT_SLOT;
}

function split(v: number): [number, number] {
  const hi = Math.floor(v / 4294967296);
  return [(v - hi * 4294967296) >>> 0, hi >>> 0];
}
