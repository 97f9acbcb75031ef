import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Model files (the coursework templates, students' models) import the kit by the package's name.
    alias: { 'allocsim/kit': fileURLToPath(new URL('./src/allocators/kit/kit.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'threads',
    testTimeout: 60_000,
  },
});
