#!/usr/bin/env node
/** mfatrail entry: the terminal environment is settled first, then commands load on demand. */
import './terminal-env.js';

const {main} = await import('./commands/main.js');
process.exitCode = await main(process.argv.slice(2));
