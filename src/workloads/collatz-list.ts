/**
 * `collatz-list`: CS3650 Challenge 2's linked-list test program (ch02-starter list_main.c and
 * list.h; see lib/collatz.ts). Every allocation is a 16-byte cell {item, rest}; copy_list is
 * recursive, so it allocates the copy from the tail back to the head, and iterate() conses up to
 * 50 new cells on the front. Most cells are freed by another thread than the one that allocated
 * them. `collatz-list-sys` etc. in the course differ only in the allocator linked in.
 */
import type { ParamSpec } from '../lib/params.ts';
import type { Op } from '../sim/thread.ts';
import type { WorkloadInfo } from './contract.ts';
import { collatzCreate, iterateSteps, type Sequence } from './lib/collatz.ts';
import { collatzParams, collatzVariant } from './lib/collatz-params.ts';
import { free, malloc, read, write } from './ops.ts';

function* cons(item: number, rest: number): Generator<Op, number, unknown> {
  const c = (yield malloc(16)) as number;
  yield write(c, item);
  yield write(c + 8, rest);
  return c;
}

export const listSequence: Sequence = {
  single: (n) => cons(n, 0),
  *last(xs) {
    return (yield read(xs)) as number;
  },
  *copyAndIterate(xs) {
    // copy_list: recurse down the list, then cons each item onto the copy of its rest.
    const cells: number[] = [];
    for (let c = xs; c !== 0; c = (yield read(c + 8)) as number) cells.push(c);
    let head = 0;
    let item = 0;
    for (let k = cells.length - 1; k >= 0; k--) {
      item = (yield read(cells[k] as number)) as number;
      head = yield* cons(item, head);
    }
    for (const v of iterateSteps(item)) head = yield* cons(v, head);
    return head;
  },
  *length(xs) {
    let n = 0;
    for (let c = xs; c !== 0; c = (yield read(c + 8)) as number) n++;
    return n;
  },
  *free(xs) {
    for (let c = xs; c !== 0;) {
      const rest = (yield read(c + 8)) as number;
      yield free(c);
      c = rest;
    }
  },
};

export const collatzListWorkload: WorkloadInfo = {
  name: 'collatz-list',
  summary: 'CS3650 Challenge 2 Collatz search with linked lists: 16 B cells copied and freed across 4 threads',
  params: collatzParams as ParamSpec[],
  sources: [
    'github:NatTuck/khoury-ntuck courses/2018/09/cs3650/draft-hw/ch02 (ch02-starter list_main.c, list.h)',
    'github:JasonSauntry/cs3650-ch02 list_main.c',
  ],
  doc: 'docs/workloads/collatz-list.md',
  variant: collatzVariant,
  create: collatzCreate(listSequence),
};
