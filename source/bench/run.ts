/**
 * The benchmark (`npm run bench`, not part of npm test):
 *   node dist/bench/run.js [--events N] [--keep DIR] [--seed S]
 * Generates (or, with --keep, reuses) a synthetic archive, imports it with the built CLI into a
 * fresh case file, runs one `zcat | jq` pass over the same archive, times the query commands and
 * the explorer's first frame, and prints one table against the targets of issue 7.
 */
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {parseArgs} from 'node:util';
import {explorerRows} from './explorer.js';
import {accountId, generateArchive, type ArchiveStats} from './generate.js';
import {repoRoot} from './write-samples.js';

const cli = path.join(repoRoot, 'dist', 'cli.js');
const markerName = '.mfatrail-bench.json';

interface Row {
	metric: string;
	value: string;
	target: string;
	/** undefined: nothing to judge (n/a or informational). */
	pass?: boolean;
}

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
async function archive(dir: string, events: number, seed: string): Promise<{stats: ArchiveStats; generated: boolean}> {
	const marker = path.join(dir, markerName);
	if (fs.existsSync(marker)) {
		const stats = JSON.parse(fs.readFileSync(marker, 'utf8')) as ArchiveStats;
		if (stats.events === events && stats.seed === seed) return {stats, generated: false};
	}
	fs.rmSync(dir, {recursive: true, force: true});
	fs.mkdirSync(dir, {recursive: true});
	const stats = await generateArchive({
		events,
		out: dir,
		seed,
		onProgress: (done, total) => {
			if (process.stderr.isTTY) process.stderr.write(`\rgenerating ${done.toLocaleString('en')} / ${total.toLocaleString('en')} events`);
		},
	});
	if (process.stderr.isTTY) process.stderr.write('\n');
	fs.writeFileSync(marker, JSON.stringify(stats));
	return {stats, generated: true};
}

interface Measured {
	ms: number;
	status: number | null;
	stdout: string;
	stderr: string;
	peakKiB?: number;
}

/** Runs a command, timing it; under /usr/bin/time -v when asked and present, else polling VmHWM. */
function measure(command: string, args: string[], options: {peak?: boolean} = {}): Promise<Measured> {
	const timeTool = options.peak && fs.existsSync('/usr/bin/time');
	const [file, argv] = timeTool ? ['/usr/bin/time', ['-v', command, ...args]] : [command, args];
	return new Promise(resolve => {
		const started = performance.now();
		const child = spawn(file, argv, {stdio: ['ignore', 'pipe', 'pipe']});
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on('data', (b: Buffer) => out.push(b));
		child.stderr.on('data', (b: Buffer) => err.push(b));
		let peakKiB = 0;
		const poll =
			options.peak && !timeTool
				? setInterval(() => {
						try {
							const m = /VmHWM:\s*(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
							if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
						} catch {
							// The process has just exited.
						}
					}, 50)
				: undefined;
		child.on('close', status => {
			const ms = performance.now() - started;
			if (poll) clearInterval(poll);
			const stderr = Buffer.concat(err).toString('utf8');
			const fromTime = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(stderr);
			resolve({ms, status, stdout: Buffer.concat(out).toString('utf8'), stderr, peakKiB: fromTime ? Number(fromTime[1]) : peakKiB || undefined});
		});
	});
}

function commandExists(name: string): boolean {
	return spawnSync(process.execPath, [cli, name, '--help'], {stdio: 'ignore'}).status === 0;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
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

function printTable(rows: Row[]): void {
	const header: Row = {metric: 'metric', value: 'value', target: 'target'};
	const widths = [Math.max(...[header, ...rows].map(r => r.metric.length)), Math.max(...[header, ...rows].map(r => r.value.length)), Math.max(...[header, ...rows].map(r => r.target.length))];
	const line = (r: Row, verdict: string) => `${r.metric.padEnd(widths[0])}  ${r.value.padEnd(widths[1])}  ${r.target.padEnd(widths[2])}  ${verdict}`;
	process.stdout.write(`${line(header, 'result')}\n`);
	process.stdout.write(`${'-'.repeat(widths[0] + widths[1] + widths[2] + 14)}\n`);
	for (const r of rows) process.stdout.write(`${line(r, r.pass === undefined ? '' : r.pass ? 'pass' : 'FAIL')}\n`);
}

export async function runBenchmark(options: {events: number; keep?: string; seed: string}): Promise<number> {
	if (!fs.existsSync(cli)) {
		process.stderr.write('dist/cli.js is missing: run `npm run build` first\n');
		return 1;
	}
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-bench-'));
	const dir = options.keep ? path.resolve(options.keep) : path.join(work, 'archive');
	const db = path.join(work, 'case.db');
	const rows: Row[] = [];
	try {
		process.stdout.write(`machine: ${machine()}\n`);
		const {stats, generated} = await archive(dir, options.events, options.seed);
		process.stdout.write(
			`archive: ${stats.events.toLocaleString('en')} events in ${stats.files.toLocaleString('en')} files, ${stats.accounts} accounts, ` +
				`${stats.principals.toLocaleString('en')} principals + ${stats.devices.toLocaleString('en')} devices, ` +
				`${mib(stats.uncompressedBytes)} JSON (${mib(stats.compressedBytes)} gzipped) in ${dir}` +
				`${generated ? `, generated in ${stats.seconds.toFixed(1)} s` : ', reused'}\n`,
		);

		process.stderr.write('importing…\n');
		// The marker file sits beside AWSLogs/, so only the trail folder is imported.
		const imported = await measure(process.execPath, [cli, 'import', path.join(dir, 'AWSLogs'), '--db', db, '--json'], {peak: true});
		let summary: {records?: {inserted?: number; rejected?: number}} = {};
		try {
			summary = JSON.parse(imported.stdout.trim().split('\n').pop() ?? '{}');
		} catch {
			// Reported below through the exit status.
		}
		const inserted = summary.records?.inserted ?? 0;
		const rate = stats.events / (imported.ms / 1000);
		rows.push({metric: 'import wall time', value: `${seconds(imported.ms)} (exit ${imported.status}, ${inserted.toLocaleString('en')} inserted)`, target: `all ${stats.events.toLocaleString('en')} inserted`, pass: inserted === stats.events});
		rows.push({metric: 'import rate', value: `${Math.round(rate).toLocaleString('en')} events/s`, target: '≥ 100,000 events/s', pass: rate >= 100_000});
		rows.push({metric: 'import peak RSS', value: imported.peakKiB ? mib(imported.peakKiB * 1024) : 'unknown', target: '≤ 1024 MiB', pass: imported.peakKiB ? imported.peakKiB <= 1024 * 1024 : undefined});
		const size = caseFileBytes(db);
		const share = size / stats.uncompressedBytes;
		rows.push({metric: 'case file / uncompressed JSON', value: `${mib(size)} / ${mib(stats.uncompressedBytes)} = ${(share * 100).toFixed(0)} %`, target: '≤ 60 %', pass: share <= 0.6});

		if (spawnSync('sh', ['-c', 'command -v jq'], {stdio: 'ignore'}).status === 0) {
			process.stderr.write('one zcat | jq pass…\n');
			const filter = '.Records[] | select(.eventName|test("MFA|ConsoleLogin|CheckMfa"))';
			const jq = await measure('sh', ['-c', `find ${JSON.stringify(dir)} -name '*.json.gz' -print0 | xargs -0 zcat | jq -c '${filter}' | wc -l`]);
			rows.push({metric: 'zcat | jq pass (MFA events)', value: `${seconds(jq.ms)} (${jq.stdout.trim()} events)`, target: '(reference)'});
			const ratio = imported.ms / jq.ms;
			rows.push({metric: 'import time / jq pass', value: ratio.toFixed(2), target: '≤ 0.30', pass: ratio <= 0.3});
		} else {
			process.stdout.write('jq not installed: the import/jq ratio is skipped\n');
		}

		process.stderr.write('queries…\n');
		const account = accountId(0);
		rows.push(await timeQuery('search', ['alice'], db));
		rows.push(await timeQuery('user', [`arn:aws:iam::${account}:user/alice`], db));
		rows.push(await timeQuery('device', [`arn:aws:iam::${account}:mfa/alice-backup`], db));
		rows.push(await timeQuery('timeline', ['--user', `arn:aws:iam::${account}:user/alice`], db));
		rows.push(await timeQuery('findings', [], db));
		rows.push(...(await searchKeystrokes(db, 'mary.garcia')));
		rows.push(...(await explorerRows(db, timeQuery)));
		rows.push(await firstFrame(db));
		process.stdout.write('\n');
		printTable(rows);
		if (imported.status !== 0 && imported.status !== 3) process.stderr.write(`\nimport failed (exit ${imported.status}):\n${imported.stderr.slice(-2000)}\n`);
		return 0;
	} finally {
		fs.rmSync(work, {recursive: true, force: true});
	}
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	const {values} = parseArgs({options: {events: {type: 'string', default: '1000000'}, keep: {type: 'string'}, seed: {type: 'string', default: 'mfatrail-bench'}}});
	const events = Number(values.events);
	if (!Number.isInteger(events) || events < 1) {
		process.stderr.write('usage: node dist/bench/run.js [--events N] [--keep DIR] [--seed S]\n');
		process.exit(2);
	}
	process.exitCode = await runBenchmark({events, keep: values.keep, seed: values.seed});
}
