// ESLint for src, test, bench and migrations (`npm run lint`, part of `npm test`).
// typescript-eslint's recommended rules everywhere; its type-checked rules (promises handled,
// assertions needed, templates of strings) on the application code only, which keeps the run
// near the cost of one `tsc`. Formatting is prettier's business, not ESLint's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const TYPED = ['src/**/*.ts', 'bench/**/*.ts', 'migrations/**/*.ts'];

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'public/**'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Output goes through the pino logger; the few deliberate console lines say so.
      'no-console': 'error',
    },
  },
  {
    files: TYPED,
    extends: [tseslint.configs.recommendedTypeCheckedOnly],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // knex rows, JSON bodies and parsed CSV are `any` by the libraries' design and are
      // validated with zod at the edge; these would flag nearly every query.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Handler factories return object literals whose methods never use `this`; passing
      // `h.ranking` to the page registrar is the intended pattern.
      '@typescript-eslint/unbound-method': 'off',
      // `async` without `await` is deliberate where a port or interface promises a Promise
      // (a synchronous throw then becomes a rejection).
      '@typescript-eslint/require-await': 'off',
      // Values of database rows are `unknown` and turned into text on purpose (String(v)),
      // and i18next types t() as possibly returning objects; the rule only sees `{}` there.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
);
