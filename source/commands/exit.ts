/**
 * The one exit-code table, true for every command (docs/exit-codes.md prints it):
 *
 *   0    done: the command did what was asked
 *   1    nothing found: what was asked for is not in the case file (a user, device, key, address,
 *        event or finding id), a search found nothing, or an import found no evidence at all
 *   2    usage: the command line is wrong (unknown command or flag, bad value, missing argument,
 *        a --db that names no case file)
 *   3    partial import: some inputs or records were rejected (each is named); the rest is in
 *   4    a failed check: verify found the case file or the evidence not as recorded, or the case
 *        file damaged (the failed check is named)
 *   5    error: the command could not finish (a damaged case file, a full disk, an I/O error, or
 *        a bug in mfatrail; --debug or MFATRAIL_DEBUG=1 prints its stack)
 *   128+N  stopped by signal N: 130 SIGINT (Ctrl-C), 143 SIGTERM, 129 SIGHUP; work committed
 *        before it is kept
 */
import path from 'node:path';
import {CaseFileError} from '../db/open.js';
import {CannotFinishError, UsageError} from '../lib/errors.js';
import {terminalSafe} from '../lib/terminal-text.js';

export const exitCodes = {ok: 0, nothingFound: 1, usage: 2, partialImport: 3, failedCheck: 4, error: 5} as const;

export {signalExitCode} from '../lib/errors.js';

/** Whether stacks of unexpected errors are printed: --debug, or MFATRAIL_DEBUG=1. */
export function debugEnabled(argv: readonly string[]): boolean {
	return argv.includes('--debug') || ['1', 'true', 'yes'].includes((process.env.MFATRAIL_DEBUG ?? '').toLowerCase());
}

const sqliteCode = (error: unknown): string | undefined => {
	const code = (error as {code?: unknown} | null)?.code;
	return typeof code === 'string' ? code : undefined;
};

/** SQLite's or the OS's "no space left": the disk holding the case file is full. */
export function isDiskFull(error: unknown): boolean {
	const code = sqliteCode(error);
	return code === 'SQLITE_FULL' || code === 'ENOSPC' || /database or disk is full|no space left on device/i.test(String((error as Error)?.message ?? ''));
}

/** SQLite's word that the case file is not a database, or not a whole one. */
export function isDamagedCaseFile(error: unknown): boolean {
	const code = sqliteCode(error) ?? '';
	return /^SQLITE_(CORRUPT|NOTADB)/.test(code) || /database disk image is malformed|file is not a database/i.test(String((error as Error)?.message ?? ''));
}

/**
 * Reports an error that stopped a command, on stderr, and returns its exit code. Messages may
 * quote evidence or pasted arguments: they are terminal-safe like any evidence.
 */
export function reportError(command: string, error: unknown, context: {caseFile?: string; debug?: boolean} = {}): number {
	const say = (text: string) => process.stderr.write(`mfatrail ${command}: ${terminalSafe(text)}\n`);
	const message = String((error as Error)?.message ?? error);
	if (error instanceof UsageError) {
		say(message);
		return exitCodes.usage;
	}
	if (error instanceof CaseFileError && error.reason === 'not-found') {
		say(message);
		return exitCodes.usage;
	}
	if (isDiskFull(error)) {
		const folder = context.caseFile ? path.dirname(path.resolve(context.caseFile)) : 'the case file\'s folder';
		say(
			`the disk holding ${folder} is full (${message}). What was committed before this point is kept in the case file. Free space on that disk and run the same command again to complete the work.`,
		);
		return exitCodes.error;
	}
	if (isDamagedCaseFile(error)) {
		say(`the case file${context.caseFile ? ` ${context.caseFile}` : ''} is damaged (${message}); mfatrail verify names the failed check`);
		return exitCodes.error;
	}
	if (error instanceof CaseFileError || error instanceof CannotFinishError) {
		say(message);
		return exitCodes.error;
	}
	// Anything else is mfatrail's own fault, never the evidence's: say so, and how to see more.
	if (context.debug) for (const line of String((error as Error)?.stack ?? message).split('\n')) process.stderr.write(`${terminalSafe(line)}\n`);
	say(`unexpected error: ${message}${context.debug ? '' : ' (run again with --debug or MFATRAIL_DEBUG=1 for the stack, and report it)'}`);
	return exitCodes.error;
}
