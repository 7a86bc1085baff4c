import fs from 'node:fs';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {CaseFile} from '../../source/db/open.js';
import {displayWidth, terminalSafe} from '../../source/lib/terminal-text.js';
import {osc52} from '../../source/ui/App.js';
import {type Explorer, keys, lines, renderExplorer, samplesCaseFile} from './helpers.js';

/**
 * The overview, the pivot screens (key, IP, user agent), the roll-up and devices-at-a-moment, and
 * the keys y, u, @, /, o, K, I, p over the bundled samples at 80×24. Expected values are read from
 * the case file with SQL here, not copied from the screen.
 */
let db: CaseFile;
let dir: string;
let app: Explorer | undefined;

beforeAll(async () => {
	({db, dir} = await samplesCaseFile());
});
afterEach(() => {
	app?.unmount();
	app = undefined;
});
afterAll(() => {
	db.close();
	fs.rmSync(dir, {recursive: true, force: true});
});

const one = <T,>(sql: string, ...params: unknown[]) => db.prepare(sql).get(...params) as T;
const fits = (frame: string) => {
	expect(lines(frame).length).toBeLessThanOrEqual(23);
	for (const line of lines(frame)) expect(displayWidth(line)).toBeLessThanOrEqual(80);
};
const alice = 'arn:aws:iam::123456789012:user/alice';

describe('overview', () => {
	it('is the first screen: evidence, findings by severity, principals, devices by state, sign-in chart', async () => {
		app = await renderExplorer(db, {columns: 80, rows: 24});
		const frame = await app.waitFor('[Overview]');
		const sources = one<{n: number}>('SELECT count(*) AS n FROM source').n;
		const events = one<{n: number}>('SELECT count(*) AS n FROM event').n;
		const findings = one<{n: number; high: number}>(`SELECT count(*) AS n, count(*) FILTER (WHERE severity = 'high') AS high FROM finding`);
		expect(frame).toContain(`sources: ${sources}   events: ${events}`);
		expect(frame).toContain('accounts: 123456789012, 210987654321');
		expect(frame).toContain('verify: not run');
		expect(frame).toContain('extract: whole evidence');
		expect(frame).toMatch(new RegExp(`Findings ${findings.n}: ${findings.high} high`));
		// The chart: one line of successes, one of failures, in block characters.
		const ok = lines(frame).find(l => /^ {2}ok \d+/.test(l));
		const fail = lines(frame).find(l => /^ {2}fail \d+/.test(l));
		expect(ok).toMatch(/[▁▂▃▄▅▆▇█]/);
		expect(fail).toMatch(/[▁▂▃▄▅▆▇█]/);
		// Sign-in attempts: console and Identity Center sign-ins, and Identity Center credential checks that failed.
		const failed = one<{n: number}>(
			`SELECT count(*) AS n FROM sign_in WHERE (event_name IN ('ConsoleLogin', 'UserAuthentication') OR (event_name = 'CredentialVerification' AND result = 'Failure')) AND (result = 'Failure' OR failed_at_mfa = 1)`,
		).n;
		expect(fail).toContain(`fail ${failed}`);
		// The top finding is selected first; its identifiers are whole in the detail line.
		const top = one<{rule: string; serial: string}>(`SELECT rule, serial_number AS serial FROM finding ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, first_seen, rule, id LIMIT 1`);
		expect(frame).toMatch(new RegExp(`›! ${top.rule}`));
		expect(frame).toContain(`serial: ${top.serial}`);
		fits(frame);
	});

	it('Enter on each kind of line opens it; o comes back from anywhere', async () => {
		app = await renderExplorer(db, {columns: 80, rows: 24});
		await app.waitFor('[Overview]');
		await app.press(keys.enter);
		await app.waitFor('› Finding root-mfa-change');
		await app.press('o');
		await app.waitFor('[Overview]');
		// Down to the first principal with findings, then to a device state line.
		let frame = app.frame();
		for (let i = 0; i < 40 && !/›! \w+ +\d+ +\S/.test(frame.split('\n').find(l => l.startsWith('›')) ?? ''); i++) {
			await app.press('j');
			frame = app.frame();
			if (/› .*(IAMUser|Root|AssumedRole|IdentityCenterUser)/.test(frame)) break;
		}
		const selected = lines(frame).find(l => l.startsWith('›'))!;
		// The selected row is a principal with findings: its type is one of the principal types.
		expect(selected).toMatch(/\b(IAMUser|Root|AssumedRole|IdentityCenterUser)\b/);
		const principal = /principal: (\S+)/.exec(frame)![1];
		expect(principal).toMatch(/^arn:/);
		await app.press(keys.enter);
		await app.waitFor(`ARN: ${principal}`);
		await app.press(keys.escape, 'G');
		frame = app.frame();
		const state = /› +(\w[\w-]*) +(\d+)/.exec(lines(frame).find(l => l.startsWith('›'))!);
		expect(state).not.toBeNull();
		await app.press(keys.enter);
		frame = await app.waitFor(`Devices ${state![1]}`);
		const n = one<{n: number}>('SELECT count(*) AS n FROM device WHERE state = ?', state![1]).n;
		expect(frame).toContain(`[Devices ${n}]`);
	});
});

describe('pivot screens', () => {
	it('a key: owner, minting, MFA status, every call with the denied ones marked', async () => {
		const key = 'AKIA2BEAFIN3QDHLLUSK';
		const calls = one<{n: number; denied: number; owner: string}>(
			`SELECT count(*) AS n, count(*) FILTER (WHERE error_code IN ('AccessDenied', 'UnauthorizedOperation') OR error_code LIKE '%AccessDenied%') AS denied, min(identity_arn) AS owner FROM event WHERE access_key_id = ?`,
			key,
		);
		app = await renderExplorer(db, {columns: 80, rows: 24, open: {screen: 'key', accessKeyId: key}});
		const frame = await app.waitFor(`key: ${key}`);
		expect(frame).toContain(`owner: ${calls.owner}`);
		expect(frame).toContain('kind: long-term');
		expect(frame).toContain('minted: long-term key');
		expect(frame).toContain(`calls: ${calls.n} (${calls.denied} denied)`);
		expect(frame).toContain(`[Calls ${calls.n}]`);
		expect(frame.match(/DENIED/g)?.length).toBe(calls.denied);
		fits(frame);
		// Enter opens the call; p the owner.
		await app.press(keys.enter);
		await app.waitFor('eventID: ');
		await app.press(keys.escape, 'p');
		await app.waitFor(`ARN: ${calls.owner}`);
	});

	it('a session key minted by GetSessionToken names the call, the parent key and the MFA device; K opens the parent key', async () => {
		// Which session key GetSessionToken minted is the query layer's answer (tested there); the screen must show it.
		const {keyView} = await import('../../source/db/pivots.js');
		const keysOf = db.prepare(`SELECT DISTINCT access_key_id FROM event WHERE access_key_id LIKE 'ASIA%'`).pluck().all() as string[];
		const view = keysOf.map(k => keyView(db, k)!).find(v => v.minted.how === 'GetSessionToken' && v.minted.byAccessKeyId);
		if (!view) return expect.fail('the samples hold a session key minted by GetSessionToken');
		const minted = {key: view.accessKeyId, parent: view.minted.byAccessKeyId!, serial: view.minted.mfaSerial};
		// The parent key made the GetSessionToken call.
		expect(one<{n: number}>(`SELECT count(*) AS n FROM event WHERE event_name = 'GetSessionToken' AND access_key_id = ?`, minted.parent).n).toBeGreaterThan(0);
		app = await renderExplorer(db, {columns: 80, rows: 24, open: {screen: 'key', accessKeyId: minted.key}});
		const frame = await app.waitFor(`key: ${minted.key}`);
		expect(frame).toContain('minted: GetSessionToken');
		expect(frame).toContain(`with key: ${minted.parent}`);
		if (minted.serial) expect(frame).toContain(`MFA device: ${minted.serial}`);
		expect(frame).toMatch(/› +minted by GetSessionToken/);
		await app.press('K');
		await app.waitFor(`key: ${minted.parent}`);
	});

	it('an IP: its place, principals and sign-ins from it, first and last seen', async () => {
		const ip = '203.0.113.140';
		const seen = one<{n: number; first: string; last: string; principals: number}>(
			// Calls without an identity ARN count as one more principal line.
			`SELECT count(*) AS n, min(event_time) AS first, max(event_time) AS last, count(DISTINCT coalesce(identity_arn, '')) AS principals FROM event WHERE source_ip = ?`,
			ip,
		);
		const signIns = one<{n: number}>('SELECT count(*) AS n FROM sign_in WHERE source_ip = ?', ip).n;
		app = await renderExplorer(db, {columns: 80, rows: 24, open: {screen: 'ip', ip}});
		let frame = await app.waitFor(`IP: ${ip}`);
		expect(frame).toContain('where: documentation range');
		expect(frame).toContain(`first: ${seen.first.replace('T', ' ').replace('Z', '')}   last: ${seen.last.replace('T', ' ').replace('Z', '')}   events: ${seen.n}`);
		expect(frame).toContain(`[Principals ${seen.principals}]`);
		expect(frame).toContain(`Sign-ins ${signIns}`);
		await app.press(keys.tab);
		frame = app.frame();
		expect(frame).toContain(`[Sign-ins ${signIns}]`);
		expect(frame).toMatch(/ConsoleLogin Success/);
		fits(frame);
	});

	it('a CIDR prefix from the search opens the range; a user agent lists who used it', async () => {
		app = await renderExplorer(db, {columns: 80, rows: 24, query: '203.0.113.0/24'});
		let frame = await app.waitFor(/\d+ results?/);
		expect(frame).toMatch(/IP +203\.0\.113\.0\/24/);
		await app.press(keys.enter);
		frame = await app.waitFor('range: 203.0.113.0/24');
		const addresses = one<{n: number}>(`SELECT count(DISTINCT source_ip) AS n FROM event WHERE source_ip LIKE '203.0.113.%'`).n;
		expect(frame).toContain(`addresses: ${addresses}`);
		const ua = one<{ua: string; n: number}>(`SELECT user_agent AS ua, count(DISTINCT identity_arn) AS n FROM event WHERE user_agent LIKE 'aws-cli/%' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`);
		app.unmount();
		app = await renderExplorer(db, {columns: 80, rows: 24, open: {screen: 'user-agent', userAgent: ua.ua}});
		frame = await app.waitFor('user agent: ');
		expect(frame).toContain(`[Principals ${ua.n}]`);
		fits(frame);
	});

	it('from an event, K opens the key that made it and I its source IP', async () => {
		const e = one<{id: string; key: string; ip: string}>(`SELECT event_id AS id, access_key_id AS key, source_ip AS ip FROM event WHERE event_name = 'CreateVirtualMFADevice' AND access_key_id LIKE 'ASIA%' ORDER BY event_time LIMIT 1`);
		app = await renderExplorer(db, {columns: 80, rows: 24, open: {screen: 'event', eventId: e.id}});
		const frame = await app.waitFor(`eventID: ${e.id}`);
		expect(frame).toContain(`key: ${e.key}`);
		await app.press('K');
		await app.waitFor(`key: ${e.key}   kind: session`);
		await app.press(keys.escape, 'I');
		await app.waitFor(`IP: ${e.ip}`);
	});
});

describe('roll-up and devices at a moment', () => {
	it('the principal screen rolls up IPs, user agents, keys with MFA status, denied calls, sign-ins by result and device', async () => {
		const r = one<{first: string; last: string; ips: number; agents: number; keys: number}>(
			'SELECT min(event_time) AS first, max(event_time) AS last, count(DISTINCT source_ip) AS ips, count(DISTINCT user_agent) AS agents, count(DISTINCT access_key_id) AS keys FROM event WHERE identity_arn = ?',
			alice,
		);
		app = await renderExplorer(db, {columns: 80, rows: 24, open: {screen: 'principal', arn: alice}});
		let frame = await app.waitFor(`ARN: ${alice}`);
		expect(frame).toContain(`first: ${r.first.replace('T', ' ').replace('Z', '')}   last: ${r.last.replace('T', ' ').replace('Z', '')}`);
		await app.press(keys.tab, keys.tab, keys.tab);
		frame = app.frame();
		expect(frame).toContain('[Roll-up]');
		expect(frame).toContain(`Source IPs ${r.ips}`);
		expect(frame).toContain(`User agents ${r.agents}`);
		// The keys and the rest further down the list.
		await app.press('G');
		frame = app.frame();
		expect(frame).toMatch(/device +alice-phone +\d+ ok, \d+ failed/);
		await app.press('g');
		let all = app.frame();
		for (let i = 0; i < 40; i++) {
			await app.press(keys.pageDown);
			all += app.frame();
		}
		expect(all).toContain(`Access keys ${r.keys}`);
		expect(all).toMatch(/AKIA +AKIA2BEAFIN3QDHLLUSK +MFA no, 2 denied/);
		expect(all).toMatch(/Denied calls 2/);
		expect(all).toMatch(/denied +GetSecretValue Acc/);
		expect(all).toMatch(/sign-in +Success +\d+/);
	});

	it('@ sets the moment (default: the selected row time) and lists the devices held then, in their state', async () => {
		app = await renderExplorer(db, {columns: 80, rows: 24, open: {screen: 'principal', arn: alice}});
		await app.waitFor(`ARN: ${alice}`);
		// The selected row is alice-phone's CreateVirtualMFADevice: its time is the default.
		await app.press('j', '@');
		expect(app.frame()).toContain('devices at (YYYY-MM-DD HH:MM UTC; empty clears): 2022-11-02 15:20:31█');
		// Before alice-backup was added: one device; after: two.
		await app.press(...Array.from({length: 19}, () => keys.backspace));
		await app.type('2023-01-01 00:00');
		await app.press(keys.enter);
		let frame = app.frame();
		expect(frame).toContain('[At 2023-01-01 00:00]');
		expect(frame).toMatch(/mfa\/alice-phone +enabled/);
		expect(frame).not.toContain('mfa/alice-backup ');
		expect(app.frame()).toContain('devices at 2023-01-01 00:00:00 UTC');
		await app.press('@', ...Array.from({length: 19}, () => keys.backspace));
		await app.type('2023-03-01');
		await app.press(keys.enter);
		frame = app.frame();
		expect(frame).toMatch(/mfa\/alice-phone +enabled/);
		expect(frame).toMatch(/mfa\/alice-backup +enabled/);
		fits(frame);
	});
});

describe('keys', () => {
	it('y copies the selected identifier through OSC 52, escaped', async () => {
		const written: string[] = [];
		app = await renderExplorer(db, {columns: 80, rows: 24, open: {screen: 'key', accessKeyId: 'AKIA2BEAFIN3QDHLLUSK'}, writeTerminal: s => written.push(s)});
		await app.waitFor('[Calls');
		await app.press('y');
		const eventId = /eventID: (\S+)/.exec(app.frame())![1];
		expect(written).toEqual([`\u001b]52;c;${Buffer.from(eventId).toString('base64')}\u0007`]);
		expect(app.frame()).toContain(`copied (OSC 52): ${eventId}`);
		// Evidence with control characters is copied escaped: pasting it runs nothing.
		const hostile = 'agent\u001b]0;pwned\u0007\u001b[31m';
		const seq = osc52(hostile);
		expect(Buffer.from(/52;c;([^\u0007]*)/.exec(seq)![1], 'base64').toString()).toBe(terminalSafe(hostile));
		expect(seq.slice(1, -1)).not.toMatch(/[\u0000-\u001f]/);
	});

	it('u toggles UTC and local time; the zone shows top right', async () => {
		const previous = process.env.TZ;
		process.env.TZ = 'Asia/Kolkata';
		try {
			app = await renderExplorer(db, {columns: 80, rows: 24, open: {screen: 'key', accessKeyId: 'AKIA2BEAFIN3QDHLLUSK'}});
			let frame = await app.waitFor('[Calls');
			expect(frame.split('\n')[0]).toMatch(/ UTC$/);
			expect(frame).toContain('first: 2023-02-14 09:58:12');
			await app.press('u');
			frame = app.frame();
			expect(frame.split('\n')[0]).toMatch(/ local UTC\+05:30$/);
			expect(frame).toContain('first: 2023-02-14 15:28:12');
			await app.press('u');
			expect(app.frame()).toContain('first: 2023-02-14 09:58:12');
		} finally {
			if (previous === undefined) delete process.env.TZ;
			else process.env.TZ = previous;
		}
	});

	it('/ root lists the root principals above the aws-cli … sts.assume-root user agent', async () => {
		const roots = (db.prepare(`SELECT arn FROM principal WHERE arn LIKE '%:root' ORDER BY arn`).pluck().all() as string[]).map(a => a.split(':')[4]);
		expect(roots.length).toBeGreaterThan(0);
		app = await renderExplorer(db, {columns: 80, rows: 24});
		await app.waitFor('[Overview]');
		await app.press('/');
		await app.type('root');
		const frame = await app.waitFor(/\d+ results?/);
		const rows = lines(frame);
		const agent = rows.findIndex(l => / agent +aws-cli\//.test(l));
		const rootRows = rows.flatMap((l, i) => (/ identity +root /.test(l) ? [i] : []));
		expect(agent).toBeGreaterThan(-1);
		expect(rootRows).toHaveLength(roots.length);
		for (const i of rootRows) expect(i).toBeLessThan(agent);
		// The first result, right under the column titles, is a root principal.
		expect(rows[rows.findIndex(l => /kind +label/.test(l)) + 1]).toMatch(/ identity +root /);
	});

	it('/ searches keys, IPs and eventIDs too, and recalls the last search', async () => {
		const eventId = one<{id: string}>(`SELECT event_id AS id FROM event ORDER BY event_id LIMIT 1`).id;
		app = await renderExplorer(db, {columns: 80, rows: 24});
		await app.waitFor('[Overview]');
		await app.press('/');
		await app.type(eventId.slice(0, 13));
		let frame = await app.waitFor(/\d+ results?/);
		expect(frame).toMatch(new RegExp(`event +${eventId}`));
		await app.press(keys.escape, keys.escape);
		await app.waitFor('[Overview]');
		await app.press('/');
		frame = app.frame();
		expect(frame).toContain(`/ ${eventId.slice(0, 13)}█`);
		await app.waitFor(/\d+ results?/);
		await app.press(keys.enter);
		await app.waitFor(`eventID: ${eventId}`);
	});
});
