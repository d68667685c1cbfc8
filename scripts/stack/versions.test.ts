import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const compose = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');

/** `docker compose up` and `npm start` run the same server versions. */
describe('server versions', () => {
  it('when compose runs Kafka, then its image is the version the local broker is resolved at', () => {
    const pom = fs.readFileSync(path.join(root, 'scripts', 'stack', 'kafka', 'pom.xml'), 'utf8');
    const local = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
    const image = /image:\s*apache\/kafka:(\S+)/.exec(compose)?.[1];
    expect(local).toMatch(/^\d+\.\d+\.\d+$/);
    expect(image).toBe(local);
  });

  it('when compose runs the mail server, then its image is the maildev version npm start runs', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const local = pkg.devDependencies.maildev;
    const image = /image:\s*maildev\/maildev:(\S+)/.exec(compose)?.[1];
    // Pinned exactly: a range would let npm install a version the image is not.
    expect(local).toMatch(/^\d+\.\d+\.\d+$/);
    expect(image).toBe(local);
  });
});
