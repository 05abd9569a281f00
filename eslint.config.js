import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'public/',
      'bench/results/',
      'test-results/',
      'playwright-report/',
      'e2e-artifacts/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Imports flow down (design.md): app → worker → engine → editors → model → gpu; eval, reference and util
  // are leaves used from above; cli and tools sit at the top beside app. Each folder may not import a folder
  // above it. Tests may reach sideways into testing helpers (src/**/testing.ts) but not upwards either.
  ...layerRules(),
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
);

/** One no-restricted-imports rule per layer: the folders it must not import from. */
function layerRules() {
  const up = {
    gpu: ['model', 'editors', 'engine', 'worker', 'app', 'cli', 'train', 'eval'],
    model: ['editors', 'engine', 'worker', 'app', 'cli', 'train', 'eval'],
    editors: ['engine', 'worker', 'app', 'cli', 'train'],
    train: ['editors', 'engine', 'worker', 'app', 'cli'],
    engine: ['worker', 'app', 'cli'],
    worker: ['app', 'cli'],
    eval: ['gpu', 'model', 'editors', 'engine', 'worker', 'app', 'cli', 'train'],
    reference: ['editors', 'engine', 'worker', 'app', 'cli', 'train', 'eval'],
    util: ['gpu', 'model', 'editors', 'engine', 'worker', 'app', 'cli', 'train', 'eval', 'reference'],
  };
  return Object.entries(up).map(([layer, banned]) => ({
    files: [`src/${layer}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // A relative import that leaves src/<layer> and lands in a banned folder.
              regex: `^(\\.\\./)+(${banned.join('|')})/`,
              message: `Imports flow down: src/${layer} must not import from src/{${banned.join(',')}} (eslint.config.js, layerRules).`,
            },
          ],
        },
      ],
    },
  }));
}
