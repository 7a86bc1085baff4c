/**
 * Triage from the explorer: the `m` key opens the prompt on findings, the finding, principal, device
 * and event screens; ←/→ choose the status, typing writes the note, Enter appends to the journal of
 * the real case file, Esc leaves it; rows and headers show the current status.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {openCaseFile, type CaseFile} from '../../source/db/open.js';
import {triageJournal, triageState} from '../../source/db/triage.js';
import {listFindings} from '../../source/findings/queries.js';
import {displayWidth} from '../../source/lib/terminal-text.js';
import {triagePromptReducer} from '../../source/ui/components/TriagePrompt.js';
import {fixtureCaseFile, keys, renderExplorer, type Explorer} from './helpers.js';

const right = '\u001b[C';
const left = '\u001b[D';

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

describe('triage prompt', () => {
	it('reducer: cycles the statuses both ways, keeps typed text, drops controls, erases by character', () => {
		let s = {status: 'needs-review' as const, note: ''};
		const cycle = (step: 1 | -1) => (s = triagePromptReducer(s, {type: 'status', step}) as typeof s);
		expect([cycle(1).status, cycle(1).status, cycle(1).status]).toEqual(['confirmed', 'benign', 'needs-review']);
		expect(cycle(-1).status).toBe('benign');
		s = triagePromptReducer(s, {type: 'type', text: 'a\u001b[31mb\u0007\u009bc😀'}) as typeof s;
		expect(s.note).toBe('a[31mbc😀');
		s = triagePromptReducer(s, {type: 'erase'}) as typeof s;
		expect(s.note).toBe('a[31mbc');
	});

	it('m on the findings list marks the selected finding; the row shows its new status', async () => {
		const findings = listFindings(db);
		app = await renderExplorer(db, {exportDir: dir});
		await app.press(keys.tab, 'F');
		await app.waitFor('[Findings');
		expect(app.frame()).toMatch(/needs-review/);
		await app.press('j', 'm');
		let frame = await app.waitFor('triage finding #');
		const target = findings[1];
		expect(frame).toContain(`triage finding #${target.id} `);
		expect(frame).toContain('[needs-review] confirmed benign');
		await app.press(right);
		expect(app.frame()).toContain('needs-review [confirmed] benign');
		// Keys that mean something elsewhere are text here: q, /, F, j.
		await app.type('IR-42 q/Fj <b>');
		expect(app.frame()).toContain('note: IR-42 q/Fj <b>█');
		await app.press(keys.backspace, keys.enter);
		frame = await app.waitFor('needs-review → confirmed, note saved');
		const row = frame.split('\n').find(l => l.startsWith('›'))!;
		expect(row).toContain('confirmed');
		const state = triageState(db, {kind: 'finding', target: target.key});
		expect(state).toMatchObject({status: 'confirmed', note: 'IR-42 q/Fj <b'});
		expect(state.analyst?.length).toBeGreaterThan(0);
		expect(listFindings(db).find(f => f.key === target.key)?.status).toBe('confirmed');
	});

	it('Esc leaves without writing; the explorer keys work again', async () => {
		const before = triageJournal(db).length;
		app = await renderExplorer(db, {exportDir: dir});
		await app.press(keys.tab, 'F');
		await app.waitFor('[Findings');
		await app.press('m', left);
		expect(app.frame()).toContain('needs-review confirmed [benign]');
		await app.press(keys.escape);
		await app.waitFor('triage unchanged');
		expect(triageJournal(db).length).toBe(before);
		await app.press('?');
		expect(app.frame()).toMatch(/ {2}m +mark \(triage\)/);
	});

	it('m on a principal marks the principal; its header shows status, note and analyst', async () => {
		app = await renderExplorer(db, {exportDir: dir});
		await app.press('/');
		await app.type('alice');
		await app.waitFor('2 results');
		await app.press(keys.enter);
		await app.waitFor('ARN: arn:aws:iam::111122223333:user/alice');
		await app.press('m', right, right);
		await app.type('on leave, phone replaced');
		await app.press(keys.enter);
		const frame = await app.waitFor('user/alice: needs-review → benign, note saved');
		expect(frame).toMatch(/triage: benign — on leave, phone replaced \(\S+, 20\d\d-/);
		expect(triageState(db, {kind: 'principal', target: 'arn:aws:iam::111122223333:user/alice'}).status).toBe('benign');
	});

	it('m on a device and on an event marks them by serial number and eventID', async () => {
		app = await renderExplorer(db, {exportDir: dir, query: 'serial:alice-phone'});
		await app.waitFor('1 result');
		await app.press(keys.enter);
		await app.waitFor('serial: arn:aws:iam::111122223333:mfa/alice-phone');
		await app.press('m', right, keys.enter);
		await app.waitFor('mfa/alice-phone: needs-review → confirmed');
		expect(triageState(db, {kind: 'device', target: 'arn:aws:iam::111122223333:mfa/alice-phone'}).status).toBe('confirmed');
		// Down to its first lifecycle call's event.
		await app.press(keys.enter);
		const eventId = /eventID: (\S+)/.exec(await app.waitFor('eventID: '))?.[1];
		expect(eventId).toBeDefined();
		await app.press('m', right, keys.enter);
		await app.waitFor(`event ${eventId}: needs-review → confirmed`);
		expect(triageState(db, {kind: 'event', target: eventId!}).status).toBe('confirmed');
	});

	it('fits 80 columns with the status column and the prompt open', async () => {
		app = await renderExplorer(db, {exportDir: dir, columns: 80, rows: 24});
		await app.press(keys.tab, 'F');
		await app.waitFor('[Findings');
		await app.press('m');
		await app.type('x'.repeat(90));
		const frame = app.frame();
		expect(frame.split('\n').filter(l => displayWidth(l) > 80)).toEqual([]);
		expect(frame).toContain('xxxx█');
		expect(frame).toContain('[needs-review]');
	});

	it('says so when the case file cannot be written', async () => {
		const file = path.join(dir, 'case.db');
		const readonly = openCaseFile(file, {readonly: true});
		try {
			app = await renderExplorer(readonly, {exportDir: dir});
			await app.press(keys.tab, 'F');
			await app.waitFor('[Findings');
			await app.press('m', right, keys.enter);
			await app.waitFor('triage not saved: the case file is open read-only');
		} finally {
			app?.unmount();
			app = undefined;
			readonly.close();
		}
	});
});
