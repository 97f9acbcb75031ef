import { num, type ParamSpec, type ParamValue, type Params } from '../../lib/params.ts';
import { scaleParam, threadsParam } from './params.ts';

const SRC = 'ch02-starter list_main.c / ivec_main.c';

export const collatzParams: readonly ParamSpec[] = [
  threadsParam(4, 'worker threads (#define THREADS 4)', SRC),
  {
    name: 'top',
    type: 'int',
    default: 10000,
    min: 3,
    description: 'TOP, the search bound (the course tests 100, 1000, 10000 and 500000), before scale',
    source: 'test.pl',
  },
  scaleParam(0.05, "TOP (the default runs TOP = 500; the variants NAME-100, -1000, -10000, -500000 run the course's graded sizes)"),
];

export function collatzTop(p: Params): number {
  return Math.max(3, Math.round(num(p, 'top') * num(p, 'scale')));
}

/** The course's graded runs: `collatz-list-1000` is `./collatz-list-X 1000` ("871: 178 steps"). */
export function collatzVariant(suffix: string): Record<string, ParamValue> | undefined {
  return ['100', '1000', '10000', '500000'].includes(suffix) ? { top: Number(suffix), scale: 1 } : undefined;
}
