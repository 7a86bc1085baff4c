import {afterEach, vi} from 'vitest';
import {main} from '../source/commands/main.js';

/** Runs `mfatrail …` in-process and captures what it writes. */
export async function runMain(...argv: string[]): Promise<{status: number; stdout: string; stderr: string}> {
	let stdout = '';
	let stderr = '';
	const out = vi.spyOn(process.stdout, 'write').mockImplementation(chunk => ((stdout += String(chunk)), true));
	const err = vi.spyOn(process.stderr, 'write').mockImplementation(chunk => ((stderr += String(chunk)), true));
	try {
		const status = await main(argv);
		return {status, stdout, stderr};
	} finally {
		out.mockRestore();
		err.mockRestore();
	}
}

/** Restores any spy a failed run left behind. */
export function restoreMocksAfterEach(): void {
	afterEach(() => vi.restoreAllMocks());
}
