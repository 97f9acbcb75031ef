/**
 * The pagemap (src/snmalloc/ds/pagemap.h FlatPagemap, backend_helpers/pagemap.h BasicPagemap,
 * mem/metadata.h MetaEntryBase, docs/AddressSpace.md): one 16-byte entry per 16 KiB chunk of the
 * 48-bit address space, 2^34 entries = 256 GiB of address space reserved once (MAP_NORESERVE) at
 * global init and committed lazily: a page of entries faults in on first write.
 *
 *   word 1 `meta`                  FrontendSlabMetadata* (bit 0: META_BOUNDARY_BIT)
 *   word 2 `remote_and_sizeclass`  owning RemoteAllocator* | full sizeclass (bits 0-6); bit 7 marks
 *                                  an entry owned by the backend (buddy tree nodes live there)
 *
 * `body`, the table's address, is a global: every lookup loads it (an L1 hit in practice) and then
 * the entry's line. Before init it points at a constant zero entry, as in FlatPagemap.
 */
import type { Cpu } from '../../machine/cpu.ts';
import { PROT_NONE, PROT_READ, PROT_RW } from '../../machine/page-table.ts';
import { MIN_CHUNK_BITS, MIN_CHUNK_SIZE, OS_PAGE_SIZE, REMOTE_BACKEND_MARKER, nextPow2, type SnmallocConfig } from './config.ts';

export const ENTRY_BYTES = 16;
/** FlatPagemap::required_size for 48 address bits: 2^(48 - 14) entries of 16 bytes. */
export const PAGEMAP_REQUIRED = 2 ** (48 - MIN_CHUNK_BITS) * ENTRY_BYTES;
const META = 0;
const RAS = 8;
const BOUNDARY = 1;

export class Pagemap {
  constructor(
    private readonly cfg: SnmallocConfig,
    /** Static word holding `body` (constant-initialised to `zeroEntry`). */
    private readonly bodyPtr: number,
    /** A constant zero entry in static data (FlatPagemap::default_value). */
    readonly zeroEntry: number,
  ) {}

  /**
   * FlatPagemap::init: reserve the table (five times larger with random_pagemap, placed at a random
   * offset), exclude it from core dumps, and make the first page usable.
   */
  init(cpu: Cpu): void {
    const enforce = this.cfg.mit.palEnforceAccess;
    const extra = this.cfg.mit.randomPagemap ? nextPow2(PAGEMAP_REQUIRED) * 4 : 0;
    const request = PAGEMAP_REQUIRED + extra;
    const raw = cpu.mmap(request, { noreserve: true, prot: enforce ? PROT_NONE : PROT_RW, name: 'snmalloc:pagemap' });
    cpu.madvise(raw, request, 'dontdump');
    let body = raw;
    if (extra > 0) {
      const r = cpu.getrandom() * 2 ** 20 + (cpu.getrandom() & 0xfffff);
      body = raw + (r % extra) - ((r % extra) % ENTRY_BYTES);
    }
    if (enforce) {
      // notify_using_readonly over the table, then notify_using on its first page.
      const start = Math.floor(body / OS_PAGE_SIZE) * OS_PAGE_SIZE;
      const end = Math.ceil((body + PAGEMAP_REQUIRED) / OS_PAGE_SIZE) * OS_PAGE_SIZE;
      cpu.mprotect(start, end - start, PROT_READ);
      cpu.mprotect(start, OS_PAGE_SIZE, PROT_RW);
    }
    cpu.store(this.bodyPtr, body);
  }

  isInitialised(cpu: Cpu): boolean {
    return cpu.load(this.bodyPtr) !== this.zeroEntry;
  }

  /** Address of the entry for `addr` (loads `body`). Before init, the constant zero entry. */
  entry(cpu: Cpu, addr: number): number {
    const body = cpu.load(this.bodyPtr);
    if (body === this.zeroEntry) return body;
    // The entry's address comes from the pointer's value (a shift): it waits for a pointer still being loaded.
    return cpu.derive(addr, body + Math.floor(addr / MIN_CHUNK_SIZE) * ENTRY_BYTES);
  }

  /** get_remote: word 2 aligned down to 128 (the backend marker bit is not cleared, as in metadata.h). */
  static remoteOf(ras: number): number {
    return ras - (ras % REMOTE_BACKEND_MARKER);
  }

  static sizeclassOf(ras: number): number {
    return ras % REMOTE_BACKEND_MARKER;
  }

  static isBackendOwned(ras: number): boolean {
    return Math.floor(ras / REMOTE_BACKEND_MARKER) % 2 === 1;
  }

  loadRas(cpu: Cpu, e: number): number {
    return cpu.load(e + RAS);
  }

  loadMeta(cpu: Cpu, e: number): number {
    const m = cpu.load(e + META);
    return m - (m % 2);
  }

  /** set_metaentry: writes the same entry for every 16 KiB chunk of [addr, addr + size). */
  set(cpu: Cpu, addr: number, size: number, meta: number, ras: number): void {
    const body = cpu.load(this.bodyPtr);
    for (let a = addr; a < addr + size; a += MIN_CHUNK_SIZE) {
      const e = body + Math.floor(a / MIN_CHUNK_SIZE) * ENTRY_BYTES;
      // MetaEntryBase::operator= keeps the boundary bit of the target.
      const old = cpu.load(e + META);
      cpu.store(e + META, meta + (old % 2 === 1 ? BOUNDARY : 0));
      cpu.store(e + RAS, ras);
    }
  }

  /**
   * BasicPagemap::register_range: notify_using the pages of entries covering the range (a no-op on
   * Linux fast builds; mprotect with pal_enforce_access) and MADV_DODUMP them.
   */
  registerRange(cpu: Cpu, base: number, size: number): void {
    const body = cpu.load(this.bodyPtr);
    const first = body + Math.floor(base / MIN_CHUNK_SIZE) * ENTRY_BYTES;
    const last = body + Math.floor((base + size + MIN_CHUNK_SIZE - 1) / MIN_CHUNK_SIZE) * ENTRY_BYTES;
    const start = Math.floor(first / OS_PAGE_SIZE) * OS_PAGE_SIZE;
    const end = Math.ceil(last / OS_PAGE_SIZE) * OS_PAGE_SIZE;
    if (this.cfg.mit.palEnforceAccess) cpu.mprotect(start, end - start, PROT_RW);
    cpu.madvise(start, end - start, 'dodump');
  }

  /** claim_for_backend: word 1 keeps only the boundary bit, word 2 = REMOTE_BACKEND_MARKER. */
  claimForBackend(cpu: Cpu, e: number): void {
    const old = cpu.load(e + META);
    cpu.store(e + META, old % 2);
    cpu.store(e + RAS, REMOTE_BACKEND_MARKER);
  }
}
