// Lint for the whole repo, with the architecture rules as lint errors (see ../shared/STYLE.md):
// domain code never imports a client library; kafkajs and stompit live behind one module each;
// no service imports another service.
import tseslint from 'typescript-eslint';

const CLIENT_LIBRARIES = ['kafkajs', 'stompit', 'redis', 'pg', 'drizzle-orm', 'drizzle-orm/*', '@elastic/elasticsearch', 'express'];
const SERVICES = ['access-api', 'orchestrator-api', 'consumer-mq'];

const otherServices = (self) =>
  SERVICES.filter((s) => s !== self).map((s) => ({ group: [`**/${s}/**`, `**/${s}`], message: `${self} must not import ${s}: services talk over HTTP, Kafka or the queue.` }));

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
);
