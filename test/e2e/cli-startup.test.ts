import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {commands, main} from '../../source/commands/main.js';
import {cli, ensureBuilt, repoRoot} from '../hostile/cli.js';

/**
 * Command modules load lazily: the registry in main.ts must agree with the modules it loads, and
 * --version / --help must answer without loading any command (explore alone pulls in Ink and React).
 */
describe('command registry', () => {
	it('each entry loads its command, with the same name and summary', async () => {
		expect(commands.map(c => c.name)).toEqual(['import', 'verify', 'explore', 'summary', 'findings', 'sigma', 'export', 'triage', 'report', 'search', 'user', 'device', 'logins', 'timeline', 'key', 'ip', 'agent', 'event', 'scope']);
		for (const entry of commands) {
			const command = await entry.load();
			expect(command.name).toBe(entry.name);
			expect(command.summary).toBe(entry.summary);
		}
	});

	it('an unknown command is refused with status 2', async () => {
		expect(await main(['no-such-command'])).toBe(2);
	});
});

describe('start-up of the built CLI', () => {
	beforeAll(() => ensureBuilt());

	/**
	 * The modules a run of the CLI resolved, recorded by a module resolve hook (node --import). The
	 * hook runs on its own thread: it appends each URL to a file synchronously, since writes to
	 * stderr from that thread can be lost when a short run exits first.
	 */
	function loadedModules(args: string[]): string[] {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
		const hook = path.join(dir, 'hook.mjs');
		const log = path.join(dir, 'loaded.txt');
		fs.writeFileSync(log, '');
		const resolver = `import {appendFileSync} from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
	const result = await next(specifier, context);
	appendFileSync(log, result.url + '\\n');
	return result;
}`;
		fs.writeFileSync(hook, `import {register} from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(resolver)}), {data: {log: ${JSON.stringify(log)}}});\n`);
		const result = spawnSync(process.execPath, ['--import', hook, cli, ...args], {cwd: repoRoot, encoding: 'utf8', env: {...process.env, FORCE_COLOR: '0'}});
		const loaded = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
		fs.rmSync(dir, {recursive: true, force: true});
		expect(result.status).toBe(0);
		return loaded;
	}

	it('--version prints the version and loads no command (not even the registry), meow, ink or SQLite', () => {
		const result = spawnSync(process.execPath, [cli, '--version'], {encoding: 'utf8'});
		expect(result.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
		const loaded = loadedModules(['--version']);
		expect(loaded.some(u => u.endsWith('/package-root.js'))).toBe(true);
		expect(loaded.filter(u => /\/commands\/[^/]+\.js$/.test(u))).toEqual([]);
		expect(loaded.filter(u => /node_modules\/(meow|ink|react|fuse\.js|better-sqlite3)\/|\/lib\/meow\.js$/.test(u))).toEqual([]);
	});

	it('--help lists every command without loading their modules', () => {
		const result = spawnSync(process.execPath, [cli, '--help'], {encoding: 'utf8'});
		expect(result.status).toBe(0);
		for (const entry of commands) expect(result.stdout).toContain(entry.summary);
		const loaded = loadedModules(['--help']);
		expect(loaded.filter(u => /\/commands\/(?!main\.js|command\.js)[^/]+\.js$/.test(u))).toEqual([]);
		expect(loaded.filter(u => /node_modules\/(ink|react|fuse\.js|better-sqlite3)\//.test(u))).toEqual([]);
	});

	it('a query command loads its own module but not the explorer (ink, react)', () => {
		const loaded = loadedModules(['search', '--help']);
		expect(loaded.some(u => u.endsWith('/commands/search.js'))).toBe(true);
		expect(loaded.filter(u => /\/commands\/(explore|import|verify|user)\.js$/.test(u))).toEqual([]);
		expect(loaded.filter(u => /node_modules\/(ink|react)\//.test(u))).toEqual([]);
		// meow as dist/lib/meow.js bundles it (without its package.json lookup), not meow's own build.
		expect(loaded.some(u => u.endsWith('/dist/lib/meow.js'))).toBe(true);
		expect(loaded.filter(u => /node_modules\/meow\//.test(u))).toEqual([]);
	});

	it('--db before the command name is the case file, not the command', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
		try {
			const caseFile = path.join(dir, 'case.db');
			const result = spawnSync(process.execPath, [cli, '--db', caseFile, 'search', 'nobody', '--json'], {encoding: 'utf8', env: {...process.env, FORCE_COLOR: '0'}});
			expect(result.stderr).not.toContain('unknown command');
			// The case file was read from --db: it does not exist (usage, exit 2), named in the message.
			expect(result.stderr).toContain(`case file not found: ${caseFile}`);
			expect(result.status).toBe(2);
		} finally {
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});
});
