/**
 * Size classes of the `buckets` model: powers of two and the half points between them, as in the
 * course notes (18-advanced-malloc/notes.md, "Advanced Buckets": 4, 8, 12, 16, 24, 32, 48, 64, 96,
 * 128, 192, ...), keeping only multiples of 16 so every object is 16-byte aligned as the allocator
 * contract requires (the notes' 4, 8, 12 and 24 assume 8-byte alignment). Classes go up to a
 * quarter of a bucket page, so each page holds at least three objects; bigger requests are mapped
 * directly. A pure table: JS-side, like a C allocator's constant class table.
 */

export interface BucketClass {
  index: number;
  size: number;
  /** Objects per bucket page. */
  perPage: number;
}

/** Bucket page header: kind, class, list links, counts, then the used bitmap; a multiple of 64 bytes. */
export function headerBytes(pageBytes: number): number {
  return Math.ceil((32 + pageBytes / 128) / 64) * 64;
}

export function bucketClasses(pageBytes: number): BucketClass[] {
  const hdr = headerBytes(pageBytes);
  const out: BucketClass[] = [];
  for (let p = 16; p <= pageBytes / 4; p *= 2) {
    for (const size of [p, p + p / 2]) {
      if (size % 16 !== 0 || size > pageBytes / 4) continue;
      out.push({ index: out.length, size, perPage: Math.floor((pageBytes - hdr) / size) });
    }
  }
  return out;
}

/**
 * The smallest class that holds `n` bytes at alignment `align`: for an alignment above 16, a class
 * whose size is a multiple of it (objects start at header + i * size, and the header is a multiple
 * of 64), as jemalloc's sz_sa2u picks a class by its natural alignment. -1 when none fits.
 */
export function classFor(classes: readonly BucketClass[], n: number, align: number, hdr: number): number {
  if (align > 16 && hdr % align !== 0) return -1;
  for (const c of classes) {
    if (c.size >= Math.max(n, 1) && (align <= 16 || c.size % align === 0)) return c.index;
  }
  return -1;
}
