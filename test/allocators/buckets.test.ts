/** buckets: size classes of powers of two and halves, a page per bucket with its header at the page start. */
import { describe, expect, it } from 'vitest';
import type { Buckets } from '../../src/allocators/buckets/buckets.ts';
import { KIND_BUCKET, P_CLASS, P_KIND, P_USED } from '../../src/allocators/buckets/page.ts';
import { rig } from './rig.ts';

const PAGE = 4096;

describe('buckets', () => {
  it('has classes of powers of two and the half points, 16-byte multiples up to a quarter page', () => {
    const r = rig<Buckets>('buckets');
    expect(r.model.classes.map((c) => c.size)).toEqual([16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024]);
    const usable = [1, 17, 33, 49, 65, 100, 129, 1000].map((n) => r.model.usableSize(r.quiet, r.malloc(n)));
    expect(usable).toEqual([16, 32, 48, 64, 96, 128, 192, 1024]);
  });

  it('puts objects of one class in one page, after a header at the page start', () => {
    const r = rig<Buckets>('buckets');
    const ps = [r.malloc(20), r.malloc(30), r.malloc(32)];
    const page = (ps[0] as number) - ((ps[0] as number) % PAGE);
    expect(ps).toEqual([page + 64, page + 96, page + 128]);
    expect(r.machine.peek(page + P_KIND, 4)).toBe(KIND_BUCKET);
    expect(r.machine.peek(page + P_CLASS, 4)).toBe(1); // the 32-byte class
    expect(r.machine.peek(page + P_USED, 4)).toBe(3);
    const q = r.malloc(40);
    expect(q - (q % PAGE)).not.toBe(page); // another class, another page
  });

  it('reuses a freed slot: the lowest clear bit of the bitmap', () => {
    const r = rig<Buckets>('buckets');
    const ps = [r.malloc(64), r.malloc(64), r.malloc(64)];
    r.free(ps[1] as number);
    expect(r.malloc(64)).toBe(ps[1]);
  });

  it('gives an empty page back to the OS unless it is the only page of its class with room', () => {
    const r = rig<Buckets>('buckets');
    const full = [r.malloc(1000), r.malloc(1000), r.malloc(1000)]; // 3 per page: the page is full
    const other = r.malloc(1000); // a second page
    expect(r.counter('bucketPagesMapped')).toBe(2);
    for (const p of full) r.free(p);
    expect(r.counter('bucketPagesUnmapped')).toBe(1);
    r.free(other);
    expect(r.counter('bucketPagesUnmapped')).toBe(1); // kept: the class's only page with room
    expect(r.model.pagesOf(r.quiet, 11)).toEqual([other - (other % PAGE)]);
  });

  it('maps large requests with the header at the start of their own mapping', () => {
    const r = rig<Buckets>('buckets');
    const p = r.malloc(5000);
    expect(p % PAGE).toBe(64);
    expect(r.counter('directMaps')).toBe(1);
    expect(r.model.usableSize(r.quiet, p)).toBe(2 * PAGE - 64);
    r.free(p);
    expect(r.counter('directUnmaps')).toBe(1);
  });

  it('serves alignments up to 64 from a class that is a multiple of the alignment', () => {
    const r = rig<Buckets>('buckets');
    const p = r.malloc(20, 0, 64);
    expect(p % 64).toBe(0);
    expect(r.model.usableSize(r.quiet, p)).toBe(64);
    expect(r.malloc(20, 0, 128) % 128).toBe(0); // larger alignments are mapped directly
    expect(r.counter('directMaps')).toBe(1);
  });

  it('detects a double free and an interior pointer', () => {
    const r = rig<Buckets>('buckets');
    const p = r.malloc(64);
    r.malloc(64);
    expect(() => r.model.free(r.cpus[0]!, p + 16)).toThrow(/invalid pointer/);
    r.free(p);
    expect(() => r.model.free(r.cpus[0]!, p)).toThrow(/double free/);
  });
});
