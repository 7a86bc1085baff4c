/**
 * The interactive section of the benchmark (issue 17, "within a keystroke at a million events"):
 * search per keystroke and every screen on the heaviest object of its kind, in-process, through
 * the explorer's own data and screen builders; the query commands, `summary` and the explorer's
 * first frame as whole processes against `node -e 0` measured in the same run; the explorer's peak
 * RSS; the report's size and time. Each figure is printed with its target and pass/FAIL.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import type Database from 'better-sqlite3';
import type {ExplorerData} from '../ui/data.js';
import type {ScreenContext, View} from '../ui/screens/build.js';
import type {Measured, Row} from './measure.js';
import {repoRoot} from './write-samples.js';

export type BenchRow = Row;

export type Measure = (command: string, args: string[], options?: {peak?: boolean}) => Promise<Measured>;

const dist = (file: string) => pathToFileURL(path.join(repoRoot, 'dist', file)).href;
const cli = path.join(repoRoot, 'dist', 'cli.js');

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The heaviest object of each kind, with what makes it heavy. */
export interface Heaviest {
	principal?: {arn: string; events: number};
	device?: {id: number; serial: string; calls: number};
	key?: {id: string; events: number};
	ip?: {id: string; events: number};
	/** The busiest address (the busiest "IP" is often a service name). */
	address?: {id: string; events: number};
	agent?: {id: string; events: number};
	finding?: {id: number; rule: string; evidence: number};
	event?: {id: string; bytes: number};
	signIns?: {arn: string; count: number};
}

/** Read with test-side SQL over the model tables and pivot_value (the bench may read what it likes). */
export function heaviest(db: Database.Database): Heaviest {
	const get = <T>(sql: string) => db.prepare(sql).get() as T | undefined;
	return {
		principal: get(`SELECT arn, event_count AS events FROM principal ORDER BY event_count DESC LIMIT 1`),
		device: get(`SELECT d.id, d.serial_number AS serial, count(*) AS calls FROM lifecycle_event l JOIN device d ON d.serial_number = l.serial_number
			GROUP BY d.id ORDER BY calls DESC LIMIT 1`),
		key: get(`SELECT value AS id, events FROM pivot_value WHERE kind = 1 ORDER BY events DESC LIMIT 1`),
		ip: get(`SELECT value AS id, events FROM pivot_value WHERE kind = 2 ORDER BY events DESC LIMIT 1`),
		address: get(`SELECT value AS id, events FROM pivot_value WHERE kind = 2 AND value GLOB '[0-9]*.*' ORDER BY events DESC LIMIT 1`),
		agent: get(`SELECT value AS id, events FROM pivot_value WHERE kind = 3 ORDER BY events DESC LIMIT 1`),
		finding: get(`SELECT id, rule, CASE typeof(event_ids) WHEN 'blob' THEN length(event_ids) / 16 ELSE json_array_length(event_ids) END AS evidence FROM finding ORDER BY evidence DESC LIMIT 1`),
		event: get(`SELECT e.event_id AS id, r.raw_length AS bytes FROM (SELECT id, raw_length FROM event_row ORDER BY raw_length DESC LIMIT 1) r JOIN event e ON e.id = r.id`),
		signIns: get(`SELECT principal_arn AS arn, count(*) AS count FROM sign_in GROUP BY principal_arn ORDER BY count DESC LIMIT 1`),
	};
}

export function describeHeaviest(h: Heaviest): string[] {
	const n = (v: number) => v.toLocaleString('en');
	return [
		h.principal && `principal with most events: ${h.principal.arn} (${n(h.principal.events)} events)`,
		h.signIns && `principal with most sign-ins: ${h.signIns.arn} (${n(h.signIns.count)})`,
		h.device && `device with most lifecycle calls: ${h.device.serial} (${n(h.device.calls)})`,
		h.key && `busiest access key: ${h.key.id} (${n(h.key.events)} calls)`,
		h.ip && `busiest source: ${h.ip.id} (${n(h.ip.events)} events)`,
		h.address && `busiest address: ${h.address.id} (${n(h.address.events)} events)`,
		h.agent && `busiest user agent: ${h.agent.id} (${n(h.agent.events)} events)`,
		h.finding && `finding with most evidence: #${h.finding.id} ${h.finding.rule} (${n(h.finding.evidence)} eventIDs)`,
		h.event && `largest record: ${h.event.id} (${n(h.event.bytes)} bytes)`,
	].filter((line): line is string => Boolean(line));
}

type Modules = {
	openExplorerData(db: Database.Database): ExplorerData;
	screenModel(data: ExplorerData, view: View, context: ScreenContext): unknown;
	searchModel(data: ExplorerData, query: string, hits: unknown[], overview: unknown, pending: boolean, indexing: number, pivots: unknown[]): unknown;
	parseQuery(query: string): {text: string; kind?: 'principal' | 'device'};
};

async function modules(): Promise<Modules> {
	const data = await import(dist('ui/data.js'));
	const build = await import(dist('ui/screens/build.js'));
	const search = await import(dist('ui/screens/search.js'));
	return {openExplorerData: data.openExplorerData, screenModel: build.screenModel, searchModel: search.searchModel, parseQuery: search.parseQuery};
}

/** Each screen on the heaviest object of its kind, in-process: a fresh explorer session each time, median of 3. */
export async function screenRows(db: Database.Database, h: Heaviest): Promise<BenchRow[]> {
	const m = await modules();
	const context: ScreenContext = {width: 80, zone: 'utc', overview: undefined, indexed: true};
	const views: [string, View | undefined][] = [
		['principal', h.principal && {screen: 'principal', arn: h.principal.arn}],
		['device', h.device && {screen: 'device', deviceId: h.device.id}],
		['key', h.key && {screen: 'key', accessKeyId: h.key.id, limit: 200}],
		['IP (busiest source)', h.ip && {screen: 'ip', ip: h.ip.id}],
		['IP (busiest address)', h.address && {screen: 'ip', ip: h.address.id}],
		['IP /16', h.address && {screen: 'ip', ip: `${h.address.id.split('.').slice(0, 2).join('.')}.0.0/16`}],
		['agent', h.agent && {screen: 'user-agent', userAgent: h.agent.id}],
		['finding', h.finding && {screen: 'finding', findingId: h.finding.id}],
		['findings list', {screen: 'findings'}],
		['timeline', h.principal && {screen: 'timeline', subject: {principalArn: h.principal.arn, label: h.principal.arn}, failedOnly: false}],
		['timeline (most sign-ins)', h.signIns && {screen: 'timeline', subject: {principalArn: h.signIns.arn, label: h.signIns.arn}, failedOnly: false}],
		['event', h.event && {screen: 'event', eventId: h.event.id, version: 0}],
		['overview', {screen: 'overview'}],
	] as [string, View | undefined][];
	const rows: BenchRow[] = [];
	for (const [name, view] of views) {
		if (!view) continue;
		const times: number[] = [];
		for (let i = 0; i < 3; i++) {
			const data = m.openExplorerData(db);
			const started = performance.now();
			if (view.screen === 'overview') context.overview = data.overview();
			m.screenModel(data, view, context);
			times.push(performance.now() - started);
		}
		const ms = median(times);
		rows.push({metric: `screen: ${name}, in-process`, value: `${ms.toFixed(1)} ms`, target: '≤ 100 ms', pass: ms <= 100});
	}
	return rows;
}

/**
 * Search per keystroke as the explorer does it (names from the in-memory index, then keys, IPs,
 * agents and eventIDs from pivot_value and the indexes, then the screen), in-process, p95 over
 * every prefix of names, key prefixes, IP prefixes and agent words.
 */
export async function keystrokeRows(db: Database.Database, h: Heaviest): Promise<BenchRow[]> {
	const m = await modules();
	const data = m.openExplorerData(db);
	let started = performance.now();
	while (!data.indexStep());
	const buildMs = performance.now() - started;
	started = performance.now();
	while (!data.warmStep());
	const warmMs = performance.now() - started;
	const name = (h.principal?.arn.split('/').pop() ?? 'mary.garcia').slice(0, 12);
	const typed = [name, 'mary.garcia', 'sam.k', 'root', h.key?.id.slice(0, 10), h.address?.id, 'Boto3', 'aws-cli', 'internal'].filter((t): t is string => Boolean(t));
	// Each word is typed three times over (a fresh narrowing each time, as a new search is); a
	// keystroke's figure is the median of its three, as the commands' are: one sample on a shared
	// machine measures the neighbours.
	const runs = new Map<string, number[]>();
	for (let round = 0; round < 3; round++) {
		for (const text of typed) {
			for (let i = 1; i <= text.length; i++) {
				const query = text.slice(0, i);
				started = performance.now();
				const parsed = m.parseQuery(query);
				const hits = data.search(parsed.text, {limit: 500, kind: parsed.kind}); // the explorer's searchLimit
				const pivots = parsed.kind ? [] : data.pivotSearch(parsed.text, 50);
				m.searchModel(data, query, hits, undefined, false, 1, pivots);
				const key = `${text}\u0000${i}`;
				runs.set(key, [...(runs.get(key) ?? []), performance.now() - started]);
			}
		}
	}
	const times: number[] = [];
	let worst = {ms: 0, text: ''};
	for (const [key, values] of runs) {
		const ms = median(values);
		times.push(ms);
		const [text, length] = key.split('\u0000');
		if (ms > worst.ms) worst = {ms, text: text.slice(0, Number(length))};
	}
	const p95 = percentile(times, 95);
	return [
		{metric: 'search index build (once, in slices after the first frame)', value: `${buildMs.toFixed(0)} ms, then first keystrokes answered ahead ${warmMs.toFixed(0)} ms`, target: '(reference)'},
		{
			metric: `search per keystroke (median of 3 each), p95 of ${times.length} (${typed.map(t => JSON.stringify(t)).join(', ')})`,
			value: `${p95.toFixed(1)} ms (median ${median(times).toFixed(1)}, worst ${worst.ms.toFixed(1)} at ${JSON.stringify(worst.text)})`,
			target: '≤ 30 ms',
			pass: p95 <= 30,
		},
	];
}

/** Whole-process commands against node -e 0: the default page of each query command, summary. */
export async function commandRows(db: string, h: Heaviest, floorMs: number, measure: Measure): Promise<BenchRow[]> {
	const commands: [string, string[], number][] = [];
	if (h.principal) commands.push(['user', [h.principal.arn], 2], ['timeline', ['--user', h.principal.arn], 2]);
	if (h.signIns) commands.push(['logins', ['--user', h.signIns.arn], 2]);
	if (h.device) commands.push(['device', [h.device.serial], 2]);
	if (h.key) commands.push(['key', [h.key.id], 2]);
	if (h.address) commands.push(['ip', [h.address.id], 2]);
	if (h.ip) commands.push(['ip', [h.ip.id], 2]);
	if (h.agent) commands.push(['agent', [h.agent.id], 2]);
	if (h.event) commands.push(['event', [h.event.id], 2]);
	if (h.finding) commands.push(['findings', ['--rule', h.finding.rule], 2]);
	commands.push(['summary', [], 3], ['search', ['mary.garcia'], 2], ['--help', [], 2], ['--version', [], 2]);
	const rows: BenchRow[] = [];
	for (const [name, args, factor] of commands) {
		const times: number[] = [];
		let status: number | null = 0;
		for (let i = 0; i < 3; i++) {
			const run = await measure(process.execPath, name.startsWith('--') ? [cli, name] : [cli, name, ...args, '--db', db]);
			times.push(run.ms);
			status = run.status;
		}
		const ms = median(times);
		const ratio = ms / floorMs;
		const shown = args.map(a => (a.length > 40 ? `${a.slice(0, 37)}…` : a)).join(' ');
		rows.push({
			metric: `${name} ${shown}`.trim() + ', whole process',
			value: `${ms.toFixed(0)} ms = ${ratio.toFixed(2)}× node -e 0${status === 0 || status === 1 ? '' : ` (exit ${status})`}`,
			target: `≤ ${factor}×`,
			pass: ratio <= factor,
		});
	}
	return rows;
}

/**
 * The explorer under a pseudo-terminal (script(1)), 80×24: time to the first frame; then `/` and
 * a name typed one key at a time; its peak RSS read from /proc until it quits on Ctrl-C.
 */
export function explorerRun(db: string, floorMs: number, name: string): Promise<BenchRow[]> {
	if (!fs.existsSync('/usr/bin/script')) return Promise.resolve([{metric: 'explorer first frame', value: 'n/a (no script)', target: '≤ 4×'}]);
	const command = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} explore --db ${JSON.stringify(db)}`;
	return new Promise(resolve => {
		const started = performance.now();
		const child = spawn('/usr/bin/script', ['-qfec', command, '/dev/null'], {stdio: ['pipe', 'pipe', 'pipe'], env: {...process.env, TERM: 'xterm-256color', COLUMNS: '80', LINES: '24'}});
		let seen = '';
		let firstMs: number | undefined;
		let inkMs: number | undefined;
		let peakKiB = 0;
		let typing = false;
		const node = () => {
			// script's child is the explorer's node (exec'd by the shell).
			try {
				const children = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
				return children[0];
			} catch {
				return undefined;
			}
		};
		const poll = setInterval(() => {
			const pid = node();
			if (!pid) return;
			try {
				const m = /VmHWM:\s*(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
				if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
			} catch {
				// Exited.
			}
		}, 20);
		const rows = (): BenchRow[] => [
			firstMs === undefined
				? {metric: 'explorer first frame, whole process (80×24)', value: 'no frame', target: '≤ 4× node -e 0', pass: false}
				: {metric: 'explorer first frame, whole process (80×24)', value: `${firstMs.toFixed(0)} ms = ${(firstMs / floorMs).toFixed(2)}× node -e 0`, target: '≤ 4×', pass: firstMs / floorMs <= 4},
			{metric: 'explorer first Ink frame (after the splash), whole process', value: inkMs === undefined ? 'none' : `${inkMs.toFixed(0)} ms = ${(inkMs / floorMs).toFixed(2)}× node -e 0`, target: '(reference)'},
			{metric: `explorer peak RSS (index built, "${name}" typed)`, value: peakKiB ? `${(peakKiB / 1024).toFixed(0)} MiB` : 'unknown', target: '≤ 512 MiB', pass: peakKiB ? peakKiB <= 512 * 1024 : undefined},
		];
		let done = false;
		const finish = () => {
			if (done) return;
			done = true;
			clearInterval(poll);
			clearTimeout(timer);
			resolve(rows());
		};
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			finish();
		}, 60_000);
		child.stdout.on('data', (b: Buffer) => {
			seen += b.toString('utf8');
			const visible = seen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b[()][A-Z0-9]/g, '').trim();
			// Ink's frames carry the time zone top right; the splash does not.
			if (inkMs === undefined && /\bUTC\b/.test(visible)) inkMs = performance.now() - started;
			if (firstMs === undefined && visible.length > 20) {
				firstMs = performance.now() - started;
				if (!typing) {
					typing = true;
					void (async () => {
						const pause = (ms: number) => new Promise(r => setTimeout(r, ms));
						await pause(300);
						child.stdin.write('/');
						for (const ch of name) {
							await pause(120);
							child.stdin.write(ch);
						}
						// Until the search has answered (the index is built after the first frame).
						for (let i = 0; i < 100 && !/\d+ results?:/.test(seen.slice(-4000)); i++) await pause(100);
						child.stdin.write('\u0003');
					})();
				}
			}
		});
		child.on('close', finish);
	});
}

/** `report` to an HTML file: its size and whole-process time. */
export async function reportRows(db: string, measure: Measure): Promise<BenchRow[]> {
	const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-report-')), 'report.html');
	try {
		const run = await measure(process.execPath, [cli, 'report', '--db', db, '--out', out], {peak: true});
		const size = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);
		const bytes = size(out);
		// The CSV files written beside it (every finding's evidence, every source's SHA-256), for the record.
		const beside = ['findings', 'sources'].map(kind => `${(size(out.replace(/\.html$/, `.${kind}.csv`)) / 1e6).toFixed(1)} MB ${kind}`).join(', ');
		return [
			{metric: 'report HTML, size (CSV beside it)', value: `${(bytes / 1e6).toFixed(1)} MB (${beside})${run.status === 0 ? '' : ` (exit ${run.status})`}`, target: '≤ 10 MB', pass: run.status === 0 && bytes <= 10e6},
			{metric: 'report HTML, whole process', value: `${(run.ms / 1000).toFixed(2)} s${run.peakKiB ? `, peak RSS ${(run.peakKiB / 1024).toFixed(0)} MiB` : ''}`, target: '≤ 10 s', pass: run.status === 0 && run.ms <= 10_000},
		];
	} finally {
		fs.rmSync(path.dirname(out), {recursive: true, force: true});
	}
}

/** node -e 0, median of 5: the floor of any command, measured in the same run. */
export async function nodeFloor(measure: Measure): Promise<number> {
	const times: number[] = [];
	for (let i = 0; i < 5; i++) times.push((await measure(process.execPath, ['-e', '0'])).ms);
	return median(times);
}

/** The whole interactive section over one case file. */
export async function interactiveRows(dbFile: string, measure: Measure): Promise<{rows: BenchRow[]; heaviest: string[]}> {
	const {openCaseFile} = (await import(dist('db/open.js'))) as {openCaseFile(file: string, o: {readonly: boolean}): Database.Database};
	const db = openCaseFile(dbFile, {readonly: true});
	const rows: BenchRow[] = [];
	let h: Heaviest;
	try {
		h = heaviest(db);
		rows.push(...(await keystrokeRows(db, h)));
		rows.push(...(await screenRows(db, h)));
	} finally {
		db.close();
	}
	const floorMs = await nodeFloor(measure);
	rows.push({metric: 'node -e 0 (the floor), median of 5', value: `${floorMs.toFixed(0)} ms`, target: '(reference)'});
	rows.push(...(await commandRows(dbFile, h, floorMs, measure)));
	rows.push(...(await explorerRun(dbFile, floorMs, (h.principal?.arn.split('/').pop() ?? 'mary.garcia').slice(0, 8))));
	rows.push(...(await reportRows(dbFile, measure)));
	return {rows, heaviest: describeHeaviest(h)};
}

/** Alone, over a case file already imported: node dist/bench/interactive.js CASE.db */
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	const file = process.argv[2];
	if (!file || !fs.existsSync(file)) {
		process.stderr.write('usage: node dist/bench/interactive.js CASE.db\n');
		process.exit(2);
	}
	const {measure, printTable} = await import('./measure.js');
	const {rows, heaviest} = await interactiveRows(file, measure);
	process.stdout.write(`heaviest objects:\n${heaviest.map(l => `  ${l}`).join('\n')}\n\n`);
	printTable(rows);
}
