#!/usr/bin/env node
// `npm test`: installs what is missing, starts the real servers, runs every suite (see scripts/run-tests.ts).
import { ensureNodeModules, runTs } from './bootstrap.mjs';

ensureNodeModules();
runTs('scripts/run-tests.ts', process.argv.slice(2));
