import nextVitals from 'eslint-config-next/core-web-vitals'
import nextTypescript from 'eslint-config-next/typescript'

// The layer rules of docs/architecture.md, enforced: nothing imports upward.
const noUpwardImports = (patterns) => ['error', { patterns }]
/** Prisma and its generated client are lib/db's secret: everything else sees lib/db's own types and functions. */
const prismaOutsideDb = {
  group: ['**/db/generated', '**/db/generated/*', '@prisma/*'],
  message: 'Only lib/db imports Prisma or lib/db/generated: use what lib/db exports (types, enums.ts, UniqueViolationError).',
}
const frameworkAndApp = [
  { group: ['next', 'next/*', 'react', 'react-dom', 'next-auth', 'next-auth/*'], message: 'Keep this layer framework-free.' },
  {
    group: ['@/app/*', '@/components/*', '**/app/*', '**/components/*'],
    message: 'Lower layers never import the app or components.',
  },
]

export default [
  ...nextVitals,
  ...nextTypescript,
  {
    ignores: [
      'node_modules/**',
      '.next/**',
      '.next-*/**',
      'dist/**',
      'lib/db/generated/**',
      'data/**',
      'test-results/**',
      'playwright-report/**',
      'next-env.d.ts',
    ],
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
        prismaOutsideDb,
        {
          group: ['@/lib/*', '**/db/*', '**/services/*', '**/http/*', '**/auth/*', 'node:*'],
          message: 'lib/scim is the pure protocol core: zod at most.',
        },
      ]),
    },
  },
  {
    files: ['lib/db/**'],
    ignores: ['lib/db/**/*.test.ts'],
    rules: {
      'no-restricted-imports': noUpwardImports([
        ...frameworkAndApp,
        {
          group: ['@/lib/services/*', '@/lib/http/*', '@/lib/auth/*', '../services/*', '../http/*', '../auth/*'],
          message: 'lib/db may not import services, HTTP or auth.',
        },
      ]),
    },
  },
  {
    files: ['lib/services/**'],
    rules: {
      'no-restricted-imports': noUpwardImports([
        ...frameworkAndApp,
        prismaOutsideDb,
        { group: ['@/lib/http/*', '@/lib/auth/*', '../http/*', '../auth/*'], message: 'Services never see Request or sessions.' },
      ]),
    },
  },
  {
    // The HTTP funnels: they may use services, the protocol core, auth and env, never the app above them.
    files: ['lib/http/**'],
    rules: {
      'no-restricted-imports': noUpwardImports([
        prismaOutsideDb,
        {
          group: ['@/app/*', '@/components/*', '**/app/*', '**/components/*'],
          message: 'lib/http never imports the app or components.',
        },
      ]),
    },
  },
  {
    files: ['components/**'],
    rules: {
      'no-restricted-imports': noUpwardImports([
        prismaOutsideDb,
        {
          group: ['@/lib/db/*', '@/lib/services/*', '**/lib/db/*', '**/lib/services/*'],
          allowTypeImports: true,
          message: 'Components never touch the database.',
        },
      ]),
    },
  },
  {
    // Everywhere else (app, lib/auth, lib/*.ts, scripts, tests outside lib/db): no Prisma either.
    files: ['**/*.{ts,tsx,mts,mjs}'],
    ignores: ['lib/db/**', 'lib/scim/**', 'lib/services/**', 'lib/http/**', 'components/**'],
    rules: { 'no-restricted-imports': noUpwardImports([prismaOutsideDb]) },
  },
  {
    // Settings are read and validated in one place. next-auth reads NEXTAUTH_URL itself, so options.ts sets it.
    files: ['lib/**'],
    ignores: ['lib/env.ts', 'lib/auth/options.ts', 'lib/**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read settings through env() in lib/env.ts, the one reader of process.env.',
        },
      ],
    },
  },
]
