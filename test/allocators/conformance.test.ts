/**
 * Every registered model, present and future, passes the invariant property suite. A model that
 * registers itself in src/allocators/index.ts is picked up here automatically.
 */
import { describe, expect, it } from 'vitest';
import { allModels } from '../../src/allocators/index.ts';
import { PROPERTIES, checkProperty } from '../../src/experiment/conformance.ts';

describe.each(allModels().map((m) => [m.name, m]))('%s', (_name, info) => {
  it.each(PROPERTIES.map((p) => [p.name, p]))('keeps the invariants: %s', (_p, spec) => {
    const r = checkProperty(info, spec, { seed: 42, numRuns: 25 });
    expect(r.ok, `${r.message}\n${(r.counterexample ?? []).join('\n')}`).toBe(true);
  });
});
