// @ts-check
/**
 * The project's lint rules (`npm run lint`, run by CI). ESLint's and typescript-eslint's
 * recommended rules without type information, so a lint of the whole tree takes seconds
 * (`tsc --noEmit` already checks the types). Formatting is Prettier's (.prettierrc.json): `npm run lint`
 * runs `prettier --check` after ESLint, and `npm run format` rewrites the tree.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'tmp/', 'traces/', 'docs/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      // Node's globals, for the .mjs files (TypeScript checks the .ts files' names itself).
      globals: Object.fromEntries(
        ['console', 'process', 'globalThis', 'URL', 'Buffer', 'setTimeout', 'clearTimeout', 'setImmediate', 'structuredClone'].map((g) => [
          g,
          'readonly',
        ]),
      ),
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      // Expected output is written as the program prints it, two spaces and all.
      'no-regex-spaces': 'off',
    },
  },
);
