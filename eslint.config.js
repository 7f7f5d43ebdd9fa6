// ESLint flat config: typescript-eslint's recommended rules for all code, react-hooks for the renderer.
// `npm run lint` runs it (and `npm test` runs lint first, so a finding fails fast).
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default defineConfig(
  {
    ignores: ['dist/', '.tsbuild/', 'node_modules/', 'release/', 'coverage/', 'test-results/', 'bench/results/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The codebase's convention: a leading underscore marks a binding that is deliberately unused
      // (a field dropped from an object by destructuring, a loop variable only counted).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // A sandboxed preload is CommonJS, and `import x = require()` is TypeScript's typed form of that.
    files: ['**/*.cts'],
    rules: { '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }] },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    // recommended-latest: rules-of-hooks (error), exhaustive-deps (warn) and the React Compiler's checks
    // (refs, purity, set-state-in-effect, ...), which hold for plain React too.
    extends: [reactHooks.configs.flat['recommended-latest']],
    rules: {
      // Only says the React Compiler would skip a component; this app is not built with the compiler.
      'react-hooks/incompatible-library': 'off',
    },
  },
);
