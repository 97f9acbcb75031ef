/**
 * Loading a student's model file and probing it against the contract: each problem is one clear
 * sentence naming the method (and the file's line for a crash); an endless loop is stopped.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelInfo, type AllocatorModel, type ModelInfo } from '../../src/allocators/index.ts';
import { loadModelFile, resolveModel } from '../../src/cli/model-resolver.ts';
import { contractBlocks, probeContract } from '../../src/experiment/model-contract.ts';
import { allocsim, mutant, tempDir } from './helpers.ts';

/** bump with some methods replaced or removed. */
function patched(name: string, patch: (m: AllocatorModel) => Record<string, unknown>): ModelInfo {
  const base = modelInfo('bump');
  return {
    ...base,
    name,
    family: 'student',
    create: (env) => {
      const m = base.create(env);
      return Object.assign(Object.create(Object.getPrototypeOf(m)), m, patch(m)) as AllocatorModel;
    },
  };
}

function failures(info: ModelInfo): string[] {
  return probeContract(info)
    .filter((c) => !c.ok)
    .map((c) => `${c.name}: ${c.detail}`);
}

describe('contract probe', () => {
  it('names a missing method and blocks the suite', () => {
    const checks = probeContract(patched('no-free', () => ({ free: undefined })));
    expect(checks.find((c) => !c.ok)?.detail).toMatch(/the model has no free\(\) method/);
    expect(contractBlocks(checks)).toBe(true);
  });

  it('names a wrong return type', () => {
    const f = failures(patched('string-malloc', (m) => ({ malloc: (cpu: never, n: number) => `0x${m.malloc(cpu, n).toString(16)}` })));
    expect(f[0]).toMatch(
      /^malloc: malloc\(cpu, 24\) returned the string '0x[0-9a-f]+'; it must return the block's address as a non-negative integer/,
    );
  });

  it('reports a usable size that is too small, without blocking the suite', () => {
    const checks = probeContract(patched('small-usable', () => ({ usableSize: () => 8 })));
    expect(checks.find((c) => !c.ok)?.detail).toMatch(/usableSize\(cpu, p\) of a 24-byte block returned 8/);
    expect(contractBlocks(checks)).toBe(false);
  });

  it('reports a describe() of the wrong shape', () => {
    const f = failures(patched('bad-describe', () => ({ describe: () => ({ name: 'x' }) })));
    expect(f[0]).toMatch(/describe: describe\(\): summary must be a string; sizeClasses must be an array/);
  });

  it('stops an endless loop in free and says so', () => {
    // The walk to the block's place restarts from the head instead of advancing.
    const file = mutant('freelist', 'loop', [
      [
        '      cur = cpu.load(cur + 8, 8, ORIGIN_LINK);\n    }\n    let merged',
        '      cur = cpu.load(this.globals + HEAD);\n    }\n    let merged',
      ],
    ]);
    return loadModelFile(file).then((info) => {
      const bad = probeContract(info, file).find((c) => !c.ok);
      expect(bad?.detail).toMatch(/free\(cpu, .\).* threw RunawayOperation: .*endless loop/);
      expect(bad?.detail).toMatch(/loop\.ts:\d+:\d+\)$/);
    });
  });
});

describe('model files', () => {
  it('a file with no model export is a one-line usage error', async () => {
    const file = join(tempDir(), 'empty.ts');
    writeFileSync(file, 'export const x = 1;\n');
    await expect(loadModelFile(file)).rejects.toThrow(/empty\.ts: no model exported; add: export default defineModel/);
  });

  it('a class as the default export is explained', async () => {
    const file = join(tempDir(), 'cls.ts');
    writeFileSync(file, 'export default class Mine {}\n');
    await expect(loadModelFile(file)).rejects.toThrow(/default export is a function or class; export a ModelInfo/);
  });

  it('a file that does not compile cannot be loaded, in one line', async () => {
    const file = join(tempDir(), 'broken.ts');
    writeFileSync(file, 'export default {{{\n');
    await expect(loadModelFile(file)).rejects.toThrow(/^broken\.ts: cannot load it: /);
  });

  it('run -a with a file that breaks the contract exits 2 with one line', async () => {
    const file = mutant('freelist', 'nomalloc', [
      ['  malloc(cpu: Cpu, size: number, align = 16): number {', '  mallocX(cpu: Cpu, size: number, align = 16): number {'],
    ]);
    await expect(resolveModel(file)).rejects.toThrow(/nomalloc\.ts breaks the allocator contract: the model has no malloc\(\) method/);
    const r = await allocsim(['run', '-a', file, '-w', 'random']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('run -a ./file.ts runs the student model', async () => {
    const file = join(import.meta.dirname, '..', '..', 'templates', 'freelist', 'allocator.ts');
    const r = await allocsim(['run', '-a', file, '-w', 'random', '-p', 'ops=300', '--check', '--json']);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as { allocator: string; check: { violations: unknown[] }; atomics: { locks: number } };
    expect(res.allocator).toBe('my-freelist');
    expect(res.check.violations).toEqual([]);
    expect(res.atomics.locks).toBeGreaterThan(0);
  });
});
