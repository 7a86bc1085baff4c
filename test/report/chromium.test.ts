/**
 * The HTML report in a real browser: Debian's headless Chromium (installed by .ci/run when
 * missing) renders it to a PNG with visible content, with no console message or error and no
 * network request. A control page proves the detectors see what they are meant to see.
 *
 * MFATRAIL_README_PNG=FILE also writes the samples/ screenshot the README shows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {caseWith} from '../model/helpers.js';
import {restoreMocksAfterEach, runMain} from '../run-main.js';
import {chromiumPath, decodePng, renderInChromium} from './chromium.js';
import {repoRoot, samplesCase} from './helpers.js';
import {hasTool} from '../needs-tool.js';

restoreMocksAfterEach();

const hasChromium = hasTool('chromium', chromiumPath !== undefined, 'apt-get install -y chromium fonts-dejavu-core (.ci/run does)');

const cleanups: (() => void)[] = [];
let dir = '';

beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-report-'));
	cleanups.push(() => fs.rmSync(dir, {recursive: true, force: true}));
});

afterAll(() => {
	for (const c of cleanups) c();
});

async function reportFile(caseFile: string, name: string): Promise<string> {
	const out = path.join(dir, name);
	const {status, stderr} = await runMain('report', '--db', caseFile, '--out', out, '--generated-at', '2024-06-01T00:00:00Z');
	expect(status, stderr).toBe(0);
	return out;
}

/** Share of pixels that are not (near) white, and how many distinct colours there are. */
function ink(png: Buffer): {share: number; colours: number} {
	const {width, height, channels, pixels} = decodePng(png);
	let inked = 0;
	const colours = new Set<number>();
	for (let i = 0; i < pixels.length; i += channels) {
		const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
		if (r < 240 || g < 240 || b < 240) inked++;
		colours.add((r >> 4) * 256 + (g >> 4) * 16 + (b >> 4));
	}
	return {share: inked / (width * height), colours: colours.size};
}

describe.skipIf(!hasChromium)('the HTML report in headless Chromium', () => {
	it('renders samples/ with visible content, no console message and no request', async () => {
		const made = await samplesCase();
		cleanups.push(made.cleanup);
		const file = await reportFile(made.file, 'samples.html');
		const result = await renderInChromium(file, {width: 1000, height: 1300});
		expect(result.problems).toEqual([]);
		expect(result.requests).toEqual([]);
		expect(result.text).toContain('MFA evidence report');
		expect(result.text).toContain('Findings by rule and principal');
		const seen = ink(result.png);
		expect(seen.share).toBeGreaterThan(0.03);
		expect(seen.colours).toBeGreaterThan(8);
		if (process.env.MFATRAIL_README_PNG) fs.writeFileSync(process.env.MFATRAIL_README_PNG, result.png);
		// The charts render too: the part of the page where the first principal's section is.
		const charts = await renderInChromium(file, {width: 1000, height: 900, y: 5000});
		expect(charts.problems).toEqual([]);
		expect(ink(charts.png).share).toBeGreaterThan(0.02);
	}, 120_000);

	it('renders the hostile fixture without running, loading or logging anything', async () => {
		const made = await caseWith(path.join(repoRoot, 'test', 'fixtures', 'hostile'));
		made.db.close();
		cleanups.push(made.cleanup);
		const file = await reportFile(made.file, 'hostile.html');
		const result = await renderInChromium(file);
		expect(result.problems).toEqual([]);
		expect(result.requests).toEqual([]);
		// The markup is on the page as text.
		expect(result.text).toContain('user/alice<script>alert(1)</script>');
		expect(result.text).toContain('"><svg/onload=alert(3)>');
		expect(ink(result.png).share).toBeGreaterThan(0.03);
	}, 120_000);

	it('sees a request and a console message when a page makes them (the detectors work)', async () => {
		const control = path.join(dir, 'control.html');
		fs.writeFileSync(control, '<!DOCTYPE html><html><body><p>control</p><img src="http://192.0.2.1/x.png"><script>console.error("from the page")</script></body></html>');
		const result = await renderInChromium(control, {width: 400, height: 300});
		expect(result.requests).toContain('http://192.0.2.1/x.png');
		expect(result.problems.join('\n')).toContain('from the page');
	}, 120_000);
});
