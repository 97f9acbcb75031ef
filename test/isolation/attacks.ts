/**
 * The isolation tests of one command: every attack of hostile.ts in its own test, each refused or
 * failed with one line within its limit and nothing changed on disk; every patch of the grader's
 * globals in its own test, whose output must equal the honest template's.
 */
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/capture.ts';
import { COMMANDS, comparable } from './commands.ts';
import { ATTACKS, expectContained, LIMITS, MEMORY_LIMITS, PATCHES, project } from './hostile.ts';

const slug = (s: string): string => s.replace(/[^a-z]+/gi, '-');

export function attackTests(command: string): void {
  const argv = COMMANDS[command] as (file: string, limits?: readonly string[]) => string[];
  describe(`${command} runs a hostile model file isolated`, () => {
    for (const [name, a] of Object.entries(ATTACKS)) {
      it(`a model that ${name} is refused or fails within its limit`, async () => {
        const p = project(slug(name), a.where, a.code);
        const started = Date.now();
        const memory = /memory/.test(name);
        const r = await cli(...argv(p.file, memory ? MEMORY_LIMITS : LIMITS));
        expectContained(name, p, r);
        expect(Date.now() - started).toBeLessThan(memory ? 30_000 : 15_000);
      }, 60_000);
    }
    for (const [name, a] of Object.entries(PATCHES)) {
      it(`a model that ${name} gets the honest model's result`, async () => {
        const honest = project('honest', 'import', () => '');
        const p = project(slug(name), a.where, a.code);
        const [h, r] = [await cli(...argv(honest.file)), await cli(...argv(p.file))];
        expect(h.code, h.err).toBe(0);
        expect(r.code, r.err).toBe(0);
        expect(comparable(command, r.out)).toEqual(comparable(command, h.out));
        expect(r.out).not.toMatch(/forged/);
      }, 40_000);
    }
  });
}
