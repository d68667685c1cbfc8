// Experiment only (`npm run bench -- --experiment cpu-profile`): each service writes a V8 CPU profile
// to .local/bench/profiles/<service>-<pid>.cpuprofile when it exits (open it in Chrome DevTools).
// (--cpu-prof itself is not allowed in NODE_OPTIONS.)
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// The service's entry: src/main.ts under tsx, dist/main.js when built.
const entry = process.argv.find((a) => a.endsWith('/src/main.ts') || a.endsWith('/dist/main.js'));
if (entry) {
  const service = path.basename(path.dirname(path.dirname(entry)));
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      const dir = path.resolve('.local/bench/profiles');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${service}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
