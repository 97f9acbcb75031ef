/**
 * Every registered model, present and future, passes the invariant property suite. A model that
 * registers itself in src/allocators/index.ts is picked up here automatically. The suite runs with
 * the models' debug invariants on (src/allocators/shared/invariants.ts); the models that have them
 * must have had every one of their structures checked.
 */
import { describe, expect, it } from 'vitest';
import { allModels } from '../../src/allocators/index.ts';
import { PROPERTIES, checkProperty } from '../../src/experiment/conformance.ts';

/** The structures each family of models checks (a name prefix -> structure names, prefixes of them). */
const STRUCTURES: ReadonlyArray<[RegExp, readonly string[]]> = [
  [/^snmalloc/, ['snmalloc buddy 2^4..2^14', 'snmalloc seqset']],
  [/^mimalloc/, ['mimalloc page', 'mimalloc segment']],
  [/^glibc$/, ['glibc bins']],
];

describe.each(allModels().map((m) => [m.name, m]))('%s', (name, info) => {
  it.each(PROPERTIES.map((p) => [p.name, p]))('keeps the invariants: %s', (_p, spec) => {
    const r = checkProperty(info, spec, { seed: 42, numRuns: 25 });
    expect(r.ok, `${r.message}\n${(r.counterexample ?? []).join('\n')}`).toBe(true);
    const expected = STRUCTURES.find(([re]) => re.test(name))?.[1] ?? [];
    expect(Object.keys(r.invariantChecks ?? {})).toEqual(expect.arrayContaining([...expected]));
  });
});
