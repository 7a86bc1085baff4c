import {it} from 'vitest';

/** CI sets CI=true (.ci/run runs under it); there a missing tool is a failure, not a skip. */
const inCi = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Whether a test file's tool is there. Where it is not, the tests that need it are skipped on a
 * developer's machine with a warning, but under CI=true a failing test says what to install: a
 * suite must not pass by silently running less.
 */
export function hasTool(tool: string, present: boolean, install: string): boolean {
	if (present) return true;
	const message = `${tool} is not installed: ${install}`;
	if (inCi) {
		it(`needs ${tool}`, () => {
			throw new Error(message);
		});
	} else {
		console.warn(`SKIPPED: ${message}`);
	}
	return false;
}
