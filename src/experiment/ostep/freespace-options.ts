/**
 * malloc.py's flags (OSTEP vm-freespace) with its defaults, and their parsing as Python's optparse
 * does it: shared by `allocsim ostep-freespace` and the playground's OSTEP form.
 */
import { ParamError } from '../../lib/params.ts';
import { ORDERS, POLICIES, type ListOrder, type Policy } from './freespace.ts';
import type { FreespaceOptions } from './freespace-session.ts';

export interface FreespaceFlag {
  name: string;
  alias: string;
  type: 'string' | 'boolean';
  default: string | boolean;
  describe: string;
}

/** malloc.py's flags in its order, then the two this tool adds (picture, costs). */
export const FREESPACE_FLAGS: readonly FreespaceFlag[] = [
  { name: 'seed', alias: 's', type: 'string', default: '0', describe: 'the random seed' },
  { name: 'size', alias: 'S', type: 'string', default: '100', describe: 'size of the heap' },
  { name: 'baseAddr', alias: 'b', type: 'string', default: '1000', describe: 'base address of heap' },
  { name: 'headerSize', alias: 'H', type: 'string', default: '0', describe: 'size of the header' },
  { name: 'alignment', alias: 'a', type: 'string', default: '-1', describe: 'align allocated units to size; -1->no align' },
  { name: 'policy', alias: 'p', type: 'string', default: 'BEST', describe: 'list search (BEST, WORST, FIRST)' },
  {
    name: 'listOrder',
    alias: 'l',
    type: 'string',
    default: 'ADDRSORT',
    describe: 'list order (ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT, INSERT-BACK)',
  },
  { name: 'coalesce', alias: 'C', type: 'boolean', default: false, describe: 'coalesce the free list?' },
  { name: 'numOps', alias: 'n', type: 'string', default: '10', describe: 'number of random ops to generate' },
  { name: 'range', alias: 'r', type: 'string', default: '10', describe: 'max alloc size' },
  { name: 'percentAlloc', alias: 'P', type: 'string', default: '50', describe: 'percent of ops that are allocs' },
  { name: 'allocList', alias: 'A', type: 'string', default: '', describe: 'instead of random, list of ops (+10,-0,etc)' },
  { name: 'compute', alias: 'c', type: 'boolean', default: false, describe: 'compute answers for me' },
  {
    name: 'picture',
    alias: '',
    type: 'boolean',
    default: false,
    describe: 'not in malloc.py: draw the heap after each operation (with -c)',
  },
  {
    name: 'costs',
    alias: '',
    type: 'boolean',
    default: false,
    describe: 'not in malloc.py: summarise searches, merges and fragmentation at the end',
  },
];

/** optparse's integer parsing (`_parse_num`): 0x.. hex, 0b.. binary, a leading 0 octal, else decimal. */
export function optparseInt(flag: string, text: string): bigint {
  const bad = (): ParamError => new ParamError(`option ${flag}: invalid integer value: '${text}'`);
  const t = text.trim();
  const m = /^([+-]?)(.*)$/.exec(t) as RegExpExecArray;
  const sign = m[1] === '-' ? -1n : 1n;
  let body = (m[2] as string).replaceAll('_', '');
  const lower = t.slice(0, 2).toLowerCase();
  let radix = 10;
  if (lower === '0x') radix = 16;
  else if (lower === '0b') radix = 2;
  else if (t.startsWith('0')) radix = 8;
  if (radix === 16 || radix === 2) body = body.slice(2) || (radix === 2 ? '0' : '');
  const digits = radix === 16 ? /^[0-9a-f]+$/i : radix === 2 ? /^[01]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(body) || /__|^_|_$/.test(m[2] as string)) throw bad();
  const prefix = radix === 16 ? '0x' : radix === 2 ? '0b' : radix === 8 ? '0o' : '';
  return sign * BigInt(prefix + body);
}

function smallInt(flag: string, text: string): number {
  const v = optparseInt(flag, text);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))
    throw new ParamError(`option ${flag}: ${text} is too large`);
  return Number(v);
}

/** The most random operations `-n` may ask for. */
export const MAX_OSTEP_OPS = 100_000;

export function freespaceOptions(a: Record<string, unknown>): FreespaceOptions {
  const s = (k: string): string => String(a[k]);
  const policy = s('policy');
  const order = s('listOrder');
  if (!(POLICIES as readonly string[]).includes(policy))
    throw new ParamError(`-p ${policy}: the policy must be one of ${POLICIES.join(', ')}`);
  if (!(ORDERS as readonly string[]).includes(order))
    throw new ParamError(`-l ${order}: the list order must be one of ${ORDERS.join(', ')}`);
  const align = smallInt('-a', s('alignment'));
  if (!(align === -1 || align > 0)) throw new ParamError(`-a ${align}: the alignment must be -1 (none) or positive`);
  const numOps = smallInt('-n', s('numOps'));
  if (numOps > MAX_OSTEP_OPS)
    throw new ParamError(
      `-n ${numOps}: at most ${MAX_OSTEP_OPS} operations (the whole output is built in memory; malloc.py's default is 10)`,
    );
  const percentAlloc = smallInt('-P', s('percentAlloc'));
  if (!(percentAlloc > 0))
    throw new ParamError(`-P ${percentAlloc}: the percentage of allocations must be positive (malloc.py asserts it)`);
  return {
    seed: optparseInt('-s', s('seed')),
    size: smallInt('-S', s('size')),
    base: smallInt('-b', s('baseAddr')),
    headerSize: smallInt('-H', s('headerSize')),
    align,
    policy: policy as Policy,
    order: order as ListOrder,
    coalesce: a.coalesce === true,
    numOps,
    range: smallInt('-r', s('range')),
    percentAlloc,
    allocList: s('allocList'),
    solve: a.compute === true,
    picture: a.picture === true,
    costs: a.costs === true,
  };
}
