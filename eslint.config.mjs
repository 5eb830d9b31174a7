import nextVitals from 'eslint-config-next/core-web-vitals'
import nextTypescript from 'eslint-config-next/typescript'

// The layer rules of shared/ARCHITECTURE.md, enforced: nothing imports upward.
const noUpwardImports = (patterns) => ['error', { patterns }]
const frameworkAndApp = [
  { group: ['next', 'next/*', 'react', 'react-dom', 'next-auth', 'next-auth/*'], message: 'Keep this layer framework-free.' },
  { group: ['@/app/*', '@/components/*', '**/app/*', '**/components/*'], message: 'Lower layers never import the app or components.' },
]

export default [
  ...nextVitals,
  ...nextTypescript,
  {
    ignores: ['node_modules/**', '.next/**', '.next-*/**', 'dist/**', 'lib/db/generated/**', 'data/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts'],
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      'import/no-anonymous-default-export': 'off',
    },
  },
  {
    // Tests read arbitrary SCIM JSON back.
    files: ['**/*.test.ts', 'test/**', 'e2e/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['lib/scim/**'],
    rules: {
      'no-restricted-imports': noUpwardImports([
        ...frameworkAndApp,
        { group: ['@/lib/*', '../db/*', '../services/*', '../http/*', '../auth/*', '**/generated/*', '@prisma/*', 'node:*'], message: 'lib/scim is the pure protocol core: zod at most.' },
      ]),
    },
  },
  {
    files: ['lib/db/**'],
    ignores: ['lib/db/**/*.test.ts'],
    rules: {
      'no-restricted-imports': noUpwardImports([
        ...frameworkAndApp,
        { group: ['@/lib/services/*', '@/lib/http/*', '@/lib/auth/*', '../services/*', '../http/*', '../auth/*'], message: 'lib/db may not import services, HTTP or auth.' },
      ]),
    },
  },
  {
    files: ['lib/services/**'],
    rules: {
      'no-restricted-imports': noUpwardImports([
        ...frameworkAndApp,
        { group: ['@/lib/http/*', '@/lib/auth/*', '../http/*', '../auth/*'], message: 'Services never see Request or sessions.' },
      ]),
    },
  },
  {
    files: ['components/**'],
    rules: {
      'no-restricted-imports': noUpwardImports([
        { group: ['@/lib/db/*', '@/lib/services/*', '**/lib/db/*', '**/lib/services/*'], allowTypeImports: true, message: 'Components never touch the database.' },
      ]),
    },
  },
]
