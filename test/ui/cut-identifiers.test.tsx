import fs from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {CaseFile} from '../../source/db/open.js';
import {displayWidth} from '../../source/lib/terminal-text.js';
import type {Target} from '../../source/ui/model.js';
import {caseIdentifiers, cutIdentifiers} from '../cut-identifiers.js';
import {type Explorer, keys, lines, renderExplorer, samplesCaseFile} from './helpers.js';

/**
 * Identifiers are evidence: at 80×24 on the samples, no screen shows an ARN, serial, device name,
 * account ID, access key, IP or eventID cut unless its whole value is on the same screen. The walk
 * opens every kind of screen, visits every pane (Tab) and moves the selection over every row (so
 * every row shows, and the detail line of each), and checks each frame.
 */
let db: CaseFile;
let dir: string;
let known: string[];

beforeAll(async () => {
	({db, dir} = await samplesCaseFile());
	known = caseIdentifiers(db);
});
afterAll(() => {
	db.close();
	fs.rmSync(dir, {recursive: true, force: true});
});

/** Problems in one frame: cut identifiers, lines wider than 80, a frame taller than 23 lines. */
function check(frame: string, where: string, problems: string[]) {
	for (const cut of cutIdentifiers(frame, known)) problems.push(`${where}: ${cut}\n${frame}`);
	const all = lines(frame);
	if (all.length > 23) problems.push(`${where}: ${all.length} lines`);
	for (const line of all) if (displayWidth(line) > 80) problems.push(`${where}: line of ${displayWidth(line)} columns: ${line}`);
}

/** The panes named on the pane line ('[Devices 2]  Sign-ins 10   Findings 4'). */
function paneCount(frame: string): number {
	const line = lines(frame).find(l => /^\[[^\]]+\]/.test(l) || /^ \S.*\[[^\]]+\]/.test(l));
	return line ? Math.max(1, (line.match(/\[[^\]]+\]|(?<= {2}|^ )[A-Z][\w&-]*(?: [\w&-]+)* \d+/g) ?? []).length) : 1;
}

/** Every pane, every row: Tab through the panes, j down to the end of each (at most `cap` rows). */
async function walk(app: Explorer, where: string, problems: string[], cap = 120) {
	const panes = paneCount(app.frame());
	for (let p = 0; p < panes; p++) {
		let previous = '';
		for (let i = 0; i < cap; i++) {
			const frame = app.frame();
			check(frame, `${where} pane ${p + 1} row ${i + 1}`, problems);
			if (frame === previous) break;
			previous = frame;
			await app.press('j');
		}
		await app.press(keys.tab);
	}
}

async function walkTarget(open: Target | undefined, where: string, problems: string[], cap?: number) {
	const app = await renderExplorer(db, {columns: 80, rows: 24, open});
	try {
		await app.waitFor(/UTC\n/);
		// The overview reads its summary after the first frame.
		if (!open) await app.waitFor('[Overview]');
		await walk(app, where, problems, cap);
	} finally {
		app.unmount();
	}
}

describe('no identifier is cut at 80 columns', () => {
	it('the detector finds the cuts issue 13 names (it can fail)', () => {
		expect(cutIdentifiers('   2023-02-14 10:02  Enable  user/alice  52.245.203.2…', ['52.245.203.21'])).toEqual(['52.245.203.2…']);
		expect(cutIdentifiers('ConsoleLogin Success Yes mfa/root-accou…', ['arn:aws:iam::123456789012:mfa/root-account-mfa-device'])).toEqual(['mfa/root-accou…']);
		expect(cutIdentifiers('owner: arn:aws:iam::123456789012:user/quinn.ro…', ['arn:aws:iam::123456789012:user/quinn.roberts'])).toEqual(['arn:aws:iam::123456789012:user/quinn.ro…']);
		expect(cutIdentifiers('root@3420826…', ['342082612345'])).toEqual(['3420826…']);
		// Whole elsewhere on the same screen: allowed. Not an identifier: ignored.
		expect(cutIdentifiers('mfa/root-accou…\nserial: arn:aws:iam::1:mfa/root-account-mfa-device', ['arn:aws:iam::1:mfa/root-account-mfa-device'])).toEqual([]);
		expect(cutIdentifiers('Mozilla/5.0 (Ma…', ['arn:aws:iam::1:mfa/alice-phone'])).toEqual([]);
	});

	it('overview, findings and every finding', async () => {
		const problems: string[] = [];
		await walkTarget(undefined, 'overview', problems);
		await walkTarget({screen: 'findings'}, 'findings', problems);
		const findings = db.prepare('SELECT id FROM finding ORDER BY id').pluck().all() as number[];
		for (const id of findings) await walkTarget({screen: 'finding', findingId: id}, `finding ${id}`, problems, 20);
		expect(problems.slice(0, 3)).toEqual([]);
	}, 120_000);

	it('every principal (devices, sign-ins, findings, roll-up) and every device', async () => {
		const problems: string[] = [];
		for (const arn of db.prepare('SELECT arn FROM principal ORDER BY arn').pluck().all() as string[]) await walkTarget({screen: 'principal', arn}, `principal ${arn}`, problems, 60);
		for (const id of db.prepare('SELECT id FROM device ORDER BY id').pluck().all() as number[]) await walkTarget({screen: 'device', deviceId: id}, `device ${id}`, problems, 40);
		expect(problems.slice(0, 3)).toEqual([]);
	}, 240_000);

	it('every access key, source IP and user agent (pivot screens)', async () => {
		const problems: string[] = [];
		// The busiest keys and addresses (every kind of minting and caller is among them on the samples).
		const keysOf = db.prepare('SELECT access_key_id FROM event WHERE access_key_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 20').pluck().all() as string[];
		for (const accessKeyId of keysOf) await walkTarget({screen: 'key', accessKeyId}, `key ${accessKeyId}`, problems, 15);
		const ips = db.prepare('SELECT source_ip FROM event WHERE source_ip IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 20').pluck().all() as string[];
		for (const ip of ips) await walkTarget({screen: 'ip', ip}, `ip ${ip}`, problems, 10);
		const agents = db.prepare('SELECT DISTINCT user_agent FROM event WHERE user_agent IS NOT NULL ORDER BY 1 LIMIT 10').pluck().all() as string[];
		for (const userAgent of agents) await walkTarget({screen: 'user-agent', userAgent}, `agent ${userAgent}`, problems, 10);
		expect(keysOf.length).toBeGreaterThan(5);
		expect(problems.slice(0, 3)).toEqual([]);
	}, 240_000);

	it('timelines, events, devices by state, search results', async () => {
		const problems: string[] = [];
		for (const state of db.prepare('SELECT DISTINCT state FROM device').pluck().all() as string[]) await walkTarget({screen: 'devices', state}, `devices ${state}`, problems);
		const events = db.prepare(`SELECT event_id FROM event WHERE facts IS NOT NULL ORDER BY event_time LIMIT 40`).pluck().all() as string[];
		for (const eventId of events) {
			const app = await renderExplorer(db, {columns: 80, rows: 24, open: {screen: 'event', eventId}});
			check(await app.waitFor('eventID: '), `event ${eventId}`, problems);
			app.unmount();
		}
		for (const query of ['alice', 'root', 'mfa', 'erin', '123456789012', 'AKIA', 'ASIA', '203.0.113', '198.51.100.0/24', 'aws-cli']) {
			const app = await renderExplorer(db, {columns: 80, rows: 24, query});
			await app.waitFor(/\d+ results?/);
			await app.press(keys.tab);
			await walk(app, `search ${query}`, problems, 40);
			app.unmount();
		}
		const app = await renderExplorer(db, {columns: 80, rows: 24, open: {screen: 'principal', arn: 'arn:aws:iam::123456789012:user/alice'}});
		await app.waitFor('ARN: ');
		await app.press('t');
		await app.waitFor('[Events');
		await walk(app, 'timeline alice', problems);
		app.unmount();
		expect(problems.slice(0, 3)).toEqual([]);
	}, 240_000);
});
