import { it, expect } from 'vitest';
import { allModels } from '../../src/allocators/index.ts';
import { PROPERTIES, checkProperty } from '../../src/experiment/conformance.ts';
const names = (process.env.MODELS ?? 'snmalloc').split(',');
for (const info of allModels().filter((m) => names.includes(m.name))) {
  for (const spec of PROPERTIES) {
    it(`${info.name} ${spec.name}`, () => {
      const r = checkProperty(info, spec, { seed: 42, numRuns: 25 });
      expect(r.ok, `${r.message}\n${(r.counterexample ?? []).join('\n')}`).toBe(true);
    });
  }
}
