#!/usr/bin/env node
// `npm start`: installs what is missing, then runs the whole system (see scripts/system.ts).
// Plain JavaScript on purpose: it must run before `npm install` has put tsx in place.
import { ensureNodeModules, runTs } from './bootstrap.mjs';

ensureNodeModules();
runTs('scripts/start-system.ts', process.argv.slice(2));
