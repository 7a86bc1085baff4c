import {spawnSync, type SpawnSyncReturns} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cli = path.join(repoRoot, 'dist', 'cli.js');

/** The newest modification time of any file under dir. */
export function newest(dir: string): number {
	let time = 0;
	for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
		const file = path.join(dir, entry.name);
		time = Math.max(time, entry.isDirectory() ? newest(file) : fs.statSync(file).mtimeMs);
	}
	return time;
}

/** Builds dist/ when it is missing or older than source/ (esbuild: type errors are tsc's job in npm test). */
export function ensureBuilt(): void {
	if (fs.existsSync(cli) && fs.statSync(cli).mtimeMs >= newest(path.join(repoRoot, 'source'))) return;
	spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], {cwd: repoRoot, stdio: 'ignore'});
	if (!fs.existsSync(cli)) throw new Error('dist/cli.js was not built');
}

export function runCli(args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}): SpawnSyncReturns<Buffer> {
	return spawnSync(process.execPath, [cli, ...args], {
		cwd: options.cwd ?? repoRoot,
		env: {...process.env, FORCE_COLOR: '0', ...options.env},
		maxBuffer: 64 * 1024 * 1024,
	});
}
