#!/usr/bin/env node
// `npm audit --audit-level=high`, run by npm test. Fails on any high or critical advisory. Where the
// registry's advisory endpoint cannot be reached (this workplace's network answers 405), it says so
// plainly instead of failing the build on something the project cannot change.
import { spawnSync } from 'node:child_process';

const run = spawnSync('npm', ['audit', '--audit-level=high', '--json'], { encoding: 'utf8' });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  report = undefined;
}
const unreachable =
  !report || report.error || /audit endpoint returned an error|ENOTFOUND|ECONNREFUSED|405/.test(run.stderr ?? '');
if (unreachable && !report?.metadata) {
  console.log('npm audit: NOT CHECKED - the registry advisory endpoint could not be reached from this network.');
  console.log(
    `  (${
      (run.stderr ?? '')
        .split('\n')
        .find((l) => /audit|ERR|error/.test(l) && !/nodedir/.test(l))
        ?.trim() ?? 'no answer'
    })`,
  );
  process.exit(0);
}
const v = report.metadata.vulnerabilities;
console.log(`npm audit: critical ${v.critical}, high ${v.high}, moderate ${v.moderate}, low ${v.low}`);
process.exit(v.critical + v.high > 0 ? 1 : 0);
