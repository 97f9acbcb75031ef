/**
 * What `allocsim ostep-freespace` adds to malloc.py, behind extra flags: a one-line picture of the
 * heap after each operation (`--picture`) and a summary of what the operations cost (`--costs`).
 *
 *   heap |HH000000HH1111+.....HH22222222...........................| 1000..1100
 *
 * One character per byte (or per group of bytes for heaps over 100 bytes): H header, a digit or
 * letter the payload of that ptr[i], + alignment padding, . free, [ the first byte of each block on
 * the free list (so uncoalesced neighbours show as separate blocks).
 */
import type { FreeSpace, FreeSpaceConfig } from './freespace.ts';

const NAMES = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const MAX_COLUMNS = 100;

const FREE = 0;
const FREE_START = 1;
const PAD = 2;
const HEADER = 3;
const PAYLOAD = 4;

function bytesPerColumn(size: number): number {
  return Math.max(1, Math.ceil(size / MAX_COLUMNS));
}

export function heapLegend(cfg: FreeSpaceConfig): string {
  const per = bytesPerColumn(cfg.size);
  const unit = per === 1 ? 'one character per byte' : `one character per ${per} bytes`;
  return `Heap pictures (${unit}): H header, 0-9a-zA-Z payload of ptr[i] (# beyond 61), + alignment padding, . free, [ start of a free-list block\n`;
}

/** The heap from base to base+size as one line of characters. */
export function heapPicture(m: FreeSpace, names: ReadonlyMap<number, number>): string {
  const { base, size, headerSize } = m.cfg;
  if (size <= 0) return 'heap ||';
  const per = bytesPerColumn(size);
  const cols = Math.ceil(size / per);
  // Each column shows its most telling byte: payload over header over padding over free.
  const rank = new Array<number>(cols).fill(FREE);
  const label = new Array<string>(cols).fill('.');
  const mark = (from: number, to: number, kind: number, ch: string): void => {
    for (let a = Math.max(from, base); a < Math.min(to, base + size); a++) {
      const col = Math.floor((a - base) / per);
      if (kind > (rank[col] as number)) {
        rank[col] = kind;
        label[col] = ch;
      }
    }
  };
  for (const e of m.freelist) mark(e.addr, e.addr + Math.min(1, e.size), FREE_START, '[');
  for (const [addr, bytes] of m.sizemap) {
    const d = m.details.get(addr);
    const i = names.get(addr);
    const name = i === undefined || i >= NAMES.length ? '#' : (NAMES[i] as string);
    const h = Math.max(0, Math.min(headerSize, bytes));
    const pad = d === undefined ? 0 : Math.max(0, d.padding);
    mark(addr, addr + h, HEADER, 'H');
    mark(addr + h, addr + bytes - pad, PAYLOAD, name);
    mark(addr + bytes - pad, addr + bytes, PAD, '+');
  }
  return `heap |${label.join('')}| ${base}..${base + size}`;
}

/** Running totals for the cost summary. */
export class FreeSpaceStats {
  allocs = 0;
  failed = 0;
  frees = 0;
  badFrees = 0;
  searched = 0;
  merges = 0;
  maxList = 1;

  alloc(ok: boolean, searched: number): void {
    this.allocs++;
    if (!ok) this.failed++;
    this.searched += searched;
  }

  free(ok: boolean, merges: number): void {
    this.frees++;
    if (!ok) this.badFrees++;
    this.merges += merges;
  }

  listLength(n: number): void {
    this.maxList = Math.max(this.maxList, n);
  }

  summary(m: FreeSpace): string {
    const freeBytes = m.freelist.reduce((s, e) => s + e.size, 0);
    const largest = m.freelist.reduce((s, e) => Math.max(s, e.size), 0);
    let headers = 0;
    let padding = 0;
    let payload = 0;
    for (const [addr, bytes] of m.sizemap) {
      const d = m.details.get(addr);
      const h = Math.min(m.cfg.headerSize, bytes);
      headers += h;
      padding += d?.padding ?? 0;
      payload += bytes - h - (d?.padding ?? 0);
    }
    const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
    const rows = [
      ['allocations', `${this.allocs} (${this.failed} failed)`],
      ['frees', `${this.frees} (${this.badFrees} of an address not allocated)`],
      ['elements searched', `${this.searched} (${this.allocs === 0 ? '-' : (this.searched / this.allocs).toFixed(2)} per allocation)`],
      ['coalescing merges', String(this.merges)],
      ['free list length', `final ${m.freelist.length}, longest ${this.maxList}`],
      [
        'free bytes',
        `${freeBytes} in ${m.freelist.length} blocks, largest ${largest} (external fragmentation ${freeBytes === 0 ? '-' : pct(freeBytes - largest, freeBytes)})`,
      ],
      [
        'allocated bytes',
        `${payload + headers + padding}: payload ${payload}, headers ${headers}, alignment padding ${padding} (internal fragmentation ${pct(headers + padding, payload + headers + padding)})`,
      ],
    ];
    return `Costs (not in malloc.py)\n${rows.map(([k, v]) => `  ${(k as string).padEnd(20)}${v as string}`).join('\n')}\n`;
  }
}
