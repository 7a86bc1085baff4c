/**
 * `mfatrail report` over real case files: every finding with its status, note and evidence
 * eventIDs (read from the case, not written down here), byte-identical output for the same case
 * and options, the case file untouched, filters, hostile evidence escaped in HTML and Markdown,
 * and a snapshot of the Markdown over samples/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {recordScope} from '../../source/db/scope.js';
import {recordTriage} from '../../source/db/triage.js';
import {lastVerify} from '../../source/db/verify-record.js';
import {fileSha256} from '../../source/commands/report.js';
import {html, markdownCode} from '../../source/lib/markup.js';
import {unescapeTerminalSafe} from '../../source/lib/terminal-text.js';
import {listFindings, type StoredFinding} from '../../source/findings/queries.js';
import {caseWith} from '../model/helpers.js';
import {restoreMocksAfterEach, runMain} from '../run-main.js';
import {findingsOf, repoRoot, samplesCase} from './helpers.js';

restoreMocksAfterEach();

let file = '';
let findings: StoredFinding[] = [];
const cleanups: (() => void)[] = [];

beforeAll(async () => {
	const made = await samplesCase();
	cleanups.push(made.cleanup);
	file = made.file;
	findings = findingsOf(file);
}, 120_000);

afterAll(() => {
	for (const c of cleanups) c();
});

async function report(caseFile: string, ...flags: string[]): Promise<string> {
	const {status, stdout, stderr} = await runMain('report', '--db', caseFile, ...flags);
	expect(stderr).toBe('');
	expect(status).toBe(0);
	return stdout;
}

/** The HTML of one finding: from its block's start to the next block or section end. */
function htmlBlock(page: string, id: number): string {
	const start = page.indexOf(`<div class="finding `, page.indexOf(`id="finding-${id}"`) - 40);
	expect(start, `finding #${id} in the HTML`).toBeGreaterThanOrEqual(0);
	const next = page.indexOf('<div class="finding ', start + 1);
	const end = page.indexOf('</section>', start);
	return page.slice(start, next >= 0 && next < end ? next : end);
}

/** The Markdown of one finding: from its heading to the next heading. */
function markdownBlock(text: string, f: StoredFinding): string {
	const heading = `: ${f.rule.replace(/-/g, '-')} (#${f.id}) — ${f.status}`;
	const start = text.split('\n').findIndex(l => l.startsWith('#### ') && l.includes(`(#${f.id}) — `));
	expect(start, `finding #${f.id} in the Markdown`).toBeGreaterThanOrEqual(0);
	const lines = text.split('\n');
	expect(lines[start]).toContain(heading);
	const end = lines.findIndex((l, i) => i > start && l.startsWith('#'));
	return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

describe('mfatrail report over samples/', () => {
	it('holds every finding with its status, note, summary and evidence eventIDs (HTML)', async () => {
		const page = await report(file);
		expect(findings.length).toBeGreaterThan(20);
		expect(page.match(/<div class="finding /g)).toHaveLength(findings.length);
		for (const f of findings) {
			const block = htmlBlock(page, f.id);
			expect(block).toContain(`<span class="status ${f.status}">${f.status}</span>`);
			expect(block).toContain(`<p>${html(f.summary)}</p>`);
			if (f.note) expect(block).toContain(html(f.note));
			for (const eventId of f.eventIds) expect(block).toContain(`<code>${html(eventId)}</code>`);
		}
		expect(findings.filter(f => f.status !== 'needs-review').map(f => f.status).sort()).toEqual(['benign', 'confirmed']);
		// The case: inventory, hash, scope, verify, and the SHA-256 of every source in the appendix.
		expect(page).toContain(`<code>${fileSha256(file)}</code>`);
		const db = openCaseFile(file, {readonly: true});
		try {
			const sources = db.prepare('SELECT sha256 FROM source').pluck().all() as string[];
			expect(page).toContain(`<dt>Evidence sources</dt><dd>${sources.length} `);
			for (const sha of sources) expect(page).toContain(`<code>${sha}</code>`);
			const lastImport = db.prepare('SELECT max(finished_at) FROM import_run').pluck().get() as string;
			expect(page).toContain(`<dt>Report time</dt><dd><code>${lastImport}</code>`);
		} finally {
			db.close();
		}
		expect(page).toContain('<dt>Verify</dt>');
		expect(page).toContain('not a scoped extract');
		// Per principal with findings: a swimlane and an outcomes chart, inline.
		const principals = new Set(findings.map(f => f.principal).filter(Boolean));
		expect(page.match(/<section class="page principal">/g)).toHaveLength(principals.size);
		expect(page.match(/aria-label="MFA devices over time"/g)!.length).toBeGreaterThan(5);
		expect(page).toContain('aria-label="sign-in outcomes per ');
	});

	it('holds every finding with its status, note and evidence eventIDs (Markdown)', async () => {
		const text = await report(file, '--format', 'md');
		expect(text.split('\n').filter(l => l.startsWith('#### '))).toHaveLength(findings.length);
		for (const f of findings) {
			const block = markdownBlock(text, f);
			for (const eventId of f.eventIds) expect(block).toContain(`| ${markdownCode(eventId)} |`);
		}
		const confirmed = findings.find(f => f.status === 'confirmed')!;
		expect(markdownBlock(text, confirmed)).toContain('**note:** Attacker device \\<b\\>alice-backup\\</b\\> \\& keys \\[rotated\\](http\\://x.example); ticket IR-42');
	});

	it('is byte-identical for the same case and options, and leaves the case file as it was', async () => {
		const before = fileSha256(file);
		const stat = fs.statSync(file);
		const first = await report(file);
		const second = await report(file);
		expect(second).toBe(first);
		expect(await report(file, '--format', 'md')).toBe(await report(file, '--format', 'md'));
		expect(fileSha256(file)).toBe(before);
		expect(fs.statSync(file).mtimeMs).toBe(stat.mtimeMs);
		// --generated-at replaces the import time, and nothing else.
		const pinned = await report(file, '--generated-at', '2024-06-01T12:00:00Z');
		expect(pinned).toContain('<code>2024-06-01T12:00:00Z</code>');
		expect(pinned.replaceAll('2024-06-01T12:00:00Z', 'T')).not.toBe(first);
	});

	it('--out writes the report owner-only with every finding and every source in CSV files beside it, named with their SHA-256', async () => {
		const out = path.join(path.dirname(file), 'report.html');
		const {status} = await runMain('report', '--db', file, '--out', out);
		expect(status).toBe(0);
		const page = fs.readFileSync(out, 'utf8');
		const beside = ['report.findings.csv', 'report.sources.csv'].map(name => path.join(path.dirname(file), name));
		for (const f of [out, ...beside]) expect(fs.statSync(f).mode & 0o777).toBe(0o600);
		for (const f of beside) expect(page).toContain(`<code>${path.basename(f)}</code> <span class="muted">(SHA-256 <code>${fileSha256(f)}</code>)</span>`);
		// Every finding: in the page with its status and eventIDs, or cut with "N of M" for its rule, and in the CSV.
		const csv = fs.readFileSync(beside[0], 'utf8').split('\r\n');
		for (const f of findings) {
			const lines = csv.filter(l => l.startsWith(`${f.id},${f.rule},${f.severity},${f.status},`));
			expect(lines.length, `finding #${f.id} in the CSV`).toBe(Math.max(1, f.eventIds.length));
			for (const eventId of f.eventIds) expect(lines.some(l => l.includes(`,${eventId},`))).toBe(true);
			if (page.includes(`id="finding-${f.id}"`)) for (const eventId of f.eventIds) expect(htmlBlock(page, f.id)).toContain(`<code>${html(eventId)}</code>`);
			else expect(page).toMatch(new RegExp(`\\d+ of \\d+ (findings of this rule and principal|principals) shown`));
		}
		// The sources' hashes are in their CSV, not in the page.
		const sources = fs.readFileSync(beside[1], 'utf8').trim().split('\r\n').slice(1);
		expect(page).toContain(`${sources.length} <span class="muted">(SHA-256 of each in report.sources.csv)</span>`);
		for (const line of sources) expect(page).not.toContain(line.split(',').at(-1)!);
	});

	it('limits to a triage status or a principal', async () => {
		const confirmed = await report(file, '--format', 'md', '--status', 'confirmed');
		expect(confirmed.split('\n').filter(l => l.startsWith('#### '))).toHaveLength(1);
		expect(confirmed).toContain('**Report limited to:** status confirmed');
		const arn = 'arn:aws:iam::123456789012:user/frank';
		const frank = await report(file, '--principal', arn);
		expect(frank.match(/<div class="finding /g)).toHaveLength(findings.filter(f => f.principal === arn).length);
		expect(frank.match(/<section class="page principal">/g)).toHaveLength(1);
		// 'alice' is a user in two accounts: the report asks for the ARN.
		const ambiguous = await runMain('report', '--db', file, '--principal', 'alice');
		expect(ambiguous.status).toBe(2);
		expect(ambiguous.stderr).toContain('arn:aws:iam::210987654321:user/alice');
	});

	it('matches the Markdown snapshot', async () => {
		const text = await report(file, '--format', 'md', '--generated-at', '2024-06-01T00:00:00Z');
		// What differs between machines and runs: where the evidence lies, and the case file's bytes.
		const normalised = text.replaceAll(repoRoot, '<repo>').replaceAll(fileSha256(file), '<case file sha-256>');
		await expect(normalised).toMatchFileSnapshot('__snapshots__/samples-report.md');
	});

	it('describes a scoped extract: its engine, accounts, regions, time range and query', async () => {
		const made = await caseWith(path.join(repoRoot, 'samples', 'lookup-events'));
		cleanups.push(made.cleanup);
		const query = "SELECT path FROM cloudtrail WHERE eventname IN ('EnableMFADevice') AND useridentity.username = '<script>'";
		recordScope(made.db, {engine: 'athena', query, accounts: ['123456789012'], regions: ['us-east-1'], since: '2023-01-01T00:00:00Z', until: null, objects: ['AWSLogs/x.json.gz'], origin: null, sha256: 'a'.repeat(64)}, '2024-05-01T00:00:00.000Z');
		made.db.close();
		const page = await report(made.file);
		expect(page).toContain('<dt>Scope</dt><dd>a scoped extract (below)</dd>');
		expect(page).toContain(`<code>${html(query)}</code>`);
		expect(page).not.toContain('<script>');
		const text = await report(made.file, '--format', 'md');
		expect(text).toContain('| athena | `123456789012` | `us-east-1` | `2023-01-01T00:00:00Z` | – | `2024-05-01T00:00:00.000Z` |');
		expect(text).toContain(markdownCode(query));
	});

	it('states the last recorded verify result, and that none was recorded before', async () => {
		expect(await report(file, '--format', 'md')).toContain('- **Verify:** no verify result recorded in the case file');
		// samples/ holds no digest files and every source is still on disk, unchanged: every check holds.
		const verify = await runMain('verify', '--db', file);
		expect(verify.status).toBe(0);
		const db = openCaseFile(file, {readonly: true});
		const verifiedAt = lastVerify(db)!.verifiedAt;
		db.close();
		const text = await report(file, '--format', 'md');
		const line = text.split('\n').find(l => l.startsWith('- **Verify:** '))!;
		expect(line).toContain(`passed at ${verifiedAt}`);
		expect(line).toContain('no problem found');
		expect(await report(file)).toContain(`<dt>Verify</dt><dd>passed at ${verifiedAt}`);
	});

	it('states a failed verify: one evidence file changed after import is one problem', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
		cleanups.push(() => fs.rmSync(dir, {recursive: true, force: true}));
		const evidence = path.join(dir, 'trail.json');
		fs.copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'findings', 'mfa-device-removed', 'positive.json'), evidence);
		const caseFile = path.join(dir, 'case.db');
		expect((await runMain('import', evidence, '--db', caseFile)).status).toBe(0);
		fs.appendFileSync(evidence, '\n');
		expect((await runMain('verify', '--db', caseFile)).status).toBe(4);
		const line = (await report(caseFile, '--format', 'md')).split('\n').find(l => l.startsWith('- **Verify:** '))!;
		expect(line).toMatch(/^- \*\*Verify:\*\* \*\*FAILED\*\* at \S+.*1 problem/);
		expect(await report(caseFile)).toMatch(/<dt>Verify<\/dt><dd><strong>FAILED<\/strong> at /);
	});
});

describe('mfatrail report over hostile evidence', () => {
	let page = '';
	let text = '';
	let hostile: StoredFinding[] = [];
	let hostileFile = '';
	const note = '<script>alert(9)</script> javascript:alert(10) [x](https://evil.example) | `tick` \u001b]0;T\u0007';

	beforeAll(async () => {
		const made = await caseWith(path.join(repoRoot, 'test', 'fixtures', 'hostile'));
		cleanups.push(made.cleanup);
		hostile = listFindings(made.db);
		recordTriage(made.db, {kind: 'finding', target: hostile[0].key, status: 'confirmed', note, analyst: '<img src=x onerror=alert(11)>', at: '2024-05-01T10:00:00.000Z'});
		recordTriage(made.db, {kind: 'finding', target: hostile[1].key, status: 'benign', note: '=HYPERLINK("https://evil.example","x")', analyst: '@SUM(1)', at: '2024-05-01T10:01:00.000Z'});
		made.db.close();
		hostileFile = made.file;
		page = await report(made.file);
		text = await report(made.file, '--format', 'md');
	}, 120_000);

	it('CSV beside the report: every cell with its controls made visible (reversibly), none read as a formula', async () => {
		const out = path.join(path.dirname(hostileFile), 'hostile.html');
		expect((await runMain('report', '--db', hostileFile, '--out', out)).status).toBe(0);
		const {parse} = await import('csv-parse/sync');
		const rows = parse(fs.readFileSync(out.replace(/html$/, 'findings.csv')), {relaxQuotes: false}) as string[][];
		expect(rows[0].slice(0, 4)).toEqual(['finding', 'rule', 'severity', 'status']);
		for (const row of rows) for (const cell of row) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
		expect(rows.filter(r => r[0] === String(hostile[1].id)).every(r => r[9] === `'=HYPERLINK("https://evil.example","x")`)).toBe(true);
		expect(rows.filter(r => r[0] === String(hostile[0].id)).every(r => r[9] === note.replace('\u001b', '\\x1b').replace('\u0007', '\\x07'))).toBe(true);
		expect(rows.filter(r => r[0] === String(hostile[0].id)).every(r => unescapeTerminalSafe(r[9]) === note)).toBe(true);
		for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
		for (const f of hostile) for (const eventId of f.eventIds) expect(rows.some(r => r[0] === String(f.id) && r[11] === eventId)).toBe(true);
	});

	it('the fixture carries markup in principals, serials, eventIDs, IPs and user agents', () => {
		expect(hostile.some(f => f.principal?.includes('<script>'))).toBe(true);
		expect(hostile.some(f => f.eventIds.some(e => e.includes('<b>')))).toBe(true);
		expect(hostile.some(f => f.serialNumber?.includes('<script>'))).toBe(true);
	});

	it('HTML: no script, no javascript: URL, no element or attribute but the report\'s own, no raw control', () => {
		expect(page).not.toMatch(/<script/i);
		expect(page).not.toMatch(/javascript:/i);
		expect(page).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
		const tags = new Set([...page.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map(m => m[1].toLowerCase()));
		const allowed = ['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'h4', 'p', 'section', 'dl', 'dt', 'dd', 'div', 'span', 'strong', 'code', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'svg', 'rect', 'circle', 'path', 'text', 'i'];
		expect([...tags].filter(t => !allowed.includes(t))).toEqual([]);
		// Attribute names of every tag (values are double-quoted; evidence cannot hold a raw quote).
		const attributes = new Set(
			[...page.matchAll(/<[a-zA-Z][\w-]*([^>]*)>/g)].flatMap(m => [...m[1].matchAll(/([^\s="/]+)(?:="[^"]*")?/g)].map(a => a[1].toLowerCase())),
		);
		const allowedAttributes = ['lang', 'charset', 'http-equiv', 'content', 'name', 'class', 'id', 'xmlns', 'viewbox', 'width', 'height', 'role', 'aria-label', 'x', 'y', 'cx', 'cy', 'r', 'd', 'text-anchor'];
		expect([...attributes].filter(a => !allowedAttributes.includes(a))).toEqual([]);
		// Every finding is there, its evidence escaped, the hostile note and analyst too.
		for (const f of hostile) {
			const block = htmlBlock(page, f.id);
			for (const eventId of f.eventIds) expect(block).toContain(html(eventId));
			if (f.principal) expect(block).toContain(html(f.principal));
		}
		expect(page).toContain(html(note));
		expect(page).toContain('&lt;img src&#61;x onerror&#61;alert(11)&gt;');
	});

	it('Markdown: no link, image, HTML or autolink outside code spans, and one cell per value', () => {
		const lines = text.split('\n');
		// Code spans hold evidence verbatim (a renderer shows them as text): take them out, then look.
		const outside = lines.map(l => l.replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, '⟨code⟩'));
		for (const l of outside) {
			expect(l).not.toMatch(/(?<!\\)</);
			expect(l).not.toMatch(/(?<!\\)\[/);
			expect(l).not.toMatch(/(?:javascript|https?):/i);
			expect(l).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
		}
		// Every table row has as many cells as its header: no value adds a pipe.
		let columns = 0;
		for (const l of lines) {
			if (!l.startsWith('|')) {
				columns = 0;
				continue;
			}
			const cells = l.split(/(?<!\\)\|/).length - 2;
			if (columns === 0) columns = cells;
			else expect(cells, l).toBe(columns);
		}
		for (const f of hostile) for (const eventId of f.eventIds) expect(text).toContain(markdownCode(eventId));
	});
});
