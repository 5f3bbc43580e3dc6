import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import litA11y from 'eslint-plugin-lit-a11y';

const PROMISE_RULES = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': 'error',
};

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'custom-elements.json'],
  },
  ...tseslint.configs.recommended,
  lit.configs['flat/recommended'],
  // Accessibility in the templates of both apps: the widget and the agent console.
  { ...litA11y.configs.recommended, files: ['src/**/*.ts', 'apps/**/*.ts'] },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // HTML is made in one place only: src/markdown (marked, then DOMPurify).
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Only src/markdown may produce HTML.' },
        { property: 'outerHTML', message: 'Only src/markdown may produce HTML.' },
        { property: 'insertAdjacentHTML', message: 'Only src/markdown may produce HTML.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'lit/directives/unsafe-html.js',
              message: 'Only src/markdown may produce HTML.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/markdown/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Tests may read the DOM they render as HTML to compare it.
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-properties': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  // A promise nobody awaits or catches is a failure nobody sees (and, in Node, a crash):
  // checked with the types, the server's from tsconfig.server.json.
  {
    files: ['server/**/*.js', 'scripts/load-*.mjs', 'scripts/load/**/*.js'],
    languageOptions: {
      parserOptions: { project: './tsconfig.server.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: PROMISE_RULES,
  },
  {
    files: ['apps/**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: PROMISE_RULES,
  },
);
