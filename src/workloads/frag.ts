/**
 * `frag`: CS3650 Challenge 2's fragmentation test (frag_main.c, added in 2020; copy in
 * github:JasonSauntry/cs3650-ch02). Twice: allocate 512 blocks whose sizes come from a fixed LCG
 * (state = (state·4091 + 1697) mod 65537, starting at 10; the size is the state, the state mod 101,
 * or its integer square root, by state mod 3), memset each and free them all; then allocate one
 * 9 MiB block, memset it and free it. The course runs it under `setrlimit(RLIMIT_AS, 16 MiB)`, so
 * it passes only if freed memory is reused or returned: compare this run's peak mapped memory and
 * RSS with 16 MiB (the simulated machine itself has no address-space limit).
 */
import { num, type ParamSpec } from '../lib/params.ts';
import type { Op, ThreadBody } from '../sim/thread.ts';
import type { WorkloadEnv, WorkloadInfo, WorkloadInstance } from './contract.ts';
import { fill, free, malloc } from './ops.ts';

const SIZE = 9 * 1024 * 1024;
const CHUNKS = 512;

const PARAMS: ParamSpec[] = [
  {
    name: 'rounds',
    type: 'int',
    default: 2,
    min: 1,
    description: 'small-chunks + big-chunk rounds (main calls each twice)',
    source: 'frag_main.c',
  },
  { name: 'scale', type: 'number', default: 1, min: 1, max: 1, description: 'the program is small: only scale=1 (its real size) exists' },
];

/** next_size(): the program's LCG. */
export class FragSizes {
  private state = 10;

  next(): number {
    this.state = (this.state * 4091 + 1697) % 65537;
    switch (this.state % 3) {
      case 0:
        return this.state;
      case 1:
        return this.state % 101;
      default:
        return Math.floor(Math.sqrt(this.state));
    }
  }
}

function* smallChunks(sizes: FragSizes): Generator<Op, void, unknown> {
  let sum = 0;
  const xs = (yield malloc(CHUNKS * 8)) as number;
  const blocks: number[] = [];
  for (let i = 0; i < CHUNKS; i++) {
    const size = sizes.next();
    sum += size;
    if (sum >= SIZE) continue;
    const p = (yield malloc(size)) as number;
    if (size > 0) yield fill(p, size, 0x99);
    blocks.push(p);
  }
  for (const p of blocks) yield free(p);
  yield free(xs);
}

function create(env: WorkloadEnv): WorkloadInstance {
  const rounds = num(env.params, 'rounds');
  const sizes = new FragSizes();
  const main = function* (): ThreadBody {
    for (let r = 0; r < rounds; r++) {
      yield* smallChunks(sizes);
      const big = (yield malloc(SIZE)) as number;
      yield fill(big, SIZE, 99);
      yield free(big);
    }
  };
  return { threads: [{ name: 'main', body: main() }] };
}

export const fragWorkload: WorkloadInfo = {
  name: 'frag',
  summary: 'CS3650 fragmentation test: 512 LCG-sized blocks freed, then one 9 MiB block, twice (must fit a 16 MiB address space)',
  params: PARAMS,
  sources: ['github:JasonSauntry/cs3650-ch02 frag_main.c (ch02-starter, 2020)'],
  doc: 'docs/workloads/frag.md',
  create,
};
