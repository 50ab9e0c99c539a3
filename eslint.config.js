// Lint rules: typescript-eslint's recommended set; tsc does the type checking.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'lake/', 'cdk.out/', '.wattlake/', 'coverage/', 'bench/out/', 'test/output/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // The twin dashboard's page script runs in the browser, not in Node.
  { files: ['infra/local/dashboard/static/**/*.js'], languageOptions: { globals: globals.browser } },
);
