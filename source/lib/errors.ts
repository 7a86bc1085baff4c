import os from 'node:os';

/**
 * An error in how mfatrail was called (an unknown flag value, a missing argument, a file named on
 * the command line that cannot be used): the command line is to blame, not the evidence nor
 * mfatrail. The commands exit 2 on it (source/commands/exit.ts).
 */
export class UsageError extends Error {
	override name = 'UsageError';
}

/** A process stopped by a signal exits 128 + its number: 130 SIGINT, 143 SIGTERM, 129 SIGHUP. */
export function signalExitCode(signal: NodeJS.Signals): number {
	return 128 + (os.constants.signals[signal] ?? 0);
}
