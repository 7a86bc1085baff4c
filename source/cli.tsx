#!/usr/bin/env node
/**
 * mfatrail entry. Colour is decided here, before anything that loads chalk or Ink: neither reads
 * NO_COLOR, and chalk fixes its level at import time (ESM imports are hoisted), so commands are
 * loaded with a dynamic import only after the environment is settled.
 */
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') process.env.FORCE_COLOR = '0';

const {main} = await import('./commands/main.js');
process.exitCode = await main(process.argv.slice(2));
