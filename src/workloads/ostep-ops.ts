/**
 * `ostep-ops`: the operation stream of OSTEP's free-space homework simulator
 * (remzi-arpacidusseau/ostep-homework vm-freespace/malloc.py) against a real allocator model.
 * Random mode (`-n`, `-r`, `-P`): each of n steps allocates a block of 1..r bytes with probability
 * P% (or when nothing is live), else frees a uniformly chosen live block. Script mode (`-A`):
 * `+10` allocates 10 bytes, `-0` frees the block of the 0th allocation. Whatever is still live at
 * the end is freed. The model's answers (addresses, counters, RSS) stand in for malloc.py's
 * fixed-size heap and list walk; one thread.
 */
import { num, str, type ParamSpec } from '../lib/params.ts';
import type { ThreadBody } from '../sim/thread.ts';
import { WorkloadInputError, type WorkloadEnv, type WorkloadInfo, type WorkloadInstance } from './contract.ts';
import { free, malloc } from './ops.ts';
import { quoteExcerpt } from '../sim/excerpt.ts';

const SRC = 'remzi-arpacidusseau/ostep-homework vm-freespace/malloc.py';

const PARAMS: ParamSpec[] = [
  {
    name: 'n',
    type: 'int',
    default: 1000,
    min: 1,
    description: 'random operations (-n; malloc.py defaults to 10), before scale',
    source: SRC,
  },
  {
    name: 'maxSize',
    type: 'int',
    default: 64,
    min: 1,
    description: 'largest request in bytes; sizes are uniform in 1..maxSize (-r)',
    source: SRC,
  },
  {
    name: 'allocPercent',
    type: 'int',
    default: 50,
    min: 0,
    max: 100,
    description: 'chance of an allocation, in percent (-P)',
    source: SRC,
  },
  { name: 'ops', type: 'string', default: '', description: 'scripted operations instead, e.g. "+10,+20,-0,+5" (-A)', source: SRC },
  { name: 'scale', type: 'number', default: 1, min: 1e-6, description: 'multiplies n (random mode)' },
];

type Step = { alloc: number } | { freeOf: number };

export function parseOstepScript(script: string): Step[] {
  return script
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t) => {
      const m = /^([+-])(\d+)$/.exec(t);
      if (m === null)
        throw new WorkloadInputError(
          'ostep-ops ops',
          undefined,
          `${quoteExcerpt(t)} is not an operation; write +SIZE to allocate or -INDEX to free, e.g. ops=+10,-0`,
        );
      return m[1] === '+' ? { alloc: Number(m[2]) } : { freeOf: Number(m[2]) };
    });
}

function create(env: WorkloadEnv): WorkloadInstance {
  const p = env.params;
  const script = str(p, 'ops');
  const rng = env.rng(0);
  const steps = script === '' ? null : parseOstepScript(script);
  const main = function* (): ThreadBody {
    const ptr: number[] = [];
    const live: number[] = [];
    if (steps !== null) {
      for (const s of steps) {
        if ('alloc' in s) {
          ptr.push((yield malloc(s.alloc)) as number);
          continue;
        }
        const q = ptr[s.freeOf];
        if (q === undefined || q === 0) continue; // malloc.py: "Invalid Free: Skipping"
        yield free(q);
        ptr[s.freeOf] = 0;
      }
      for (const q of ptr) if (q !== 0) yield free(q);
      return;
    }
    const n = Math.max(1, Math.round(num(p, 'n') * num(p, 'scale')));
    for (let i = 0; i < n; i++) {
      if (live.length === 0 || rng.int(0, 99) < num(p, 'allocPercent')) {
        live.push((yield malloc(rng.int(1, num(p, 'maxSize')))) as number);
      } else {
        const k = rng.below(live.length);
        yield free(live[k] as number);
        live.splice(k, 1);
      }
    }
    for (const q of live) yield free(q);
  };
  return { threads: [{ name: 'main', body: main() }] };
}

export const ostepOpsWorkload: WorkloadInfo = {
  name: 'ostep-ops',
  summary: 'OSTEP malloc.py-style operations: random or scripted allocs and frees of small blocks, one thread',
  params: PARAMS,
  sources: [SRC],
  doc: 'docs/workloads/ostep-ops.md',
  create,
};
