#!/usr/bin/env node
/** mfatrail entry: the terminal environment is settled first, then commands load on demand. */
import {enableCompileCache} from 'node:module';
import './terminal-env.js';

// Node keeps the compiled code of every module it loads on disk (in the OS temp folder) and reuses
// it on the next start: --version and the query commands start in about the time of `node -e 0`.
enableCompileCache();

const {main} = await import('./commands/main.js');
process.exitCode = await main(process.argv.slice(2));
