import {signalExitCode} from '../lib/errors.js';
import {render} from 'ink';
import type {CaseFile} from '../db/open.js';
import {App} from './App.js';
import {openExplorerData} from './data.js';

import {enterAlternateScreen, interactive, leaveAlternateScreen} from './splash.js';

export {interactive};

export interface RunOptions {
	query?: string;
	exportDir?: string;
	/** Opens the case file for writing a triage decision (the explorer itself reads only). */
	openWritable?: () => CaseFile;
	/** The splash (source/ui/splash.ts) is on screen: the alternate screen is entered, the frame is cleared for Ink. */
	splash?: boolean;
}

/**
 * Runs the explorer full-screen until the user quits. The alternate screen keeps the user's
 * scrollback intact; it is left on every way out (quit, Ctrl-C, SIGTERM/SIGHUP, a crash).
 */
export async function runExplorer(db: CaseFile, options: RunOptions = {}): Promise<number> {
	const data = openExplorerData(db, {openWritable: options.openWritable});
	let left = false;
	const leave = () => {
		if (left) return;
		left = true;
		process.stdout.write(leaveAlternateScreen);
	};
	process.stdout.write(options.splash ? '\x1b[H\x1b[2J' : enterAlternateScreen);
	const instance = render(<App data={data} initialQuery={options.query ?? ''} exportDir={options.exportDir ?? process.cwd()} />, {
		exitOnCtrlC: false, // the App quits on Ctrl-C itself, through the same path as q
		patchConsole: true,
	});
	const onSignal = (signal: NodeJS.Signals) => {
		instance.unmount();
		leave();
		db.close();
		process.exit(signalExitCode(signal));
	};
	process.once('SIGTERM', onSignal);
	process.once('SIGHUP', onSignal);
	process.once('exit', leave);
	try {
		await instance.waitUntilExit();
	} finally {
		leave();
		process.off('SIGTERM', onSignal);
		process.off('SIGHUP', onSignal);
		process.off('exit', leave);
	}
	return 0;
}
