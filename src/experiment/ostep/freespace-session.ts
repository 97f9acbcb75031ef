/**
 * The main program of OSTEP's vm-freespace/malloc.py: echo the parameters, then run random
 * operations (seeded with Python's generator) or a scripted list (`-A +10,-0,...`), printing each
 * operation and, with `-c`, its answer and the free list. The text is malloc.py's, byte for byte.
 *
 * Extras malloc.py lacks, only when asked (so the default output is unchanged): a picture of the
 * heap after each operation (`picture`) and a summary of costs at the end (`costs`).
 */
import { PythonRandom } from './python-random.ts';
import { FreeSpace, type FreeSpaceConfig } from './freespace.ts';
import { FreeSpaceStats, heapLegend, heapPicture } from './freespace-picture.ts';

export interface FreespaceOptions extends FreeSpaceConfig {
  /** Seed as the user gave it (printed back), an integer. */
  seed: bigint;
  numOps: number;
  range: number;
  percentAlloc: number;
  /** Scripted operations, '' for random mode. */
  allocList: string;
  /** -c: show the answers. */
  solve: boolean;
  picture?: boolean;
  costs?: boolean;
}

export interface FreespaceOutput {
  stdout: string;
  /** Set when malloc.py would have stopped with a Python exception at this point. */
  error?: string;
}

/** Python's int() of a string: optional sign, digits with single underscores between them, surrounding blanks. */
export function pyInt(text: string): number | undefined {
  const m = /^\s*([+-]?)(\d+(?:_\d+)*)\s*$/.exec(text);
  if (m === null) return undefined;
  const v = Number((m[2] as string).replaceAll('_', ''));
  return m[1] === '-' ? -v : v;
}

const pyBool = (b: boolean): string => (b ? 'True' : 'False');

class Session {
  readonly lines: string[] = [];
  readonly m: FreeSpace;
  readonly stats: FreeSpaceStats;

  constructor(readonly o: FreespaceOptions) {
    this.m = new FreeSpace(o);
    this.stats = new FreeSpaceStats();
  }

  out(s: string): void {
    this.lines.push(s);
  }

  header(): void {
    const o = this.o;
    const rows: Array<[string, string]> = [
      ['seed', String(o.seed)],
      ['size', String(o.size)],
      ['baseAddr', String(o.base)],
      ['headerSize', String(o.headerSize)],
      ['alignment', String(o.align)],
      ['policy', o.policy],
      ['listOrder', o.order],
      ['coalesce', pyBool(o.coalesce)],
      ['numOps', String(o.numOps)],
      ['range', String(o.range)],
      ['percentAlloc', String(o.percentAlloc)],
      ['allocList', o.allocList],
      ['compute', pyBool(o.solve)],
    ];
    for (const [k, v] of rows) this.out(`${k} ${v}`);
    this.out('');
    if (this.o.picture === true && this.o.solve) this.out(heapLegend(this.o));
  }

  alloc(c: number, size: number, shown: (ptr: number) => number): number {
    const [ptr, cnt] = this.m.malloc(size);
    this.stats.alloc(ptr !== -1, cnt);
    this.out(`ptr[${c}] = Alloc(${size}) ${this.o.solve ? `returned ${shown(ptr)} (searched ${cnt} elements)` : 'returned ?'}`);
    return ptr;
  }

  free(index: number, addr: number): void {
    this.out(`Free(ptr[${index}])`);
    const rc = this.m.free(addr);
    this.stats.free(rc === 0, this.m.lastMerges);
    this.out(this.o.solve ? `returned ${rc}` : 'returned ?');
  }

  /** After an operation: the free list (or the question), the extras, a blank line. */
  listAndBlank(question: string, names: ReadonlyMap<number, number>): void {
    if (this.o.solve) {
      this.out(this.m.dump());
      if (this.o.picture === true) this.out(heapPicture(this.m, names));
    } else {
      this.out(question);
    }
    this.stats.listLength(this.m.freelist.length);
    this.out('');
  }

  randomMode(): void {
    const o = this.o;
    const rng = new PythonRandom(o.seed);
    const percent = o.percentAlloc / 100.0;
    const p = new Map<number, number>(); // ptr index -> address
    const L: number[] = [];
    let c = 0;
    let j = 0;
    while (j < o.numOps) {
      let pr = false;
      if (rng.random() < percent) {
        const size = Math.trunc(rng.random() * o.range) + 1;
        const ptr = this.alloc(c, size, (x) => x + o.headerSize);
        if (ptr !== -1) {
          p.set(c, ptr);
          L.push(c);
        }
        c += 1;
        j += 1;
        pr = true;
      } else if (p.size > 0) {
        const d = Math.trunc(rng.random() * L.length);
        const idx = L[d] as number;
        this.free(idx, p.get(idx) as number);
        p.delete(idx);
        L.splice(d, 1);
        pr = true;
        j += 1;
      }
      if (pr) this.listAndBlank('List? ', invert(p));
    }
  }

  /** Returns an error message where malloc.py would stop with a Python exception. */
  scriptedMode(): string | undefined {
    const p = new Map<number, number>();
    let c = 0;
    for (const op of this.o.allocList.split(',')) {
      if (op.length === 0)
        return `allocList: an empty operation (malloc.py stops with IndexError); write +SIZE or -INDEX separated by commas`;
      if (op[0] === '+') {
        const size = pyInt(op.split('+')[1] as string);
        if (size === undefined) return `allocList: '${op}' is not +SIZE (malloc.py stops with ValueError)`;
        const ptr = this.alloc(c, size, (x) => x);
        if (ptr !== -1) p.set(c, ptr);
        c += 1;
      } else if (op[0] === '-') {
        const index = pyInt(op.split('-')[1] as string);
        if (index === undefined) return `allocList: '${op}' is not -INDEX (malloc.py stops with ValueError)`;
        if (index >= p.size) {
          this.out('Invalid Free: Skipping');
          continue;
        }
        const addr = p.get(index);
        if (addr === undefined) {
          this.out(`Free(ptr[${index}])`);
          return `allocList: '${op}' frees ptr[${index}], whose Alloc failed (malloc.py stops with KeyError)`;
        }
        this.free(index, addr);
      } else {
        return `allocList: '${op}' must be +SIZE or -INDEX (malloc.py stops with NameError)`;
      }
      this.listAndBlank('List?', invert(p));
    }
    return undefined;
  }
}

function invert(p: ReadonlyMap<number, number>): Map<number, number> {
  const m = new Map<number, number>();
  for (const [i, a] of p) m.set(a, i); // the latest pointer at an address names it
  return m;
}

/** Runs malloc.py's program with these options and returns what it prints. */
export function runFreespace(o: FreespaceOptions): FreespaceOutput {
  const s = new Session(o);
  s.header();
  let error: string | undefined;
  if (o.allocList === '') s.randomMode();
  else error = s.scriptedMode();
  if (o.costs === true && error === undefined) s.out(s.stats.summary(s.m));
  const stdout = s.lines.length === 0 ? '' : `${s.lines.join('\n')}\n`;
  return error === undefined ? { stdout } : { stdout, error };
}
