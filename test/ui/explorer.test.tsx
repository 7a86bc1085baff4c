import fs from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {CaseFile} from '../../source/db/open.js';
import {fixtureCaseFile, keys, lines, renderExplorer, type Explorer} from './helpers.js';
import {displayWidth} from '../../source/lib/terminal-text.js';

let db: CaseFile;
let dir: string;
let app: Explorer | undefined;

beforeAll(async () => {
	({db, dir} = await fixtureCaseFile());
});
afterEach(() => {
	app?.unmount();
	app = undefined;
});
afterAll(() => {
	db.close();
	fs.rmSync(dir, {recursive: true, force: true});
});

const serial = 'arn:aws:iam::111122223333:mfa/alice-phone';

async function openAlice(): Promise<Explorer> {
	app = await renderExplorer(db, {exportDir: dir});
	await app.press('/');
	await app.type('alice');
	await app.waitFor('2 results');
	await app.press(keys.enter);
	await app.waitFor('ARN: arn:aws:iam::111122223333:user/alice');
	return app;
}

describe('search screen', () => {
	it('shows counts before typing, then live results with kind, label, account, fact and count', async () => {
		app = await renderExplorer(db);
		await app.press('/');
		await app.waitFor('4 principals, 2 devices, 48 events');
		await app.type('alic');
		const frame = await app.waitFor('2 results: 1 principal, 1 device');
		expect(frame).toMatch(/›! identity user\/alice\s+111122223333 signed in 2024-03-01/);
		// The label is the ARN's resource (its name inside), never cut; the detail line has the whole ARN.
		expect(frame).toMatch(/device\s+mfa\/alice-phone/);
		expect(frame).toContain('principal: arn:aws:iam::111122223333:user/alice');
		expect(frame).toContain('deleted');
	});

	it('narrows the kind with user:, device: and serial: prefixes', async () => {
		app = await renderExplorer(db, {query: 'user:alice'});
		let frame = await app.waitFor('1 result');
		expect(frame).toContain('principal');
		expect(frame).not.toContain('alice-phone');
		await app.press(keys.escape);
		await app.type('serial:GAHT');
		frame = await app.waitFor('1 result');
		expect(frame).toContain('GAHT12345678');
		expect(frame).toContain('enabled');
		await app.press(keys.escape);
		await app.type('device:alice');
		frame = await app.waitFor('1 result');
		expect(frame).toContain('alice-phone');
	});

	it('highlights matched characters (bold underline when colour is on)', async () => {
		process.env.FORCE_COLOR = '1';
		try {
			const {default: chalk} = await import('chalk');
			chalk.level = 1;
			app = await renderExplorer(db, {query: 'bob'});
			const frame = await app.waitFor('1 result');
			// The matched 'bob' is wrapped in bold/underline SGR; the rest of the row is not.
			expect(frame).toMatch(/\u001b\[1m\u001b\[4mbob|\u001b\[4m\u001b\[1mbob|\u001b\[1m(\u001b\[\d+m)*bob/);
			chalk.level = 0;
		} finally {
			process.env.FORCE_COLOR = '0';
		}
	});

	it('marks the selection with a glyph and moves it with arrows and j/k after Tab', async () => {
		app = await renderExplorer(db, {query: 'alice'});
		await app.waitFor('2 results');
		expect(app.frame()).toMatch(/›..identity user\/alice/);
		await app.press(keys.down);
		expect(app.frame()).toMatch(/›..device {3}mfa\/alice-phone/);
		await app.press(keys.tab, 'k');
		expect(app.frame()).toMatch(/›..identity user\/alice/);
		await app.press('j');
		expect(app.frame()).toMatch(/›..device/);
		await app.press('g');
		expect(app.frame()).toMatch(/›..identity/);
		await app.press('G');
		expect(app.frame()).toMatch(/›..device/);
	});

	it('j and k are text on the search line (jack, kevin), as in fzf; arrows still move', async () => {
		app = await renderExplorer(db);
		await app.press('/');
		await app.type('jk');
		expect(app.frame().split('\n')[1]).toBe('/ jk█');
		await app.press(keys.backspace, keys.backspace);
		await app.type('alice');
		await app.waitFor('2 results');
		await app.press(keys.down);
		expect(app.frame()).toMatch(/›..device {3}mfa\/alice-phone/);
		expect(app.frame().split('\n')[1]).toBe('/ alice█');
	});

	it('Backspace edits the query and Esc clears it', async () => {
		app = await renderExplorer(db, {query: 'bobzzzz'});
		await app.waitFor('no match');
		await app.press(keys.backspace, keys.backspace, keys.backspace, keys.backspace);
		await app.waitFor('1 result');
		expect(app.frame()).toContain('/ bob█');
		await app.press(keys.escape);
		expect(app.frame()).toContain('/ █');
	});
});

describe('principal screen', () => {
	it('shows ARN, type, account, devices over time with lifecycle (credential, MFA session, IP)', async () => {
		const frame = lines((await openAlice()).frame());
		const text = frame.join('\n');
		expect(text).toContain('type: IAMUser   account: 111122223333   findings: 4 !');
		expect(text).toContain('devices: 0 now, 1 over time   sign-ins: 2 (1 failed)');
		expect(text).toContain('[Devices 1]');
		expect(text).toMatch(/device deleted {2}mfa\/alice-phone {2}virtual/);
		// Lifecycle calls without the 'MFADevice' they all end in (the full name is on the Event screen).
		expect(text).toMatch(/2024-03-01 09:01:00 {2}Enable\s+user\/admin\s+AKIA\s+no\s+198\.51\.100\.7\s+applied/);
		expect(text).toMatch(/2024-03-03 08:00:00 {2}Deactivate\s+user\/alice\s+ASIA\s+no\s+192\.0\.2\.66\s+applied/);
		// The findings section is a pane, and the device row carries the marker.
		expect(text).toContain('Findings 4');
		expect(text).toMatch(/! device deleted/);
	});

	it('Tab moves between panes: sign-ins (with escaped user agent) and findings', async () => {
		await openAlice();
		await app!.press(keys.tab);
		let frame = app!.frame();
		expect(frame).toContain('[Sign-ins 2]');
		// The device by name (its serial whole in the detail line of the selected row).
		expect(frame).toMatch(/2024-03-01 09:30:00 ConsoleLogin Success\s+alice-phone\s+203\.0\.113\.10/);
		expect(frame).toContain('serial: arn:aws:iam::111122223333:mfa/alice-phone');
		// The user agent holds an ESC: cut to the column, its escape is shown whole or not at all (never `\x1…`).
		expect(frame).toMatch(/2024-03-02 22:15:00 ConsoleLogin Failure\s+MFA \(unnamed\)\s+192\.0\.2\.66\s+Mozilla\/5\.0 (\\x1b\S*)?…/);
		expect(frame).not.toMatch(/\\(x[0-9a-f]?|u[0-9a-f]{0,3})…/);
		// The raw ESC from the evidence never reaches the terminal.
		expect(frame).not.toContain('\u001b[31m');
		await app!.press(keys.tab);
		frame = app!.frame();
		expect(frame).toContain('[Findings 4]');
		expect(frame).toContain('mfa-device-removed');
	});

	it('keys arriving in one chunk count one by one (Tab Tab), typed text stays text', async () => {
		await openAlice();
		await app!.press('\t\t');
		expect(app!.frame()).toContain('[Findings 4]');
	});

	it('on the search line, Backspaces in one chunk (a held key) each erase a character, and text around them stays text', async () => {
		app = await renderExplorer(db);
		await app.press('/');
		await app.type('alice');
		await app.waitFor('2 results');
		await app.press('\u007f\u007f\u007f');
		expect(app.frame().split('\n')[1]).toBe('/ al█');
		await app.press('ex\u007f\u007fice\u007f');
		expect(app.frame().split('\n')[1]).toBe('/ alic█');
	});

	it('Enter on a device row opens the device; Esc comes back (breadcrumb)', async () => {
		await openAlice();
		await app!.press(keys.enter);
		let frame = await app!.waitFor(`serial: ${serial}`);
		// The breadcrumb, with the time zone at its right.
		expect(frame.split('\n')[0]).toMatch(/^Overview › Search "alice" › alice › alice-phone +UTC$/);
		await app!.press(keys.escape);
		frame = app!.frame();
		expect(frame.split('\n')[0]).toMatch(/^Overview › Search "alice" › alice +UTC$/);
		await app!.press(keys.backspace);
		expect(app!.frame().split('\n')[0]).toMatch(/^Overview › Search "alice" +UTC$/);
	});
});

describe('device screen', () => {
	it('shows serial, type, owner, state, lifecycle, sign-ins and MFA uses, and p opens the owner', async () => {
		app = await renderExplorer(db, {query: 'serial:GAHT'});
		await app.waitFor('1 result');
		await app.press(keys.enter);
		let frame = await app.waitFor('serial: GAHT12345678');
		expect(frame).toContain('type: hardware   state: enabled   owner: arn:aws:iam::111122223333:user/bob');
		expect(frame).toContain('[Lifecycle 1]');
		expect(frame).toMatch(/Enable\s+user\/admin\s+AKIA\s+no\s+198\.51\.100\.7\s+applied/);
		await app.press(keys.tab);
		frame = app.frame();
		expect(frame).toContain('[Sign-ins & MFA uses 1]');
		expect(frame).toMatch(/2024-03-04 10:05:00 ConsoleLogin Success\s+GAHT12345678/);
		await app.press('p');
		frame = await app.waitFor('ARN: arn:aws:iam::111122223333:user/bob');
		expect(frame.split('\n')[0]).toMatch(/^Search "serial:GAHT" › GAHT12345678 › bob +UTC$/);
	});
});

describe('event screen', () => {
	it('shows the record pretty-printed with provenance, scrolls, and escapes control characters', async () => {
		await openAlice();
		await app!.press(keys.tab, keys.down, keys.enter);
		let frame = await app!.waitFor('eventID: 00000000-0000-4000-8000-000000000004');
		expect(frame).toMatch(/source 1: .*trail\.json \(cloudtrail-log, record 3\)/);
		expect(frame).toMatch(/sha256 [0-9a-f]{64}/);
		expect(frame).toContain('"eventName": "ConsoleLogin"');
		// As `mfatrail event` prints it: the JSON escape as it is in the file, not re-escaped to \\u001b.
		expect(frame).toContain('"userAgent": "Mozilla/5.0 \\u001b[31mevil\\u001b[0m"');
		expect(frame).not.toContain('\\\\u001b');
		expect(frame).not.toContain('\u001b[31m');
		await app!.press('G');
		frame = app!.frame();
		expect(frame).toContain('"eventCategory": "Management"');
		expect(frame).not.toContain('source 1:');
		await app!.press('g');
		expect(app!.frame()).toContain('source 1:');
		await app!.press(keys.pageDown);
		expect(app!.frame()).not.toContain('source 1:');
		await app!.press(keys.pageUp, 'j');
		expect(app!.frame()).not.toContain('source 1:');
		await app!.press('k');
		expect(app!.frame()).toContain('source 1:');
	});
});

describe('timeline screen', () => {
	it('t opens the timeline of the principal; f shows failed sign-ins only; r sets a time range', async () => {
		app = await renderExplorer(db, {query: 'carol'});
		await app.waitFor('1 result');
		await app.press(keys.enter);
		await app.waitFor('ARN: arn:aws:iam::111122223333:user/carol');
		await app.press('t');
		let frame = await app.waitFor('[Events 40]');
		expect(frame).toContain('showing: all events');
		expect(frame).toMatch(/1-\d+ of 40/);
		await app.press('f');
		frame = app.frame();
		expect(frame).toContain('Events 8');
		expect(frame).toContain('showing: failed only');
		expect(frame).not.toMatch(/Success/);
		await app.press('r');
		expect(app.frame()).toContain('range (SINCE [UNTIL]');
		await app.type('2024-04-03 2024-04-05T23:59:59Z');
		await app.press(keys.enter);
		frame = app.frame();
		expect(frame).toContain('showing: failed only, since 2024-04-03T00:00:00Z, until 2024-04-05T23:59:59Z');
		expect(frame).toContain('Events 2');
		await app.press('f');
		expect(app.frame()).toContain('Events 12');
		await app.press('r');
		await app.type('not-a-time');
		await app.press(keys.enter);
		expect(app.frame()).toContain('not a time');
		await app.press('r', keys.escape);
		expect(app.frame()).toContain('range unchanged');
	});

	it('t on a search result opens the timeline of that device', async () => {
		app = await renderExplorer(db, {query: 'serial:GAHT'});
		await app.waitFor('1 result');
		await app.press(keys.tab, 't');
		const frame = await app.waitFor('Timeline GAHT12345678');
		expect(frame).toMatch(/Enable\s+applied\s+GAHT12345678/);
		expect(frame).toContain('ConsoleLogin');
	});
});

describe('findings, help, export, quit', () => {
	it('F opens the findings from anywhere, rows name the account; Enter opens the finding, Enter on its evidence the event', async () => {
		await openAlice();
		await app!.press('F');
		let frame = await app!.waitFor('[Findings');
		expect(frame).toContain('console-login-without-mfa');
		expect(frame).toMatch(/! medium/);
		// The account is named once, in the header; the rows name the device or principal in it.
		expect(frame).toContain('account: 111122223333');
		expect(frame).toMatch(/mfa-managed-by-other-principal\s+mfa\/alice-phone/);
		await app!.press('g', keys.enter);
		frame = await app!.waitFor('› Finding ');
		const finding = (await import('../../source/findings/queries.js')).listFindings(db)[0];
		expect(frame).toContain(`rule: ${finding.rule}   severity: ${finding.severity}`);
		expect(frame).toContain(`principal: ${finding.principal ?? '-'}`);
		expect(frame).toContain(`serial: ${finding.serialNumber ?? '-'}`);
		// Times as the explorer shows them (UTC by default, the zone top right).
		const shownTime = (t: string) => t.replace('T', ' ').replace('Z', '');
		expect(frame).toContain(`first seen: ${shownTime(finding.firstSeen)}   last seen: ${shownTime(finding.lastSeen)}`);
		// The whole summary, wrapped to the width.
		const shown = frame
			.split('\n')
			.filter(l => /^(summary: | {9})/.test(l))
			.map(l => l.replace(/^(summary: | {9})/, ''))
			.join(' ');
		expect(shown).toBe(finding.summary);
		expect(frame).toContain(`[Evidence ${finding.eventIds.length}]`);
		await app!.press(keys.enter);
		await app!.waitFor(`eventID: ${finding.eventIds[0]}`);
	});

	it('Enter on a finding in the principal findings pane opens that finding', async () => {
		await openAlice();
		await app!.press(keys.tab, keys.tab, keys.enter);
		const frame = await app!.waitFor('Search "alice" › alice › Finding mfa-managed-by-other-principal');
		expect(frame).toContain('serial: arn:aws:iam::111122223333:mfa/alice-phone');
		expect(frame).toMatch(/2024-03-01 09:01:00 EnableMFADevice\s+user\/admin\s+198\.51\.100\.7/);
	});

	it('rows whose evidence holds hidden characters carry the ⚠ marker; help explains it', async () => {
		await openAlice();
		await app!.press(keys.tab);
		const frame = app!.frame();
		// The failed sign-in's user agent holds an ESC; the successful one's does not.
		expect(frame).toMatch(/ {2}⚠2024-03-02 22:15:00 ConsoleLogin Failure/);
		expect(frame).toMatch(/› {2}2024-03-01 09:30:00 ConsoleLogin Success/);
		await app!.press('?', ' ', ' ');
		expect(app!.frame()).toMatch(/⚠ +hidden characters in this row's evidence/);
	});

	it('? lists every key of the current screen from the keymap; any key closes it', async () => {
		await openAlice();
		await app!.press('?');
		let frame = app!.frame();
		expect(frame).toContain('Keys on the principal screen');
		// The keys that leave are on the last line whatever the help scrolls to.
		expect(frame.trimEnd().split('\n').at(-1)).toMatch(/Esc back · \? help · q quit$/);
		// Scrolled to its end, every key has been shown.
		for (let i = 0; i < 10 && frame.includes('↓ more'); i++) {
			await app!.press(' ');
			frame += app!.frame();
		}
		for (const label of ['Enter', 'Esc Backspace', 'Tab', '/', 't', 'F', 'e', 'q', 'Ctrl-C', 'PgUp', 'g Home']) expect(frame).toContain(`  ${label} `);
		expect(frame).not.toContain('owner of this device');
		await app!.press('x');
		expect(app!.frame()).toContain('ARN: arn:aws:iam::111122223333:user/alice');
	});

	it('e writes the view to a file (JSON for a principal, CSV with csvCell for lists) and says where', async () => {
		await openAlice();
		await app!.press('e');
		let frame = app!.frame();
		const file = /wrote (\S+\.json)/.exec(frame)?.[1];
		expect(file).toBeDefined();
		const json = JSON.parse(fs.readFileSync(file!, 'utf8')) as {principal: {arn: string}; devices: unknown[]};
		expect(json.principal.arn).toBe('arn:aws:iam::111122223333:user/alice');
		expect((fs.statSync(file!).mode & 0o777).toString(8)).toBe('600');
		await app!.press('F', 'e');
		frame = app!.frame();
		const csv = /wrote (\S+\.csv)/.exec(frame)?.[1];
		expect(path.dirname(csv!)).toBe(dir);
		const text = fs.readFileSync(csv!, 'utf8');
		// Every field in full, not the cut cells of the list.
		expect(text.split('\r\n')[0]).toBe('rule,severity,principal,serialNumber,firstSeen,lastSeen,eventIds,summary,status,note');
		const {listFindings} = await import('../../source/findings/queries.js');
		const all = listFindings(db);
		expect(text.split('\r\n').filter(Boolean)).toHaveLength(all.length + 1);
		const f = all[0];
		expect(text.split('\r\n')[1]).toContain(`${f.rule},${f.severity},${f.principal ?? ''},${f.serialNumber ?? ''},${f.firstSeen},${f.lastSeen},${f.eventIds.join(' ')},`);
		for (const finding of all) expect(text).toContain(finding.summary.replace(/"/g, '""'));
	});

	it('/ searches from anywhere, Esc returns; q quits; Ctrl-C quits while typing', async () => {
		await openAlice();
		await app!.press('/');
		// The last search comes back; what is typed first replaces it.
		expect(app!.frame()).toContain('/ alice█');
		expect(app!.frame()).toContain('last search');
		await app!.type('bob');
		expect(app!.frame()).toContain('/ bob█');
		await app!.waitFor('1 result');
		await app!.press(keys.escape, keys.escape);
		expect(app!.frame()).toContain('ARN: arn:aws:iam::111122223333:user/alice');
		await app!.press('q');
		await app!.exited;
		app = await renderExplorer(db);
		await app.press('/');
		await app.type('ali');
		await app.press(keys.ctrlC);
		await app.exited;
	});
});

describe('terminal reality', () => {
	it('fits 80×24: frame at most rows−1 lines, no line wider than the terminal', async () => {
		app = await renderExplorer(db, {columns: 80, rows: 24});
		await app.press('/');
		await app.type('alice');
		await app.waitFor('2 results');
		await app.press(keys.enter);
		for (const frame of [app.frame()]) {
			const all = lines(frame);
			expect(all.length).toBeLessThanOrEqual(23);
			for (const line of all) expect(displayWidth(line)).toBeLessThanOrEqual(80);
		}
		await app.press(keys.tab);
		for (const line of lines(app.frame())) expect(displayWidth(line)).toBeLessThanOrEqual(80);
	});

	it('resizes live on stdout resize', async () => {
		app = await renderExplorer(db, {columns: 100, rows: 30, query: 'carol'});
		await app.waitFor('1 result');
		await app.press(keys.enter, 't');
		await app.waitFor('[Events 40]');
		expect(lines(app.frame()).length).toBe(29);
		await app.resize(80, 20);
		const frame = app.frame();
		expect(lines(frame).length).toBe(19);
		for (const line of lines(frame)) expect(displayWidth(line)).toBeLessThanOrEqual(80);
		// Windowed: only the rows that fit are rendered.
		expect(frame.match(/ConsoleLogin/g)!.length).toBeLessThan(20);
	});

	it('draws no colour with FORCE_COLOR=0 and still marks the selection', async () => {
		app = await renderExplorer(db, {query: 'alice'});
		const frame = await app.waitFor('2 results');
		expect(frame).not.toMatch(/\u001b\[/);
		expect(frame).toContain('›');
	});
});
