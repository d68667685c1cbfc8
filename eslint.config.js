// Lint for the whole repo, with the architecture rules as lint errors (see ../shared/STYLE.md):
// domain code never imports a client library; kafkajs and stompit live behind one module each;
// no service imports another service.
import { readdirSync } from 'node:fs';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const CLIENT_LIBRARIES = ['kafkajs', 'stompit', 'redis', 'pg', 'drizzle-orm', 'drizzle-orm/*', '@elastic/elasticsearch', 'express'];
const SERVICES = ['access-api', 'orchestrator-api', 'consumer-mq'];

const otherServices = (self) =>
  SERVICES.filter((s) => s !== self).map((s) => ({ group: [`**/${s}/**`, `**/${s}`], message: `${self} must not import ${s}: services talk over HTTP, Kafka or the queue.` }));

// --- admin-web: features with boundaries (see admin-web/README.md) ---------------------------------------
// Shared code (src/lib, src/components, src/config, src/types) imports no feature and not the app. A
// feature uses another one only through its index.ts (`@/features/<name>`), only if it is listed below,
// and never the app; relative imports stay inside their own feature. The list is the dependency graph,
// kept acyclic: src/app, the composition root, is where features that would need each other meet.
const ADMIN_WEB_FEATURE_DEPENDENCIES = {
  auth: [],
  live: [],
  search: [],
  stats: [],
  users: [],
  queue: ['auth', 'live', 'search', 'stats', 'users'],
};

function adminWebBoundaries() {
  const src = 'admin-web/src';
  const features = readdirSync(new URL(`./${src}/features`, import.meta.url), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const unlisted = features.filter((feature) => !(feature in ADMIN_WEB_FEATURE_DEPENDENCIES));
  if (unlisted.length > 0) throw new Error(`eslint.config.js: list the dependencies of admin-web feature(s) ${unlisted.join(', ')}`);

  const restrict = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
  const noApp = { regex: '^@/app(/|$)', message: 'Features do not import the app (src/app composes them).' };
  const onlyThroughIndex = (self) => ({
    regex: `^@/features/${self ? `(?!${self}/)` : ''}[^/]+/`,
    message: "Use another feature through its index.ts ('@/features/<name>'), not a file inside it.",
  });
  const notOutOfFeature = (levels) => ({
    regex: `^(\\.\\./){${levels},}`,
    message: "Relative imports stay inside the feature; use '@/features/<name>' or a shared '@/…' module.",
  });
  const onlyListedFeatures = (self) => ({
    regex: `^@/features/(?!(${[self, ...ADMIN_WEB_FEATURE_DEPENDENCIES[self]].join('|')})(/|$))`,
    message: `${self} may use ${ADMIN_WEB_FEATURE_DEPENDENCIES[self].join(', ') || 'no other feature'} (ADMIN_WEB_FEATURE_DEPENDENCIES in eslint.config.js).`,
  });
  return [
    restrict(
      [`${src}/{lib,components,config,types}/**/*.{ts,tsx}`],
      [{ regex: '^@/(features|app)(/|$)', message: 'Shared code imports no feature and not the app: move what both need into src/lib or src/components.' }],
    ),
    restrict([`${src}/app/**/*.{ts,tsx}`], [onlyThroughIndex()]),
    ...features.flatMap((feature) => {
      const rules = [onlyThroughIndex(feature), onlyListedFeatures(feature), noApp];
      return [
        restrict([`${src}/features/${feature}/*.{ts,tsx}`], [...rules, notOutOfFeature(1)]),
        restrict([`${src}/features/${feature}/*/**/*.{ts,tsx}`], [...rules, notOutOfFeature(2)]),
      ];
    }),
  ];
}

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.local/**', 'admin-web/test-results/**', 'bench-results/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['**/src/**/*.ts'],
    ignores: ['common/src/kafka/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'kafkajs', message: 'Use @regflow/common/kafka: kafkajs is unmaintained and stays behind one module.' }] }] },
  },
  ...SERVICES.map((service) => ({
    files: [`${service}/src/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kafkajs', message: 'Use @regflow/common/kafka: kafkajs is unmaintained and stays behind one module.' },
            { name: 'stompit', message: 'Use @regflow/common/stomp: stompit is unmaintained and stays behind one module.' },
          ],
          patterns: otherServices(service),
        },
      ],
    },
  })),
  ...SERVICES.map((service) => ({
    files: [`${service}/src/domain/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: CLIENT_LIBRARIES.filter((l) => !l.includes('*')).map((name) => ({ name, message: 'domain/ holds use cases: reach clients through data-access/ (type imports are fine).', allowTypeImports: true })),
          patterns: [{ group: ['drizzle-orm/*'], message: 'domain/ holds use cases: reach clients through data-access/.', allowTypeImports: true }, ...otherServices(service)],
        },
      ],
    },
  })),
  ...adminWebBoundaries(),
  // The rules of hooks, and the purity rules React Compiler relies on (no refs read in render, no
  // setState straight from an effect), for the console; a missing effect dependency is an error too.
  {
    files: ['admin-web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    rules: { ...reactHooks.configs.flat.recommended.rules, 'react-hooks/exhaustive-deps': 'error' },
  },
);
