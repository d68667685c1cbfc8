// Lint for the whole repo, with the architecture rules as lint errors (see ../shared/STYLE.md):
// - kafkajs and stompit are unmaintained: each lives behind one module of common, nothing else imports it;
// - no service imports another service (they talk over HTTP, Kafka or the queue), and common imports none;
// - within a service, domain/ (use cases, rules) imports no client library, no adapter of common and
//   nothing of data-access/, entry-points/ or workers/: it declares what it needs, the rest depends on it;
//   data-access/ imports neither entry-points/ nor workers/.
// Flat config replaces a rule's options rather than merging them, so each group of files below gets one
// no-restricted-imports entry holding every restriction that applies to it.
// - admin-web's features use each other only through their index.ts, in one direction (below).
import { readdirSync } from 'node:fs';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const SERVICES = ['access-api', 'orchestrator-api', 'consumer-mq'];

const KAFKAJS = {
  name: 'kafkajs',
  message: 'Use @regflow/common/kafka: kafkajs is unmaintained and stays behind common/src/kafka.',
};
const STOMPIT = {
  name: 'stompit',
  message: 'Use @regflow/common/stomp: stompit is unmaintained and stays behind common/src/stomp.',
};
const CLIENT_LIBRARIES = [
  'redis',
  'pg',
  'drizzle-orm',
  '@elastic/elasticsearch',
  'express',
  '@regflow/common/http',
  '@regflow/common/kafka',
  '@regflow/common/stomp',
].map((name) => ({
  name,
  message:
    'domain/ holds use cases and rules: it declares what it needs of a client, and service.ts passes the client in.',
}));

const folder = (names) => `(^|/)(${names.join('|')})(/|$)`;
const otherServices = (self) => ({
  regex: folder(SERVICES.filter((s) => s !== self)),
  message: `${self ?? 'common'} must not import another service: services talk over HTTP, Kafka or the queue.`,
});
const LAYERS_OUTSIDE_DOMAIN = {
  regex: folder(['data-access', 'entry-points', 'workers']),
  message: 'domain/ imports nothing of data-access/, entry-points/ or workers/: they depend on it, not the reverse.',
};
const COMPOSITION_ROOT = {
  regex: '^\\.\\./(main|service|app|config)$',
  message: 'Only the composition root (main.ts, service.ts, app.ts) wires the service together.',
};
const LAYERS_ABOVE_DATA_ACCESS = {
  regex: folder(['entry-points', 'workers']),
  message: 'data-access/ is called by entry points and workers; it does not call them.',
};

const restrict = (paths, patterns = []) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });
const bothLibraries = [KAFKAJS, STOMPIT];

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
  users: ['auth'],
  reasons: [],
  queue: ['auth', 'live', 'reasons', 'search', 'stats', 'users'],
};

function adminWebBoundaries() {
  const src = 'admin-web/src';
  const features = readdirSync(new URL(`./${src}/features`, import.meta.url), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const unlisted = features.filter((feature) => !(feature in ADMIN_WEB_FEATURE_DEPENDENCIES));
  if (unlisted.length > 0)
    throw new Error(`eslint.config.js: list the dependencies of admin-web feature(s) ${unlisted.join(', ')}`);

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
      [
        {
          regex: '^@/(features|app)(/|$)',
          message:
            'Shared code imports no feature and not the app: move what both need into src/lib or src/components.',
        },
      ],
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
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.local/**',
      'admin-web/test-results/**',
      'bench-results/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['**/*.ts', '**/*.tsx'], rules: restrict(bothLibraries) },
  { files: ['common/src/kafka/**/*.ts'], rules: restrict([STOMPIT]) },
  { files: ['common/src/stomp/**/*.ts'], rules: restrict([KAFKAJS]) },
  {
    files: ['common/**/*.ts'],
    ignores: ['common/src/kafka/**', 'common/src/stomp/**'],
    rules: restrict(bothLibraries, [otherServices(undefined)]),
  },
  ...SERVICES.flatMap((service) => [
    { files: [`${service}/**/*.ts`], rules: restrict(bothLibraries, [otherServices(service)]) },
    {
      files: [`${service}/src/data-access/**/*.ts`],
      rules: restrict(bothLibraries, [otherServices(service), LAYERS_ABOVE_DATA_ACCESS]),
    },
    {
      files: [`${service}/src/domain/**/*.ts`],
      rules: restrict(
        [...bothLibraries, ...CLIENT_LIBRARIES],
        [
          otherServices(service),
          LAYERS_OUTSIDE_DOMAIN,
          COMPOSITION_ROOT,
          { group: ['drizzle-orm/*'], message: CLIENT_LIBRARIES[0].message },
        ],
      ),
    },
  ]),
  ...adminWebBoundaries(),
  // The rules of hooks, and the purity rules React Compiler relies on (no refs read in render, no
  // setState straight from an effect), for the console; a missing effect dependency is an error too.
  {
    files: ['admin-web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    rules: { ...reactHooks.configs.flat.recommended.rules, 'react-hooks/exhaustive-deps': 'error' },
  },
);
