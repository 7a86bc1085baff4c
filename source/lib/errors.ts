import os from 'node:os';

/**
 * An error in how mfatrail was called (an unknown flag value, a missing argument, a file named on
 * the command line that cannot be used): the command line is to blame, not the evidence nor
 * mfatrail. The commands exit 2 on it (source/commands/exit.ts).
 */
export class UsageError extends Error {
	override name = 'UsageError';
}

/**
 * A command that cannot finish for a reason it can name, which is neither the command line's
 * fault nor a bug (an optional part not installed): exit 5 with the message alone.
 */
export class CannotFinishError extends Error {
	override name = 'CannotFinishError';
}

/** A process stopped by a signal exits 128 + its number: 130 SIGINT, 143 SIGTERM, 129 SIGHUP. */
export function signalExitCode(signal: NodeJS.Signals): number {
	return 128 + (os.constants.signals[signal] ?? 0);
}

/**
 * An error that is mfatrail's own doing, whatever the input: a TypeError or ReferenceError (a
 * property of undefined, a missing name). Readers never turn these into "bad evidence".
 */
export function isProgrammingError(error: unknown): boolean {
	return error instanceof TypeError || error instanceof ReferenceError;
}
