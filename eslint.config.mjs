// Lint: typescript-eslint recommended, plus the architecture rule that standards modules only
// depend on the core (src/xplanung, src/open311 and src/dcat never import each other).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const standards = ['xplanung', 'open311', 'dcat'];
const boundaries = standards.map((s) => ({
  files: [`src/${s}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: standards.filter((o) => o !== s).map((o) => ({
        group: [`**/${o}/*`, `**/${o}`],
        message: `src/${s} must not import src/${o}: standards depend on src/core only.`,
      })),
    }],
  },
}));

export default tseslint.config(
  { ignores: ['.scratch/**', 'node_modules/**', 'schemas/vendor/**', 'src/generated/**', 'data/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...boundaries,
);
