// npm run lint: the type check, then this. Besides typescript-eslint's recommended rules it
// encodes DESIGN.md's module table, so a boundary is crossed only on purpose (by changing
// this file, and the design with it):
//   mail-engine/          never imports next, react, next-auth, server/, app/ or components/;
//   mail-engine/policy/   does no I/O: no fs, net, dns, child processes, workers, timers,
//                         database clients or the engine's stateful folders;
//   mail-engine/ (but store/) does not touch Prisma or pg (types from store/ are fine);
//   app/                  never talks to Prisma directly;
//   components/           imports server actions, and only types from the rest of server/;
//   everywhere            no import cycle, no access to any `prototype`, no file over 400 lines.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** no-restricted-imports patterns from [regex, message] pairs. */
const forbid = (pairs, extra = {}) => pairs.map(([regex, message]) => ({ regex, message, ...extra }));

const UI = [
  ['^(next|react|react-dom|next-auth)(/.*)?$', 'mail-engine/ runs without the web stack (DESIGN.md): no next, react or next-auth.'],
  ['(^|/)(server|app|components)(/|$)|^@/(server|app|components)/', 'mail-engine/ never imports the console (server/, app/, components/).'],
];
const DATABASE = [
  ['^(@prisma/.*|pg|better-sqlite3|prisma)$', 'Only mail-engine/store/ touches the database (DESIGN.md).'],
  ['(^|/)prisma/(client|generated|policy-rows|migrate)', 'Only mail-engine/store/ touches the database (DESIGN.md).'],
];
const IO = [
  ['^(node:)?(fs|fs/promises|net|tls|dgram|dns|dns/promises|http|https|http2|child_process|worker_threads|cluster|timers|timers/promises|readline)$', 'mail-engine/policy/ is pure: no I/O (DESIGN.md). Fetch facts in the engine and pass them in.'],
  ['(^|/)(store|smtp|queue|delivery|log)/|^\\.\\./main$', 'mail-engine/policy/ does not import the engine\'s stateful parts.'],
];
const TIMERS = ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'fetch'].map((name) => ({
  name,
  message: 'mail-engine/policy/ is pure: no timers or network (DESIGN.md).',
}));

export default tseslint.config(
  {
    ignores: ['node_modules/**', '.next/**', 'prisma/generated/**', 'data/**', 'test-results/**', 'bench/.work/**', 'bench/results/**', 'next-env.d.ts', '**/*.cjs', '**/*.mjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      'import-x/extensions': ['.ts', '.tsx'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='prototype']", message: "Postern never reads or writes another module's prototype: extend by subclassing." },
        { selector: "CallExpression[callee.property.name=/^(setPrototypeOf|defineProperty)$/][arguments.0.property.name='prototype']", message: 'No prototype patching.' },
      ],
      'max-lines': ['error', { max: 400 }],
      // The codebase's own conventions, which the recommended sets would otherwise flag.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // Replies are matched as they are sent: "  + line" is clearer than " {2}\+ line".
    files: ['test/**/*.ts'],
    rules: { 'no-regex-spaces': 'off' },
  },
  {
    files: ['mail-engine/**/*.ts'],
    ignores: ['mail-engine/store/**', 'mail-engine/policy/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...forbid(UI), ...forbid(DATABASE, { allowTypeImports: false })] }] },
  },
  {
    files: ['mail-engine/store/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: forbid(UI) }] },
  },
  {
    files: ['mail-engine/policy/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...forbid(UI), ...forbid(DATABASE), ...forbid(IO)] }],
      'no-restricted-globals': ['error', ...TIMERS],
    },
  },
  {
    files: ['app/**/*.ts', 'app/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: forbid([...DATABASE, ['(^|/)server/db$|^@/server/db$', 'app/ reads through server/queries and changes through server/actions, never the database.']]) },
      ],
    },
  },
  {
    files: ['components/**/*.ts', 'components/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...forbid(DATABASE),
            ...forbid([['(^|/)mail-engine/|^@/mail-engine/', 'components/ import server actions and types only.']], { allowTypeImports: true }),
            ...forbid([['^@/server/(?!actions/)|(^|/)server/(?!actions/)', 'components/ import server actions and types only (values from server/ come as props).']], { allowTypeImports: true }),
          ],
        },
      ],
    },
  },
);
