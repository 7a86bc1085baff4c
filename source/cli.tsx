#!/usr/bin/env node
/** mfatrail entry: the terminal environment is settled first, then commands load on demand. */
import nodeModule from 'node:module';
import './terminal-env.js';
import {toolVersion, unsupportedNode} from './package-root.js';

const argv = process.argv.slice(2);
// Said in one line before anything the older Node lacks is reached (a named import of
// enableCompileCache failed on Node 20 with a SyntaxError before any of this code ran).
const unsupported = unsupportedNode();
if (unsupported) {
	process.stderr.write(`${unsupported}\n`);
	process.exitCode = 5; // exitCodes.error (commands/exit.ts loads SQLite, whose addon an older Node may crash on)
} else if (argv.length === 1 && argv[0] === '--version') {
	// The one answer scripts ask for most, given before anything else loads (main.ts answers
	// --version beside other arguments, e.g. --db).
	process.stdout.write(`${toolVersion()}\n`);
} else {
	// Node keeps the compiled code of every module loaded from here on disk (in the OS temp folder)
	// and reuses it at the next start: query commands start sooner.
	nodeModule.enableCompileCache();
	const {main} = await import('./commands/main.js');
	process.exitCode = await main(argv);
}
