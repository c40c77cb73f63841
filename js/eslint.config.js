// ESLint's flat configuration for the JavaScript port: its recommended rules, plus a few that
// catch what review keeps catching (loose equality, reassignable bindings never reassigned).
// A development tool only (devDependencies): the port itself has no dependencies.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/', 'bin/port4me.cjs'] }, // the command is generated from lib/ (tools/bundle.js)
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
      'no-implicit-coercion': 'error',
      'no-throw-literal': 'error',
    },
  },
];
