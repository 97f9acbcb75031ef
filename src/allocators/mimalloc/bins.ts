/**
 * Size classes ("bins") and page kinds: mimalloc src/page-queue.c (`mi_bin`), src/init.c (the QNULL
 * block sizes of the page queues) and src/segment.c (`_mi_segment_page_alloc`: page kind by block
 * size; `_mi_segment_page_start_from_slice`: the first block's offset).
 */
import type { SizeClass } from '../kit/contract.ts';
import { BIN_HUGE, LARGE_OBJ_SIZE_MAX, MEDIUM_PAGE_SIZE, SLICE_SIZE, SMALL_PAGE_SIZE, WORD, alignUp } from './types.ts';

export function wsizeOf(size: number): number {
  return Math.ceil(size / WORD);
}

/**
 * page-queue.c mi_bin: sizes of 8 words or less round to even words (MI_ALIGN2W, as
 * MI_MAX_ALIGN_SIZE is 16); above that, 4 bins per doubling (at most 12.5% waste); anything over
 * MI_MEDIUM_OBJ_WSIZE_MAX goes to MI_BIN_HUGE.
 */
export function binOf(size: number, mediumObjSizeMax: number): number {
  let w = wsizeOf(size);
  if (w <= 1) return 1;
  if (w <= 8) return (w + 1) & ~1;
  if (w > mediumObjSizeMax / WORD) return BIN_HUGE;
  w--;
  const b = 31 - Math.clz32(w);
  return (b << 2) + ((w >>> (b - 2)) & 3) - 3;
}

/** Block size of each bin (init.c QNULL: the largest size of the bin), for bins 0..MI_BIN_HUGE-1. */
export function binSizes(): number[] {
  const sizes = new Array<number>(BIN_HUGE).fill(0);
  sizes[0] = WORD;
  // Every word size up to the largest medium bin (v2.1.2: 16384 words); the largest size seen per bin is its block size.
  for (let w = 1; w <= 65536; w++) {
    const b = binOf(w * WORD, 512 * 1024);
    if (b < BIN_HUGE) sizes[b] = w * WORD;
  }
  return sizes;
}

export type PageKind = 'small' | 'medium' | 'large' | 'huge';

/** segment.c _mi_segment_page_alloc: which page a block size gets. */
export function pageKindOf(blockSize: number, smallObjSizeMax: number, mediumObjSizeMax: number): PageKind {
  if (blockSize <= smallObjSizeMax) return 'small';
  if (blockSize <= mediumObjSizeMax) return 'medium';
  if (blockSize <= LARGE_OBJ_SIZE_MAX) return 'large';
  return 'huge';
}

/**
 * segment.c _mi_segment_page_start_from_slice: small blocks do not start at the page boundary
 * ("to avoid page/cache effects"): 3 blocks in for sizes <= 64, 1 block in for sizes <= 512.
 */
export function pageStartOffset(blockSize: number): number {
  if (blockSize < WORD) return 0;
  if (blockSize <= 64) return 3 * blockSize;
  if (blockSize <= 512) return blockSize;
  return 0;
}

/**
 * os.c _mi_os_good_alloc_size: a large request is first rounded to 4 KiB (< 512 KiB), 64 KiB
 * (< 2 MiB), 256 KiB (< 8 MiB), 1 MiB (< 32 MiB) or 4 MiB.
 */
export function goodAllocSize(size: number): number {
  const a =
    size < 512 * 1024
      ? 4096
      : size < 2 * 1024 * 1024
        ? 64 * 1024
        : size < 8 * 1024 * 1024
          ? 256 * 1024
          : size < 32 * 1024 * 1024
            ? 1024 * 1024
            : 4 * 1024 * 1024;
  return alignUp(size, a);
}

/** segment.c mi_segments_page_alloc: a page is the request rounded to 64 KiB, or to 512 KiB above 512 KiB. */
export function pageSizeFor(required: number): number {
  return alignUp(required, required > MEDIUM_PAGE_SIZE ? MEDIUM_PAGE_SIZE : SLICE_SIZE);
}

/** The size classes of a configuration, as `describe` lists them. */
export function sizeClassTable(smallObjSizeMax: number, mediumObjSizeMax: number, padding: number): SizeClass[] {
  const sizes = binSizes();
  const out: SizeClass[] = [];
  for (let b = 1; b < BIN_HUGE; b++) {
    const size = sizes[b] as number;
    if (size === 0 || binOf(size, mediumObjSizeMax) !== b) continue; // bins 3, 5, 7 are never used (even words)
    const kind = pageKindOf(size, smallObjSizeMax, mediumObjSizeMax);
    const pageSize = kind === 'small' ? SMALL_PAGE_SIZE : MEDIUM_PAGE_SIZE;
    out.push({
      index: b,
      size,
      maxRequest: size - padding,
      pageKind: kind,
      pageSize,
      blocksPerPage: Math.floor((pageSize - pageStartOffset(size)) / size),
    });
  }
  return out;
}
