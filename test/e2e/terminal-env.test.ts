import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt} from '../hostile/cli.js';
import {screenOf, stopTmux, tmuxPresent, tmux, tmuxQuiet} from '../tmux.js';

/**
 * A responder's shell may carry CI variables (a jump host provisioned by a pipeline). Ink would then
 * draw only the last frame and chalk no colour; on a terminal the explorer must draw live, in
 * colour, unless NO_COLOR asks otherwise.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const hasTmux = tmuxPresent();
const session = `mfatrail-env-${process.pid}`;
let dir: string;
let caseFile: string;

function capture(): string {
	return screenOf(session, '-e');
}

async function explorerScreen(env: string): Promise<string> {
	tmuxQuiet('kill-session', '-t', session);
	tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', `cd ${repoRoot} && env ${env} node dist/cli.js explore --db ${caseFile} --query alice; sleep 30`);
	const deadline = Date.now() + 15_000;
	for (;;) {
		const text = capture();
		// In colour the matched 'alice' of 'mfa/alice-phone' is wrapped in SGR codes: look at the text without them.
		if (text.replace(/\u001b\[[0-9;]*m/g, '').includes('alice-phone')) {
			tmux('send-keys', '-t', session, 'q');
			return text;
		}
		if (Date.now() > deadline) throw new Error(`explorer did not draw; screen:\n${text}`);
		await new Promise(resolve => setTimeout(resolve, 100));
	}
}

describe.skipIf(!hasTmux)('terminal environment', () => {
	beforeAll(() => {
		ensureBuilt();
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
		caseFile = path.join(dir, 'case.db');
		const result = spawnSync('node', ['dist/cli.js', 'import', path.join(repoRoot, 'samples'), '--db', caseFile], {cwd: repoRoot, encoding: 'utf8'});
		expect([0, 3]).toContain(result.status);
	});

	afterAll(() => {
		stopTmux();
		fs.rmSync(dir, {recursive: true, force: true});
	});

	it('draws live and in colour on a terminal even when CI variables are set', async () => {
		const text = await explorerScreen('-u FORCE_COLOR CI=true CI_JOB_ID=7 TERM=xterm-256color');
		expect(text).toMatch(/\u001b\[[0-9;]*m/);
	});

	it('draws without colour when NO_COLOR is set, the selection still marked by a glyph', async () => {
		const text = await explorerScreen('-u FORCE_COLOR NO_COLOR=1 TERM=xterm-256color');
		expect(text).not.toMatch(/\u001b\[[0-9;]*[1-9][0-9;]*m/);
		expect(text).toContain('›');
	});
});
