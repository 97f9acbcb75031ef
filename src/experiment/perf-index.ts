/**
 * The Perf index of allocator coursework, in the schemes courses grade with, computed from
 * simulated measurements: utilization (peak live payload / peak RSS) and throughput (operations per
 * simulated cycle) against a reference model on the same inputs.
 *
 * - CS:APP malloc lab (mdriver, config.h): P = UTIL_WEIGHT·U + (1 − UTIL_WEIGHT)·min(1, T/Tlibc),
 *   UTIL_WEIGHT = 0.60, U the average utilization over traces, T the total throughput (all ops /
 *   all time). Any invalid trace makes the score 0. Tlibc is a measured constant there; here it is
 *   the reference model's throughput on the same inputs.
 * - CMU 15-213 (f19 config.h): each part linearly interpolated between a minimum and a maximum —
 *   utilization 0.55 → 0.74, throughput 0.50 → 0.90 of the reference (the geometric mean of the
 *   per-trace ratios) — weighted 0.60 / 0.40; the checkpoint uses 0.55 → 0.58, 0.20 → 0.90, 0.20.
 * - The CS3650 challenge (proj1.md, 2025): the base goal is to be faster than the one-lock baseline
 *   by a factor (≥ 4×), the challenge to beat the system allocator (> 10 % faster), on every test
 *   program. Its index here is the share of goals met.
 */

export interface InputScore {
  label: string;
  /** The run finished with no violation and no error. */
  valid: boolean;
  /** Peak live payload / peak RSS. */
  util: number;
  ops: number;
  cycles: number;
}

export interface ReferenceScore {
  ops: number;
  cycles: number;
}

const throughput = (ops: number, cycles: number): number => (cycles === 0 ? 0 : ops / cycles);

/** Linear interpolation of `x` between `lo` (0) and `hi` (1), clamped. */
export function ramp(x: number, lo: number, hi: number): number {
  if (!(hi > lo)) return x >= hi ? 1 : 0;
  return Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
}

export interface WeightedIndex {
  scheme: 'csapp' | 'cmu' | 'cmu-checkpoint';
  /** Points from utilization and from throughput, out of 100 together. */
  utilPoints: number;
  thruPoints: number;
  total: number;
  /** Average utilization over the inputs. */
  util: number;
  /** Throughput relative to the reference (total for CS:APP, geometric mean for CMU). */
  thruRatio: number;
  reference: string;
  /** Why the score is 0, if an input was invalid. */
  invalid?: string[];
}

function invalidOf(inputs: readonly InputScore[]): string[] | undefined {
  const bad = inputs.filter((i) => !i.valid).map((i) => i.label);
  return bad.length > 0 ? bad : undefined;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);

/** CS:APP: 0.6·U + 0.4·min(1, T/Tref), T and Tref over all inputs together. */
export function csappIndex(inputs: readonly InputScore[], refs: readonly ReferenceScore[], reference: string): WeightedIndex {
  const util = mean(inputs.map((i) => i.util));
  const t = throughput(
    inputs.reduce((s, i) => s + i.ops, 0),
    inputs.reduce((s, i) => s + i.cycles, 0),
  );
  const tref = throughput(
    refs.reduce((s, r) => s + r.ops, 0),
    refs.reduce((s, r) => s + r.cycles, 0),
  );
  const thruRatio = tref === 0 ? 0 : t / tref;
  const invalid = invalidOf(inputs);
  const utilPoints = invalid ? 0 : 100 * 0.6 * util;
  const thruPoints = invalid ? 0 : 100 * 0.4 * Math.min(1, thruRatio);
  return {
    scheme: 'csapp',
    utilPoints,
    thruPoints,
    total: utilPoints + thruPoints,
    util,
    thruRatio,
    reference,
    ...(invalid ? { invalid } : {}),
  };
}

/** CMU thresholds (f19 config.h). */
export const CMU = {
  final: { minSpace: 0.55, maxSpace: 0.74, minSpeed: 0.5, maxSpeed: 0.9, utilWeight: 0.6 },
  checkpoint: { minSpace: 0.55, maxSpace: 0.58, minSpeed: 0.2, maxSpeed: 0.9, utilWeight: 0.2 },
} as const;

/** CMU: interpolated utilization (average) and throughput ratio (geometric mean over inputs). */
export function cmuIndex(
  inputs: readonly InputScore[],
  refs: readonly ReferenceScore[],
  reference: string,
  checkpoint = false,
): WeightedIndex {
  const k = checkpoint ? CMU.checkpoint : CMU.final;
  const util = mean(inputs.map((i) => i.util));
  const ratios = inputs.map((i, n) => {
    const r = refs[n] as ReferenceScore;
    const tref = throughput(r.ops, r.cycles);
    return tref === 0 ? 0 : throughput(i.ops, i.cycles) / tref;
  });
  const thruRatio = ratios.length === 0 || ratios.some((x) => x <= 0) ? 0 : Math.exp(mean(ratios.map(Math.log)));
  const invalid = invalidOf(inputs);
  const utilPoints = invalid ? 0 : 100 * k.utilWeight * ramp(util, k.minSpace, k.maxSpace);
  const thruPoints = invalid ? 0 : 100 * (1 - k.utilWeight) * ramp(thruRatio, k.minSpeed, k.maxSpeed);
  return {
    scheme: checkpoint ? 'cmu-checkpoint' : 'cmu',
    utilPoints,
    thruPoints,
    total: utilPoints + thruPoints,
    util,
    thruRatio,
    reference,
    ...(invalid ? { invalid } : {}),
  };
}

export interface Goal {
  name: string;
  /** The model compared against; undefined when this build does not have it. */
  against?: string;
  /** Required speed-up (cycles of the reference / cycles of the model) on every input. */
  need: number;
  /** Speed-up on each input (empty when the reference is missing); null on an invalid input, whose time means nothing. */
  speedups: Array<number | null>;
  met: boolean | null;
}

export interface CourseIndex {
  scheme: 'course';
  goals: Goal[];
  /** Share of the goals that could be judged and were met, out of 100; null if none could be judged. */
  total: number | null;
  invalid?: string[];
}

/**
 * The course challenge: each goal compares the model's simulated time with a reference model's on
 * every input (speed-up = reference cycles / model cycles); a goal is met when every input reaches it.
 */
export function courseIndex(
  inputs: readonly InputScore[],
  goals: ReadonlyArray<{ name: string; against?: string; need: number; refs?: readonly ReferenceScore[] }>,
): CourseIndex {
  const invalid = invalidOf(inputs);
  const judged: Goal[] = goals.map((g) => {
    if (g.against === undefined || g.refs === undefined) return { name: g.name, need: g.need, speedups: [], met: null };
    const refs = g.refs;
    const speedups = inputs.map((i, n) => (!i.valid ? null : i.cycles === 0 ? 0 : (refs[n] as ReferenceScore).cycles / i.cycles));
    return {
      name: g.name,
      against: g.against,
      need: g.need,
      speedups,
      met: invalid === undefined && speedups.every((s) => s !== null && s >= g.need),
    };
  });
  const counted = judged.filter((g) => g.met !== null);
  const total = counted.length === 0 ? null : (100 * counted.filter((g) => g.met === true).length) / counted.length;
  return { scheme: 'course', goals: judged, total, ...(invalid ? { invalid } : {}) };
}
