import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {unpackEventIds, type StoredEventIds} from '../../source/findings/stored-ids.js';
import {ensureBuilt} from '../hostile/cli.js';
import {stopTmux, tmux, tmuxPresent, tmuxQuiet, waitForScreen} from '../tmux.js';

/**
 * The built CLI in a real pseudo-terminal (tmux, 100×30) over the bundled samples: search a serial,
 * open its device, see its lifecycle and owner, open help, go back, quit with status 0.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const hasTmux = tmuxPresent();
const samples = path.join(repoRoot, 'samples');

const session = `mfatrail-e2e-${process.pid}`;
let dir: string;
let caseFile: string;

const screen = () => tmux('capture-pane', '-p', '-t', session);

async function waitFor(test: (text: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const text = screen();
		if (test(text)) return text;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
		await new Promise(resolve => setTimeout(resolve, 100));
	}
}

describe.skipIf(!hasTmux)('explorer in a real terminal (tmux)', () => {
	beforeAll(() => {
		ensureBuilt();
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
		caseFile = path.join(dir, 'case.db');
		const result = spawnSync('node', ['dist/cli.js', 'import', samples, '--db', caseFile], {cwd: repoRoot, encoding: 'utf8'});
		expect([0, 3]).toContain(result.status);
	});

	afterAll(() => {
		stopTmux();
		fs.rmSync(dir, {recursive: true, force: true});
	});

	it('without a terminal, explore prints a hint to use the --json commands instead of starting', () => {
		const result = spawnSync('node', ['dist/cli.js', 'explore', '--db', caseFile], {cwd: repoRoot, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe']});
		expect(result.status).toBe(2);
		expect(result.stderr).toContain('needs a terminal');
		expect(result.stderr).toContain('--json');
		expect(result.stdout).not.toContain('\u001b[?1049h');
	});

	it('80×24: the overview shows the findings count, Enter on the top finding, an evidence event, the key that made it, back, quit 0', async () => {
		const db = new Database(caseFile, {readonly: true});
		const findings = (db.prepare('SELECT count(*) FROM finding').pluck().get() as number);
		const top = db.prepare(`SELECT rule, event_ids AS ids FROM finding ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END, first_seen, rule, id LIMIT 1`).get() as {rule: string; ids: StoredEventIds};
		const eventId = unpackEventIds(top.ids)[0];
		const key = db.prepare('SELECT access_key_id FROM event WHERE event_id = ?').pluck().get(eventId) as string;
		db.close();
		expect(key).toMatch(/^(AKIA|ASIA)/);
		const exitFile = path.join(dir, 'exit80');
		const name = `${session}-80`;
		const until = (test: (text: string) => boolean, what: string) => waitForScreen(name, test, what);
		const command = `cd ${JSON.stringify(repoRoot)} && FORCE_COLOR=0 node dist/cli.js explore --db ${JSON.stringify(caseFile)}; echo EXIT=$? > ${JSON.stringify(exitFile)}; sleep 30`;
		tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', command);
		try {
			// 1. The overview shows the findings count.
			let text = await until(t => t.includes('[Overview]') && t.includes(`Findings ${findings}`), 'the overview with the findings count');
			expect(text).toMatch(new RegExp(`›! ${top.rule}`));
			// 2. Enter on the top finding.
			tmux('send-keys', '-t', name, 'Enter');
			text = await until(t => t.includes(`rule: ${top.rule}`), 'the finding');
			// 3. Open an evidence event (the first is selected).
			tmux('send-keys', '-t', name, 'Enter');
			text = await until(t => t.includes(`eventID: ${eventId}`), 'the evidence event');
			expect(text).toContain(`key: ${key}`);
			// 4. Open the key that made it.
			tmux('send-keys', '-t', name, 'K');
			text = await until(t => t.includes(`key: ${key}`) && t.includes('[Calls'), 'the key screen');
			for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
			// 5. Go back.
			tmux('send-keys', '-t', name, 'Escape');
			await until(t => t.includes(`eventID: ${eventId}`) && !t.includes('[Calls'), 'the event again');
			// 6. Quit with status 0.
			tmux('send-keys', '-t', name, 'q');
			const deadline = Date.now() + 10_000;
			while (!fs.existsSync(exitFile) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100));
			expect(fs.readFileSync(exitFile, 'utf8').trim()).toBe('EXIT=0');
		} finally {
			tmuxQuiet('kill-session', '-t', name);
		}
	});

	it('search a serial, open the device, lifecycle and owner, help, back, quit 0', async () => {
		const db = new Database(caseFile, {readonly: true});
		const device = db
			.prepare(`SELECT d.serial_number AS serial, d.owner_arn AS owner FROM device d WHERE d.owner_arn IS NOT NULL AND EXISTS (SELECT 1 FROM lifecycle_event l WHERE l.device_id = d.id) ORDER BY d.id LIMIT 1`)
			.get() as {serial: string; owner: string};
		db.close();
		expect(device).toBeDefined();
		const exitFile = path.join(dir, 'exit');
		const command = `cd ${JSON.stringify(repoRoot)} && FORCE_COLOR=0 node dist/cli.js explore --db ${JSON.stringify(caseFile)}; echo EXIT=$? > ${JSON.stringify(exitFile)}; sleep 30`;
		tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', command);
		await waitFor(t => t.includes('[Overview]'), 'the overview');
		tmux('send-keys', '-t', session, '/');
		await waitFor(t => t.includes('type to search'), 'the search screen');
		tmux('send-keys', '-t', session, '-l', `serial:${device.serial}`);
		await waitFor(t => /1 result/.test(t), 'one search result');
		tmux('send-keys', '-t', session, 'Enter');
		let text = await waitFor(t => t.includes(`serial: ${device.serial}`), 'the device screen');
		expect(text).toContain(`owner: ${device.owner}`);
		expect(text).toMatch(/\[Lifecycle \d+\]/);
		expect(text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (Create|Enable|Deactivate|Delete|Resync)\w*/);
		tmux('send-keys', '-t', session, '?');
		await waitFor(t => t.includes('Keys on the device screen'), 'the help overlay');
		tmux('send-keys', '-t', session, 'Escape');
		await waitFor(t => t.includes(`serial: ${device.serial}`), 'the device screen again');
		tmux('send-keys', '-t', session, 'Escape');
		text = await waitFor(t => !t.includes('serial: ') && t.includes(`/ serial:${device.serial}`), 'back on the search screen');
		tmux('send-keys', '-t', session, 'Tab');
		await new Promise(resolve => setTimeout(resolve, 200));
		tmux('send-keys', '-t', session, 'q');
		const deadline = Date.now() + 10_000;
		while (!fs.existsSync(exitFile) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100));
		expect(fs.readFileSync(exitFile, 'utf8').trim()).toBe('EXIT=0');
		// The alternate screen was left: the shell's screen is back (no explorer frame on it).
		expect(screen()).not.toContain('type to search');
		expect(screen()).not.toContain('[Overview]');
	});
});
