/**
 * The benchmark (`npm run bench`, not part of npm test):
 *   node dist/bench/run.js [--events N] [--jsonl-mib M] [--keep DIR] [--seed S] [--startup-only]
 * (or MFATRAIL_BENCH_EVENTS / MFATRAIL_BENCH_JSONL_MIB). Four inputs, generated once (or reused
 * from --keep): a realistic mix (about 5 % MFA-related, ~5 records per small S3 file), the
 * MFA-heavy mix (about a third MFA-related), and one JSON Lines export of at least M MiB, plain and
 * gzipped. For each,
 * in the same run: the read floor (dist/bench/floor.js: walk, gunzip and JSON.parse every file on
 * as many worker threads as the import uses), the import into a fresh case file, one zcat | jq
 * pass, all three timed as whole processes from start to exit; then import/floor, import/jq, case
 * file/JSON, peak RSS and the import's own per-stage profile, and (but on the MFA-heavy case) all
 * of SigmaHQ's CloudTrail rules run over the case beside its import time. Query commands and the explorer's
 * first frame are timed on the MFA-heavy case file. Start-up comes first: `mfatrail --version`
 * against `node -e 0` of the same runtime, for the dev build and the portable bundle (npm run pack);
 * --startup-only stops there. A quick run: --events 20000 --jsonl-mib 0. Then the interactive
 * section (issue 17, source/bench/interactive.ts) on a 1,000,000-event MFA-heavy case
 * (--interactive-events N, 0 skips it; --interactive-db FILE uses a case file already imported):
 * search per keystroke, every screen on the heaviest object, query commands and the explorer
 * against node -e 0, the report.
 */
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {parseArgs} from 'node:util';
import {pipeline} from 'node:stream/promises';
import zlib from 'node:zlib';
import {explorerRows} from './explorer.js';
import {interactiveRows} from './interactive.js';
import {measure, printTable, type Row} from './measure.js';
import {accountId, generateArchive, generateJsonl, type ArchiveStats, type JsonlStats, type Mix} from './generate.js';
import {repoRoot} from './write-samples.js';

const cli = path.join(repoRoot, 'dist', 'cli.js');
const markerName = '.mfatrail-bench.json';


function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(2)} s`;
}

function mib(bytes: number): string {
	return `${(bytes / 1048576).toFixed(0)} MiB`;
}

function machine(): string {
	const model = /model name\s*:\s*(.*)/.exec(fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? os.cpus()[0]?.model ?? 'unknown CPU';
	const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: repoRoot, encoding: 'utf8'});
	const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], {cwd: repoRoot, encoding: 'utf8'});
	const commit = git.status === 0 ? `${git.stdout.trim()}${dirty.stdout.trim() ? ' + uncommitted changes' : ''}` : 'unknown';
	return `${os.availableParallelism()} CPUs (${model}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}, mfatrail ${commit}`;
}

/** Reuses an archive made with the same size and seed, else generates it. */
async function archive(dir: string, events: number, seed: string, mix: Mix): Promise<{stats: ArchiveStats; generated: boolean}> {
	const marker = path.join(dir, markerName);
	if (fs.existsSync(marker)) {
		const stats = JSON.parse(fs.readFileSync(marker, 'utf8')) as ArchiveStats;
		if (stats.events === events && stats.seed === seed && (stats.mix ?? 'mfa-heavy') === mix) return {stats, generated: false};
	}
	fs.rmSync(dir, {recursive: true, force: true});
	fs.mkdirSync(dir, {recursive: true});
	const stats = await generateArchive({
		events,
		out: dir,
		seed,
		mix,
		onProgress: (done, total) => {
			if (process.stderr.isTTY) process.stderr.write(`\rgenerating ${mix}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} events`);
		},
	});
	if (process.stderr.isTTY) process.stderr.write('\n');
	fs.writeFileSync(marker, JSON.stringify(stats));
	return {stats, generated: true};
}

function commandExists(name: string): boolean {
	return spawnSync(process.execPath, [cli, name, '--help'], {stdio: 'ignore'}).status === 0;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

/** Runs of each start-up command: alternating, so a busy moment of a shared machine hits both. */
const startupRuns = 15;

/**
 * `mfatrail --version` against `node -e 0` of the same runtime, both whole processes: the dev build
 * (dist/, compile cache on) and, when `npm run pack` has written it, the portable bundle unpacked
 * in a temp folder (its own Node, its launcher). The first run of each warms the compile cache.
 */
async function startupRows(work: string): Promise<Row[]> {
	const target = '≤ 1.3× node -e 0';
	const pair = async (label: string, node: string, version: [string, string[]]): Promise<Row> => {
		const floor: number[] = [];
		const tool: number[] = [];
		await measure(...version);
		for (let i = 0; i < startupRuns; i++) {
			floor.push((await measure(node, ['-e', '0'])).ms);
			tool.push((await measure(...version)).ms);
		}
		const ratio = median(tool) / median(floor);
		return {metric: `${label}: mfatrail --version / node -e 0`, value: `${ratio.toFixed(2)} (${median(tool).toFixed(0)} ms / ${median(floor).toFixed(0)} ms, medians of ${startupRuns})`, target, pass: ratio <= 1.3};
	};
	const rows = [await pair(`start-up, dev build (Node ${process.version})`, process.execPath, [process.execPath, [cli, '--version']])];
	const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {version: string}).version;
	const tarball = path.join(repoRoot, `mfatrail-${version}-linux-x64.tar.gz`);
	if (fs.existsSync(tarball)) {
		const dir = path.join(work, 'bundle');
		fs.mkdirSync(dir);
		spawnSync('tar', ['-xzf', tarball, '-C', dir]);
		const top = path.join(dir, `mfatrail-${version}-linux-x64`);
		rows.push(await pair('start-up, portable bundle', path.join(top, 'node', 'bin', 'node'), [path.join(top, 'bin', 'mfatrail'), ['--version']]));
	} else {
		rows.push({metric: 'start-up, portable bundle', value: 'n/a (run npm run pack first)', target});
	}
	return rows;
}

/** A query command, run three times against the case file: the median wall time, Node start-up included. */
async function timeQuery(name: string, args: string[], db: string): Promise<Row> {
	const target = '≤ 200 ms';
	if (!commandExists(name)) return {metric: `${name}`, value: 'n/a', target};
	const times: number[] = [];
	let status: number | null = 0;
	for (let i = 0; i < 3; i++) {
		const run = await measure(process.execPath, [cli, name, ...args, '--db', db, '--json']);
		times.push(run.ms);
		status = run.status;
	}
	const ms = median(times);
	const note = status === 0 ? '' : ` (exit ${status})`;
	return {metric: `${name} ${args.join(' ')}`.trim(), value: `${ms.toFixed(0)} ms${note}`, target, pass: ms <= 200};
}

/** Per-keystroke search: the index is built once (as the explorer does), then each prefix of a name is searched. */
async function searchKeystrokes(db: string, typed: string): Promise<Row[]> {
	const target = '≤ 30 ms';
	try {
		const {SearchIndex} = (await import(pathToFileURL(path.join(repoRoot, 'dist', 'model', 'search.js')).href)) as {
			SearchIndex: {build(db: unknown): {size: number; search(text: string, options?: {limit?: number}): unknown[]}};
		};
		const {openCaseFile} = await import(pathToFileURL(path.join(repoRoot, 'dist', 'db', 'open.js')).href);
		const caseFile = openCaseFile(db, {readonly: true});
		try {
			let started = performance.now();
			const index = SearchIndex.build(caseFile);
			const buildMs = performance.now() - started;
			const times: number[] = [];
			for (let i = 1; i <= typed.length; i++) {
				started = performance.now();
				index.search(typed.slice(0, i), {limit: 50});
				times.push(performance.now() - started);
			}
			const worst = Math.max(...times);
			return [
				{metric: `search index build (${index.size.toLocaleString('en')} entries)`, value: `${buildMs.toFixed(0)} ms`, target: '(once per start)'},
				{metric: `search per keystroke, worst of "${typed}"`, value: `${worst.toFixed(1)} ms (median ${median(times).toFixed(1)})`, target, pass: worst <= 30},
			];
		} finally {
			caseFile.close();
		}
	} catch (error) {
		return [{metric: 'search per keystroke', value: `n/a (${(error as Error).message.split('\n')[0]})`, target}];
	}
}

/** Cold start to first frame: the explorer under a pseudo-terminal (script), until it first draws. */
async function firstFrame(db: string): Promise<Row> {
	const target = '≤ 500 ms';
	if (!commandExists('explore') || !fs.existsSync('/usr/bin/script')) return {metric: 'explorer first frame', value: 'n/a', target};
	const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} explore --db ${JSON.stringify(db)}`;
	return new Promise(resolve => {
		const started = performance.now();
		const child = spawn('/usr/bin/script', ['-qfec', command, '/dev/null'], {stdio: ['pipe', 'pipe', 'pipe'], env: {...process.env, TERM: 'xterm-256color', COLUMNS: '120', LINES: '40'}});
		let seen = '';
		let done = false;
		const finish = (row: Row) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			child.kill('SIGTERM');
			resolve(row);
		};
		// The first frame is the first output with visible text (not only terminal set-up escapes).
		child.stdout.on('data', (b: Buffer) => {
			seen += b.toString('utf8');
			const visible = seen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b[()][A-Z0-9]/g, '').trim();
			if (visible.length > 20) {
				const ms = performance.now() - started;
				finish({metric: 'explorer first frame', value: `${ms.toFixed(0)} ms`, target, pass: ms <= 500});
			}
		});
		const timer = setTimeout(() => finish({metric: 'explorer first frame', value: 'no frame within 20 s', target, pass: false}), 20_000);
		child.on('close', () => finish({metric: 'explorer first frame', value: `exited before drawing: ${seen.slice(0, 80).replace(/\s+/g, ' ')}`, target, pass: false}));
	});
}

function caseFileBytes(db: string): number {
	return ['', '-wal', '-shm'].reduce((sum, suffix) => sum + (fs.existsSync(db + suffix) ? fs.statSync(db + suffix).size : 0), 0);
}


interface Input {
	name: string;
	/** What the import, the floor and jq read. */
	paths: string[];
	events: number;
	jsonBytes: number;
	files: number;
	jq: string;
}

const mfaFilter = '.eventName|test("MFA|ConsoleLogin|CheckMfa")';

async function jsonlInput(dir: string, mib: number): Promise<Input> {
	const file = path.join(dir, 'export.jsonl');
	const marker = path.join(dir, markerName);
	let stats: JsonlStats | undefined;
	if (fs.existsSync(marker) && fs.existsSync(file)) {
		const known = JSON.parse(fs.readFileSync(marker, 'utf8')) as JsonlStats;
		if (known.bytes >= mib * 1048576) stats = known;
	}
	if (!stats) {
		fs.rmSync(dir, {recursive: true, force: true});
		fs.mkdirSync(dir, {recursive: true});
		stats = await generateJsonl({
			bytes: mib * 1048576,
			out: file,
			onProgress: (done, total) => {
				if (process.stderr.isTTY) process.stderr.write(`\rgenerating JSON Lines: ${mib1(done)} / ${mib1(total)}`);
			},
		});
		if (process.stderr.isTTY) process.stderr.write('\n');
		fs.writeFileSync(marker, JSON.stringify(stats));
	}
	return {name: 'JSON Lines export', paths: [file], events: stats.events, jsonBytes: stats.bytes, files: 1, jq: `jq -c 'select(${mfaFilter})' ${JSON.stringify(file)} | wc -l`};
}

/** The same export gzipped (one stream: inflated on one thread, parsed on the others), made once beside it. */
async function jsonlGzipInput(plain: Input): Promise<Input> {
	const file = `${plain.paths[0]}.gz`;
	if (!fs.existsSync(file) || fs.statSync(file).mtimeMs < fs.statSync(plain.paths[0]).mtimeMs) {
		const partial = `${file}.partial`;
		await pipeline(fs.createReadStream(plain.paths[0]), zlib.createGzip(), fs.createWriteStream(partial));
		fs.renameSync(partial, file);
	}
	return {...plain, name: 'JSON Lines export, gzip', paths: [file], jq: `zcat ${JSON.stringify(file)} | jq -c 'select(${mfaFilter})' | wc -l`};
}

const mib1 = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;

async function archiveInput(dir: string, events: number, seed: string, mix: Mix): Promise<Input> {
	const {stats} = await archive(dir, events, seed, mix);
	return {
		name: mix === 'realistic' ? 'realistic mix' : 'MFA-heavy mix',
		// The marker file sits beside AWSLogs/, so only the trail folder is read.
		paths: [path.join(dir, 'AWSLogs')],
		events: stats.events,
		jsonBytes: stats.uncompressedBytes,
		files: stats.files,
		jq: `find ${JSON.stringify(path.join(dir, 'AWSLogs'))} -name '*.json.gz' -print0 | xargs -0 zcat | jq -c '.Records[] | select(${mfaFilter})' | wc -l`,
	};
}

/** The import's own stage timings (MFATRAIL_IMPORT_TIMING=1), as "stage µs/event" pairs. */
function stages(stderr: string): string {
	const line = /import timing: (.*);/.exec(stderr)?.[1];
	if (!line) return 'n/a';
	return line
		.split(', ')
		.map(part => /^(.*) [\d.]+ s \(([\d.]+) µs\/event\)$/.exec(part))
		.filter(m => m !== null)
		.map(m => `${m![1]} ${m![2]}`)
		.join(', ');
}

/** Floor, import and jq over one input, in the same run; the case file is kept for queries. */
/** SigmaHQ's CloudTrail rules (vendored test fixtures, DRL 1.1). */
const sigmaRules = path.join(repoRoot, 'test', 'fixtures', 'sigma', 'sigmahq-cloudtrail');

/** All of SigmaHQ's CloudTrail rules over the case just imported, as a whole process, beside that import's time. */
async function sigmaRow(label: (metric: string) => string, db: string, importMs: number): Promise<Row> {
	const target = '≤ 0.5 × import';
	if (!fs.existsSync(sigmaRules) || !commandExists('sigma')) return {metric: label('sigma, SigmaHQ rules'), value: 'n/a', target};
	process.stderr.write(`${label('sigma')}…\n`);
	const run = await measure(process.execPath, [cli, 'sigma', sigmaRules, '--db', db, '--json']);
	let summary = '';
	try {
		const out = JSON.parse(run.stdout) as {rules: {loaded: number}; matches: {events: number}[]};
		summary = `, ${out.rules.loaded} rules, ${out.matches.filter(m => m.events > 0).length} matched ${out.matches.reduce((n, m) => n + m.events, 0).toLocaleString('en')} events`;
	} catch {
		summary = `, exit ${run.status}`;
	}
	const ratio = run.ms / importMs;
	return {metric: label('sigma, SigmaHQ rules / import'), value: `${seconds(run.ms)} / ${seconds(importMs)} = ${ratio.toFixed(2)}${summary}`, target, pass: run.status === 0 && ratio <= 0.5};
}

async function measureInput(input: Input, db: string, workers: number, jqAvailable: boolean, options: {sigma: boolean}): Promise<Row[]> {
	const label = (metric: string) => `${input.name}: ${metric}`;
	process.stderr.write(`${input.name}: floor…\n`);
	// One untimed pass first, so that both sides read from the page cache: a cold first read made
	// the floor 3× slower (6.3 s against 2.1 s on 200k realistic events) and the ratio flattering.
	await measure(process.execPath, [path.join(repoRoot, 'dist', 'bench', 'floor.js'), '--workers', String(workers), ...input.paths]);
	const floor = await measure(process.execPath, [path.join(repoRoot, 'dist', 'bench', 'floor.js'), '--workers', String(workers), ...input.paths], {peak: true});
	process.stderr.write(`${input.name}: import…\n`);
	const imported = await measure(process.execPath, [cli, 'import', ...input.paths, '--db', db, '--json'], {peak: true, env: {MFATRAIL_IMPORT_TIMING: '1'}});
	let summary: {records?: {inserted?: number}} = {};
	try {
		summary = JSON.parse(imported.stdout.trim().split('\n').pop() ?? '{}');
	} catch {
		// Reported below through the exit status.
	}
	const inserted = summary.records?.inserted ?? 0;
	const rows: Row[] = [];
	rows.push({metric: label('input'), value: `${input.events.toLocaleString('en')} events, ${input.files.toLocaleString('en')} files, ${mib(input.jsonBytes)} JSON`, target: ''});
	rows.push({metric: label('floor (read + gunzip + JSON.parse)'), value: `${seconds(floor.ms)}${floor.cpu !== undefined ? ` (CPU ${floor.cpu.toFixed(1)} s)` : ''}`, target: '(reference)'});
	rows.push({
		metric: label('import, end to end'),
		value: `${seconds(imported.ms)}${imported.cpu !== undefined ? ` (CPU ${imported.cpu.toFixed(1)} s)` : ''}, exit ${imported.status}, ${inserted.toLocaleString('en')} inserted`,
		target: `all ${input.events.toLocaleString('en')} inserted`,
		pass: inserted === input.events,
	});
	const ratio = imported.ms / floor.ms;
	const limit = input.name === 'MFA-heavy mix' ? 4 : 3;
	rows.push({
		metric: label('import / floor'),
		value: `${ratio.toFixed(2)}${floor.cpu && imported.cpu ? ` (CPU ${(imported.cpu / floor.cpu).toFixed(2)})` : ''}`,
		target: `≤ ${limit}`,
		pass: ratio <= limit,
	});
	if (jqAvailable) {
		process.stderr.write(`${input.name}: zcat | jq…\n`);
		const jq = await measure('sh', ['-c', input.jq]);
		rows.push({metric: label('import / jq'), value: `${(imported.ms / jq.ms).toFixed(2)} (jq ${seconds(jq.ms)}, ${jq.stdout.trim()} MFA events)`, target: '(reference)'});
	}
	const size = caseFileBytes(db);
	const share = size / input.jsonBytes;
	// Issue 21's targets: the MFA-heavy mix stores a model row for a third of its events.
	const sizeLimit = input.name === 'MFA-heavy mix' ? 0.5 : 0.4;
	rows.push({metric: label('case file / JSON'), value: `${mib(size)} / ${mib(input.jsonBytes)} = ${(share * 100).toFixed(1)} %`, target: `≤ ${sizeLimit * 100} %`, pass: share <= sizeLimit});
	rows.push({
		metric: label('import peak RSS'),
		value: imported.peakKiB ? `${mib(imported.peakKiB * 1024)} (floor ${floor.peakKiB ? mib(floor.peakKiB * 1024) : '?'})` : 'unknown',
		target: '≤ 1024 MiB',
		pass: imported.peakKiB ? imported.peakKiB <= 1024 * 1024 : undefined,
	});
	rows.push({metric: label('import stages, µs/event'), value: stages(imported.stderr), target: ''});
	if (options.sigma) rows.push(await sigmaRow(label, db, imported.ms));
	if (imported.status !== 0 && imported.status !== 3) process.stderr.write(`\nimport failed (exit ${imported.status}):\n${imported.stderr.slice(-2000)}\n`);
	return rows;
}

export async function runBenchmark(options: {events: number; jsonlMib: number; keep?: string; seed: string; startupOnly?: boolean; interactiveEvents?: number; interactiveDb?: string}): Promise<number> {
	if (!fs.existsSync(cli)) {
		process.stderr.write('dist/cli.js is missing: run `npm run build` first\n');
		return 1;
	}
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-bench-'));
	const base = options.keep ? path.resolve(options.keep) : path.join(work, 'inputs');
	const rows: Row[] = [];
	// As many reader threads as the import uses on this machine (source/import/index.ts).
	const workers = Math.max(1, Math.min(2, os.availableParallelism()));
	try {
		process.stdout.write(`machine: ${machine()}\n`);
		rows.push(...(await startupRows(work)));
		if (options.startupOnly) {
			printTable(rows);
			return 0;
		}
		const jqAvailable = spawnSync('sh', ['-c', 'command -v jq'], {stdio: 'ignore'}).status === 0;
		if (!jqAvailable) process.stdout.write('jq not installed: the import/jq ratio is skipped\n');
		const inputs = [
			await archiveInput(path.join(base, `realistic-${options.events}`), options.events, options.seed, 'realistic'),
			await archiveInput(path.join(base, `mfa-heavy-${options.events}`), options.events, options.seed, 'mfa-heavy'),
		];
		if (options.jsonlMib > 0) {
			const plain = await jsonlInput(path.join(base, `jsonl-${options.jsonlMib}`), options.jsonlMib);
			inputs.push(plain, await jsonlGzipInput(plain));
		}
		process.stdout.write(`floor and import: whole processes, node start-up and the directory walk included; ${workers} reader threads each\n`);
		const heavyDb = path.join(work, 'mfa-heavy.db');
		for (const input of inputs) {
			const db = input.name === 'MFA-heavy mix' ? heavyDb : path.join(work, 'case.db');
			// Sigma findings would change what the query timings below read: not run on the MFA-heavy case they use.
			rows.push(...(await measureInput(input, db, workers, jqAvailable, {sigma: db !== heavyDb})));
			if (db !== heavyDb) for (const suffix of ['', '-wal', '-shm']) fs.rmSync(db + suffix, {force: true});
		}

		process.stderr.write('queries…\n');
		const account = accountId(0);
		const events = options.events.toLocaleString('en');
		const {openCaseFile} = (await import(pathToFileURL(path.join(repoRoot, 'dist', 'db', 'open.js')).href)) as typeof import('../db/open.js');
		const caseFile = openCaseFile(heavyDb, {readonly: true});
		const eventId = (caseFile.prepare('SELECT event_id FROM event ORDER BY id LIMIT 1 OFFSET 999').pluck().get() as string | undefined) ?? '';
		caseFile.close();
		const queries: [string, string[]][] = [
			['search', ['alice']],
			['user', [`arn:aws:iam::${account}:user/alice`]],
			['device', [`arn:aws:iam::${account}:mfa/alice-backup`]],
			['timeline', ['--user', `arn:aws:iam::${account}:user/alice`]],
			['logins', ['--user', `arn:aws:iam::${account}:user/alice`]],
			['findings', ['--rule', 'mfa-added-without-mfa-session']],
		];
		if (eventId) queries.push(['event', [eventId]]);
		for (const [name, args] of queries) {
			const row = await timeQuery(name, args, heavyDb);
			rows.push({...row, metric: `${row.metric} (MFA-heavy, ${events} events)`});
		}
		rows.push(...(await searchKeystrokes(heavyDb, 'mary.garcia')));
		rows.push(...(await explorerRows(heavyDb, timeQuery)));
		rows.push(await firstFrame(heavyDb));
		process.stdout.write('\n');
		printTable(rows);
		if (options.interactiveDb || (options.interactiveEvents ?? 0) > 0) {
			let db = options.interactiveDb;
			if (!db) {
				const events = options.interactiveEvents ?? 0;
				const input = await archiveInput(path.join(base, `mfa-heavy-${events}`), events, options.seed, 'mfa-heavy');
				db = path.join(work, 'interactive.db');
				process.stderr.write(`interactive: importing ${input.events.toLocaleString('en')} events…\n`);
				const imported = await measure(process.execPath, [cli, 'import', ...input.paths, '--db', db, '--json']);
				if (imported.status !== 0 && imported.status !== 3) throw new Error(`import for the interactive section failed (exit ${imported.status}): ${imported.stderr.slice(-500)}`);
			}
			process.stderr.write('interactive…\n');
			const interactive = await interactiveRows(db, measure);
			process.stdout.write(`\ninteractive, on ${db === options.interactiveDb ? db : `the ${(options.interactiveEvents ?? 0).toLocaleString('en')}-event MFA-heavy case`}; heaviest objects:\n${interactive.heaviest.map(l => `  ${l}\n`).join('')}\n`);
			printTable(interactive.rows);
		}
		return 0;
	} finally {
		fs.rmSync(work, {recursive: true, force: true});
	}
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	const {values} = parseArgs({
		options: {
			events: {type: 'string', default: process.env.MFATRAIL_BENCH_EVENTS ?? '200000'},
			'jsonl-mib': {type: 'string', default: process.env.MFATRAIL_BENCH_JSONL_MIB ?? '1100'},
			keep: {type: 'string'},
			seed: {type: 'string', default: 'mfatrail-bench'},
			'startup-only': {type: 'boolean', default: false},
			'interactive-events': {type: 'string', default: process.env.MFATRAIL_BENCH_INTERACTIVE_EVENTS ?? '1000000'},
			'interactive-db': {type: 'string'},
		},
	});
	const events = Number(values.events);
	const jsonlMib = Number(values['jsonl-mib']);
	const interactiveEvents = Number(values['interactive-events']);
	if (!Number.isInteger(events) || events < 1 || !Number.isFinite(jsonlMib) || jsonlMib < 0) {
		process.stderr.write('usage: node dist/bench/run.js [--events N] [--jsonl-mib M (0: skip)] [--keep DIR] [--seed S] [--startup-only] [--interactive-events N (0: skip)] [--interactive-db FILE]\n');
		process.exit(2);
	}
	if (!Number.isInteger(interactiveEvents) || interactiveEvents < 0) {
		process.stderr.write('--interactive-events must be a whole number (0: skip)\n');
		process.exit(2);
	}
	process.exitCode = await runBenchmark({events, jsonlMib, keep: values.keep, seed: values.seed, startupOnly: values['startup-only'], interactiveEvents, interactiveDb: values['interactive-db']});
}
