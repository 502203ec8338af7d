// Lint for every package: typed rules, no floating promises, no stray console,
// and the process boundaries of the desktop app.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/out/**', '**/node_modules/**', '**/parley-data/**', '**/coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // `return reject(...)` in guard clauses reads better than two lines each.
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // The renderer reaches the desktop only through window.parley.
      'no-restricted-imports': ['error', { patterns: ['electron', 'node:*'] }],
    },
  },
  {
    files: ['src/shared/**'],
    rules: {
      // Pure TypeScript shared by main, preload and renderer.
      'no-restricted-imports': ['error', { patterns: ['electron', 'node:*', 'svelte', 'svelte/*'] }],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'process'],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // CommonJS on purpose (signaling-server/bin/code-cache.cjs: Node 20 caches only CommonJS code).
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Benchmark baseline pages: plain browser JavaScript and Svelte, outside every tsconfig.
    files: ['bench/app/baselines/**'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { ...globals.browser } },
  },
  {
    // Scripts that report to a terminal.
    files: ['.ci/**', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/test/**/*.ts', '**/tests/**/*.ts', 'bench/**/*.ts', 'src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'off',
    },
  },
);
