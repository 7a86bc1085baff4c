import fs from 'node:fs';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {CaseFile} from '../../source/db/open.js';
import {type Explorer, keys, lines, renderExplorer, samplesCaseFile} from './helpers.js';
import {displayWidth} from '../../source/lib/terminal-text.js';

/** The explorer over the bundled samples/ (the AWS-2023-001 story) on an 80×24 terminal. */
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

async function openPrincipal(name: string): Promise<Explorer> {
	app = await renderExplorer(db, {columns: 80, rows: 24, query: `user:${name}`});
	await app.waitFor(/\d+ results?:/);
	// The first hit is the one of account 123456789012 (the samples have a second alice in 210987654321).
	await app.press(keys.enter);
	await app.waitFor(`ARN: arn:aws:iam::123456789012:user/${name}`);
	return app;
}

const fits = (frame: string) => {
	for (const line of lines(frame)) expect(displayWidth(line)).toBeLessThanOrEqual(80);
};

describe('explorer over the samples at 80 columns', () => {
	it('counts only enabled or in-use devices as now: erin-backup, its enabling denied, is created, not enabled', async () => {
		const frame = (await openPrincipal('erin')).frame();
		expect(frame).toContain('devices: 1 now, 1 created not enabled, 2 over time');
		expect(frame).toMatch(/device created {2}mfa\/erin-backup/);
		// The denied EnableMFADevice (it logs no serial) shows FAILED in the result column.
		expect(frame).toMatch(/2023-05-10 19:22:40 {2}Enable\s+user\/erin\s+AKIA no {2}198\.51\.100\.23 FAILED/);
		fits(frame);
	});

	it('lifecycle rows show time, event, actor, credential, MFA session, source IP and result', async () => {
		const frame = (await openPrincipal('alice')).frame();
		expect(frame).toMatch(/   time {16}event\s+actor\s+cred MFA source IP\s+result/);
		expect(frame).toMatch(/2023-02-14 10:02:11 {2}CreateVirtual user\/alice\s+AKIA no {2}203\.0\.113\.66 {2}applied/);
		expect(frame).toMatch(/2022-11-02 15:21:02 {2}Enable\s+user\/alice\s+ASIA no {2}203\.0\.113\.140 applied/);
		// Device headings run across the columns: the serial's name shows whole.
		expect(frame).toContain('device enabled  mfa/alice-backup  virtual');
		fits(frame);
	});

	it('the timeline tells alice-phone from alice-backup and shows applied in the result column', async () => {
		await openPrincipal('alice');
		await app!.press('t');
		const frame = await app!.waitFor('[Events');
		expect(frame).toMatch(/2022-11-02 15:21:02 Enable\s+applied mfa\/alice-phone\s+203\.0\.113\.140/);
		await app!.press('G');
		const end = app!.frame();
		expect(end).toMatch(/2023-02-14 10:02:48 Enable\s+applied mfa\/alice-backup\s+203\.0\.113\.66/);
		expect(end).toMatch(/2023-02-14 10:03:30 GetSessionToken Success mfa\/alice-backup\s+203\.0\.113\.66/);
		fits(frame);
		fits(end);
	});

	it('finding rows name the account and the device in full', async () => {
		app = await renderExplorer(db, {columns: 80, rows: 24});
		await app.press(keys.tab, 'F');
		const frame = await app.waitFor('[Findings');
		// The account most findings are in is named once; the rows name the device or principal in it.
		expect(frame).toContain('account: 123456789012 (rows of other accounts name theirs)');
		expect(frame).toMatch(/high\s+root-mfa-change\s+mfa\/root-account-mfa-device/);
		expect(frame).toMatch(/high\s+root-mfa-change\s+mfa\/another-device/);
		expect(frame).toMatch(/mfa-added-without-mfa-sess\S*\s+mfa\/alice-backup\s/);
		fits(frame);
	});
});
