import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach} from 'vitest';

/** A maker of temporary folders for the calling test file, each removed after its test. */
export function useTempDirs(): () => string {
	const dirs: string[] = [];
	afterEach(() => {
		for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
	});
	return () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
		dirs.push(dir);
		return dir;
	};
}
