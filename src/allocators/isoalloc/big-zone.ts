/**
 * Big zones, for requests above 64 KiB (src/iso_alloc.c _iso_big_alloc, iso_find_big_zone,
 * iso_free_big_zone). Each has its own page-rounded user mapping and a metadata record at a random
 * offset in a separate page, guarded by two canaries; records sit on a masked used list and a
 * masked free list (at most 64 entries, reused first-fit when the waste is at most 16 KiB, unmapped
 * after 16 uses). Both lists have their own mutex.
 */
import { A_LOCK_CONTENDED } from '../../machine/atomic-stats.ts';
import type { Cpu } from '../../machine/cpu.ts';
import { halves, join64 } from '../shared/bits64.ts';
import { checkBigCanary, load64u, store64u, writeBigCanaries } from './canary.ts';
import { count, hex, isoAbort, type IsoCtx } from './context.ts';
import {
  B_FREE,
  B_NEXT,
  B_SIZE,
  B_TTL,
  B_USER_PAGES_START,
  BIG_SZ_MAX,
  BIG_ZONE_ALLOC_RETIRE,
  BIG_ZONE_MAX_FREE_LIST,
  BIG_ZONE_STRUCT_SIZE,
  BIG_ZONE_WASTE,
  PAGE,
  R_BIG_ZONE_FREE,
  R_BIG_ZONE_FREE_COUNT,
  R_BIG_ZONE_FREE_MUTEX,
  R_BIG_ZONE_NEXT_MASK,
  R_BIG_ZONE_USED,
  R_BIG_ZONE_USED_COUNT,
  R_BIG_ZONE_USED_MUTEX,
  SMALL_SIZE_MAX,
  alignSzDown,
} from './layout.ts';
import { dontNeedPages, mmapPages, roundUpPage } from './os.ts';
import { usRand } from './random.ts';

function lock(ctx: IsoCtx, cpu: Cpu, addr: number): void {
  const before = cpu.machine.atomics[A_LOCK_CONTENDED] as number;
  cpu.lock(addr);
  count(ctx, cpu, 'bigZoneLockAcquisitions');
  if ((cpu.machine.atomics[A_LOCK_CONTENDED] as number) > before) count(ctx, cpu, 'bigZoneLockContended');
}

/** MASK_BIG_ZONE_NEXT / UNMASK_BIG_ZONE_NEXT: XOR with _root->big_zone_next_mask; NULL stays 0. */
function mask(cpu: Cpu, root: number, p: number): [number, number] {
  const mlo = cpu.load64(root + R_BIG_ZONE_NEXT_MASK);
  const mhi = cpu.hi;
  const [lo, hi] = halves(p);
  return [(lo ^ mlo) >>> 0, (hi ^ mhi) >>> 0];
}

function unmask(cpu: Cpu, root: number, lo: number, hi: number): number {
  const mlo = cpu.load64(root + R_BIG_ZONE_NEXT_MASK);
  const mhi = cpu.hi;
  return join64((lo ^ mlo) >>> 0, (hi ^ mhi) >>> 0);
}

/** A masked list head in the root (aligned) or a record's `next` (unaligned): the raw halves. */
function readHead(cpu: Cpu, a: number, aligned: boolean): [number, number] {
  if (aligned) {
    const lo = cpu.load64(a);
    return [lo, cpu.hi];
  }
  return load64u(cpu, a);
}

function writeHead(cpu: Cpu, a: number, v: [number, number], aligned: boolean): void {
  if (aligned) cpu.store64(a, v[0], v[1]);
  else store64u(cpu, a, v[0], v[1]);
}

function isNull(v: [number, number]): boolean {
  return v[0] === 0 && v[1] === 0;
}

function userOf(cpu: Cpu, big: number): number {
  const [lo, hi] = load64u(cpu, big + B_USER_PAGES_START);
  return join64(lo, hi);
}

/** _iso_big_alloc(size): reuse from the free list, else a new user mapping and metadata page. */
export function bigAlloc(ctx: IsoCtx, cpu: Cpu, root: number, request: number): number {
  cpu.path(ctx.paths.bigAlloc);
  const size = roundUpPage(request);
  if (size > BIG_SZ_MAX || request < SMALL_SIZE_MAX) return 0;
  lock(ctx, cpu, root + R_BIG_ZONE_FREE_MUTEX);
  let head = readHead(cpu, root + R_BIG_ZONE_FREE, true);
  let prev = 0;
  let big = isNull(head) ? 0 : unmask(cpu, root, head[0], head[1]);
  while (big !== 0) {
    if (cpu.load(big + B_FREE, 1) === 0) isoAbort('_iso_big_alloc', `Corrupted big zone free list, ${hex(big)} is in use`, big);
    checkBigCanary(ctx, cpu, root, big);
    const bsize = cpu.load(big + B_SIZE, 8);
    if (bsize >= size && bsize - size <= BIG_ZONE_WASTE * 2) {
      cpu.store(big + B_FREE, 0, 1);
      cpu.store(root + R_BIG_ZONE_FREE_COUNT, cpu.load(root + R_BIG_ZONE_FREE_COUNT, 4) - 1, 4);
      const next = readHead(cpu, big + B_NEXT, false);
      if (prev === 0) writeHead(cpu, root + R_BIG_ZONE_FREE, next, true);
      else writeHead(cpu, prev + B_NEXT, next, false);
      cpu.unlock(root + R_BIG_ZONE_FREE_MUTEX);
      pushUsed(ctx, cpu, root, big);
      cpu.store(big + B_TTL, cpu.load(big + B_TTL, 4) + 1, 4);
      ctx.counters.add('bigZonesReused');
      return userOf(cpu, big);
    }
    prev = big;
    head = readHead(cpu, big + B_NEXT, false);
    big = isNull(head) ? 0 : unmask(cpu, root, head[0], head[1]);
  }
  cpu.unlock(root + R_BIG_ZONE_FREE_MUTEX);

  const user = mmapPages(ctx, cpu, size, false, undefined, 'isoalloc big zone user data');
  const page = mmapPages(ctx, cpu, PAGE, false, undefined, 'isoalloc big zone metadata');
  // A random offset in the page: ((uint32)ALIGN_SZ_DOWN(r) * (page - (sizeof - 1))) >> 32.
  const r = Number(BigInt.asUintN(32, BigInt(alignSzDown(Number(usRand(cpu, root) & 0xffffffffn)))));
  const nb = page + Math.floor((r * (PAGE - (BIG_ZONE_STRUCT_SIZE - 1))) / 4294967296);
  cpu.store(nb + B_FREE, 0, 1);
  cpu.store(nb + B_SIZE, size, 8);
  store64u(cpu, nb + B_NEXT, 0, 0);
  cpu.store(nb + B_TTL, cpu.load(nb + B_TTL, 4) + 1, 4);
  const [ulo, uhi] = halves(user);
  store64u(cpu, nb + B_USER_PAGES_START, ulo, uhi);
  writeBigCanaries(cpu, root, nb, user);
  pushUsed(ctx, cpu, root, nb);
  ctx.counters.add('bigZonesCreated');
  return user;
}

function pushUsed(ctx: IsoCtx, cpu: Cpu, root: number, big: number): void {
  lock(ctx, cpu, root + R_BIG_ZONE_USED_MUTEX);
  writeHead(cpu, big + B_NEXT, readHead(cpu, root + R_BIG_ZONE_USED, true), false);
  writeHead(cpu, root + R_BIG_ZONE_USED, mask(cpu, root, big), true);
  cpu.store(root + R_BIG_ZONE_USED_COUNT, cpu.load(root + R_BIG_ZONE_USED_COUNT, 4) + 1, 4);
  cpu.unlock(root + R_BIG_ZONE_USED_MUTEX);
}

/**
 * iso_find_big_zone(p, remove): a linear walk of the used list, checking each record's canaries.
 * Model deviation: with remove=false (malloc_usable_size, realloc's size query) the real code still
 * unlinks a head match and cuts the list after the match (`big_zone->next = NULL`); the model does
 * not modify the list then (docs/models/isoalloc.md).
 */
export function findBigZone(ctx: IsoCtx, cpu: Cpu, root: number, p: number, remove: boolean): number {
  lock(ctx, cpu, root + R_BIG_ZONE_USED_MUTEX);
  let head = readHead(cpu, root + R_BIG_ZONE_USED, true);
  let prev = 0;
  let big = isNull(head) ? 0 : unmask(cpu, root, head[0], head[1]);
  while (big !== 0) {
    checkBigCanary(ctx, cpu, root, big);
    const user = userOf(cpu, big);
    if (p === user) {
      if (remove) {
        const next = readHead(cpu, big + B_NEXT, false);
        if (prev !== 0) writeHead(cpu, prev + B_NEXT, next, false);
        else writeHead(cpu, root + R_BIG_ZONE_USED, next, true);
        cpu.store(root + R_BIG_ZONE_USED_COUNT, cpu.load(root + R_BIG_ZONE_USED_COUNT, 4) - 1, 4);
        store64u(cpu, big + B_NEXT, 0, 0);
      }
      cpu.unlock(root + R_BIG_ZONE_USED_MUTEX);
      return big;
    }
    if (p > user && p < user + cpu.load(big + B_SIZE, 8)) {
      isoAbort('iso_find_big_zone', `Invalid free of big zone allocation at ${hex(p)} in mapping ${hex(user)}`, p);
    }
    prev = big;
    head = readHead(cpu, big + B_NEXT, false);
    big = isNull(head) ? 0 : unmask(cpu, root, head[0], head[1]);
  }
  cpu.unlock(root + R_BIG_ZONE_USED_MUTEX);
  return 0;
}

/**
 * iso_free_big_zone(big, false): onto the free list with MADV_FREE while it has room and the zone
 * has been used fewer than 16 times; otherwise munmap the user pages. The metadata page's
 * `munmap(big_zone, 1)` passes an address inside the page, which fails with EINVAL unless the
 * record happens to sit at the page start: the page normally stays mapped.
 */
export function freeBigZone(ctx: IsoCtx, cpu: Cpu, root: number, big: number): void {
  cpu.path(ctx.paths.bigFree);
  if (cpu.load(big + B_FREE, 1) === 1)
    isoAbort('iso_free_big_zone', `Double free of big zone ${hex(big)} has been detected!`, userOf(cpu, big));
  lock(ctx, cpu, root + R_BIG_ZONE_FREE_MUTEX);
  const count = cpu.load(root + R_BIG_ZONE_FREE_COUNT, 4);
  const size = cpu.load(big + B_SIZE, 8);
  const user = userOf(cpu, big);
  if (count < BIG_ZONE_MAX_FREE_LIST && cpu.load(big + B_TTL, 4) < BIG_ZONE_ALLOC_RETIRE) {
    cpu.store(big + B_FREE, 1, 1);
    dontNeedPages(cpu, user, size);
    writeHead(cpu, big + B_NEXT, readHead(cpu, root + R_BIG_ZONE_FREE, true), false);
    writeHead(cpu, root + R_BIG_ZONE_FREE, mask(cpu, root, big), true);
    cpu.store(root + R_BIG_ZONE_FREE_COUNT, count + 1, 4);
    cpu.unlock(root + R_BIG_ZONE_FREE_MUTEX);
    ctx.counters.add('bigZonesCached');
    return;
  }
  cpu.unlock(root + R_BIG_ZONE_FREE_MUTEX);
  cpu.munmap(user, size);
  if (big % PAGE === 0) cpu.munmap(big, 1);
  ctx.counters.add('bigZonesUnmapped');
}

/** The free list, for the heap walk: [user, size] of each cached big zone (quiet reads). */
export function freeBigZones(cpu: Cpu, root: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let head = readHead(cpu, root + R_BIG_ZONE_FREE, true);
  let big = isNull(head) ? 0 : unmask(cpu, root, head[0], head[1]);
  while (big !== 0) {
    out.push([userOf(cpu, big), cpu.load(big + B_SIZE, 8)]);
    head = readHead(cpu, big + B_NEXT, false);
    big = isNull(head) ? 0 : unmask(cpu, root, head[0], head[1]);
  }
  return out;
}
