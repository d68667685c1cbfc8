import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BROKER_XML } from './servers/activemq';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('ActiveMQ configuration', () => {
  it('when compose runs ActiveMQ, then it mounts the file the local broker starts with', () => {
    const compose = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain(`- ./${BROKER_XML}:/opt/apache-activemq/conf/regflow-activemq.xml:ro`);
  });

  it('when the file has a placeholder without a default, then both environments set it', () => {
    const xml = fs.readFileSync(path.join(root, BROKER_XML), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    const required = [...xml.matchAll(/\$\{([^}:]+)\}/g)].map((m) => m[1]);
    // activemq.data: ActiveMQ's start script (compose) and the local stack's -Dactivemq.data;
    // ACTIVEMQ_PASSWORD: compose's environment and the local stack's random one.
    expect([...new Set(required)].sort()).toEqual(['ACTIVEMQ_PASSWORD', 'activemq.data']);
  });
});
