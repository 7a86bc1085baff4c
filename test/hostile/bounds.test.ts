import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pipeline} from 'node:stream/promises';
import {Readable} from 'node:stream';
import zlib from 'node:zlib';
import {beforeAll, describe, expect, it} from 'vitest';
import {useTempDirs} from '../temp-dirs.js';
import {cli, ensureBuilt} from './cli.js';
import {logFile, makeTar, makeZip} from './archives.js';

/**
 * Bounded resources: hostile inputs are rejected with a reason while the rest of the evidence is
 * imported, the process never crashes, and peak memory stays under the stated 1 GiB bound.
 * Runs the built CLI in a child process whose peak RSS (all its threads) is reported on exit.
 */
const rssBound = 1024 * 1024 * 1024;

const tempDir = useTempDirs();

interface Run {
	status: number | null;
	summary: any;
	stderr: string;
	peakRss: number;
}

/** `mfatrail import … --json` with the peak RSS of the whole process (maxRSS covers worker threads). */
function importMeasured(dir: string, inputs: string[]): Run {
	const wrapper = path.join(dir, 'measure.mjs');
	fs.writeFileSync(
		wrapper,
		`process.on('exit', () => process.stderr.write('\\nPEAK_RSS_KB ' + process.resourceUsage().maxRSS + '\\n'));\nawait import(${JSON.stringify(cli)});\n`,
	);
	const result = spawnSync(process.execPath, [wrapper, 'import', ...inputs, '--db', path.join(dir, 'case.db'), '--json'], {
		env: {...process.env, FORCE_COLOR: '0'},
		maxBuffer: 64 * 1024 * 1024,
	});
	const stderr = result.stderr.toString();
	const peak = /PEAK_RSS_KB (\d+)/.exec(stderr);
	let summary: any;
	try {
		summary = JSON.parse(result.stdout.toString());
	} catch {
		summary = undefined;
	}
	return {status: result.status, summary, stderr, peakRss: peak ? Number(peak[1]) * 1024 : Number.NaN};
}

function expectNoCrash(run: Run): void {
	expect(run.stderr).not.toMatch(/RangeError|Maximum call stack|heap out of memory|FATAL ERROR|Unhandled|at .*\.js:\d+/);
	expect(run.summary, run.stderr).toBeDefined();
	const {records} = run.summary;
	expect(records.seen).toBe(records.inserted + records.duplicates + records.rejected);
}

/** Every file under root, for "nothing was written" checks. */
function listTree(root: string): string[] {
	const out: string[] = [];
	const visit = (dir: string) => {
		for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
			const file = path.join(dir, entry.name);
			out.push(path.relative(root, file));
			if (entry.isDirectory()) visit(file);
		}
	};
	visit(root);
	return out.sort();
}

beforeAll(() => ensureBuilt(), 180_000);

describe('decompression bomb', () => {
	it('rejects 1 GiB of zeros in a ~1 MB gzip, imports the other file, stays under 1 GiB RSS', async () => {
		const dir = tempDir();
		const evidence = path.join(dir, 'evidence');
		fs.mkdirSync(evidence);
		// 1 GiB of zeros, streamed through gzip: the test itself never holds more than a chunk.
		const zeros = Buffer.alloc(1024 * 1024);
		await pipeline(
			Readable.from((function* () {
				for (let i = 0; i < 1024; i++) yield zeros;
			})()),
			zlib.createGzip({level: 9}),
			fs.createWriteStream(path.join(evidence, 'bomb.json.gz')),
		);
		expect(fs.statSync(path.join(evidence, 'bomb.json.gz')).size).toBeLessThan(2 * 1024 * 1024);
		fs.writeFileSync(path.join(evidence, 'good.json'), logFile('bomb-neighbour'));
		const run = importMeasured(dir, [evidence]);
		expectNoCrash(run);
		expect(run.status).toBe(3);
		expect(run.summary.records.inserted).toBe(2);
		const reasons = JSON.stringify(run.summary.errors);
		expect(reasons).toMatch(/bomb\.json\.gz/);
		expect(reasons).toMatch(/limit|bomb|exceeds/i);
		expect(run.peakRss).toBeLessThan(rssBound);
		console.info(`gzip bomb: peak RSS ${(run.peakRss / 1024 / 1024).toFixed(0)} MiB`);
	});
});

describe('huge and deep records', () => {
	it('rejects a 100 MB single record without crashing and keeps its neighbours', () => {
		const dir = tempDir();
		const evidence = path.join(dir, 'evidence');
		fs.mkdirSync(evidence);
		// Gzipped so the test writes ~100 KB, not 100 MB; decompressed it is one 100 MB record.
		const head = Buffer.from('{"Records":[{"eventID":"huge","eventTime":"2024-04-01T00:00:00Z","userAgent":"');
		const tail = Buffer.from('"}]}');
		const gzip = zlib.createGzip();
		const parts: Buffer[] = [];
		gzip.on('data', (c: Buffer) => parts.push(c));
		gzip.write(head);
		const filler = Buffer.alloc(1024 * 1024, 0x41);
		for (let i = 0; i < 100; i++) gzip.write(filler);
		gzip.end(tail);
		return new Promise<void>(resolve => {
			gzip.on('end', () => {
				fs.writeFileSync(path.join(evidence, 'huge.json.gz'), Buffer.concat(parts));
				fs.writeFileSync(path.join(evidence, 'good.json'), logFile('huge-neighbour'));
				const run = importMeasured(dir, [evidence]);
				expectNoCrash(run);
				expect(run.status).toBe(3);
				expect(run.summary.records.inserted).toBe(2);
				expect(JSON.stringify(run.summary.errors)).toMatch(/huge\.json\.gz/);
				expect(run.peakRss).toBeLessThan(rssBound);
				console.info(`100 MB record: peak RSS ${(run.peakRss / 1024 / 1024).toFixed(0)} MiB`);
				resolve();
			});
		});
	});

	it('survives nesting 200,000 deep: rejected with a reason, neighbours imported', () => {
		const dir = tempDir();
		const evidence = path.join(dir, 'evidence');
		fs.mkdirSync(evidence);
		const deep = `{"Records":[{"eventID":"deep","eventTime":"2024-04-01T00:00:00Z","requestParameters":${'['.repeat(200_000)}${']'.repeat(200_000)}},` +
			`{"eventID":"deep-ok","eventTime":"2024-04-01T00:00:01Z","eventName":"GetUser"}]}`;
		fs.writeFileSync(path.join(evidence, 'deep.json'), deep);
		fs.writeFileSync(path.join(evidence, 'good.json'), logFile('deep-neighbour'));
		const run = importMeasured(dir, [evidence]);
		expectNoCrash(run);
		expect(run.summary.records.seen).toBe(4);
		expect(run.summary.records.inserted).toBeGreaterThanOrEqual(3);
		expect(JSON.stringify(run.summary.errors)).toMatch(/depth|nest/i);
	});
});

describe('archives are read, never extracted', () => {
	it('zip members with ../, absolute, drive and duplicate names are read in place', () => {
		const dir = tempDir();
		const evidence = path.join(dir, 'evidence', 'inner');
		fs.mkdirSync(evidence, {recursive: true});
		const zip = makeZip([
			{name: '../../evil.json', data: logFile('zip-dotdot')},
			{name: `/tmp/${path.basename(dir)}-absolute.json`, data: logFile('zip-absolute')},
			{name: 'C:\\Windows\\evil.json', data: logFile('zip-drive')},
			{name: 'a/../../b.json', data: logFile('zip-mixed')},
			{name: 'dup.json', data: logFile('zip-dup-1')},
			{name: 'dup.json', data: logFile('zip-dup-2')},
			{name: 'name-with-\u001b]0;x\u0007.json', data: logFile('zip-escape')},
		]);
		fs.writeFileSync(path.join(evidence, 'hostile.zip'), zip);
		const before = listTree(dir);
		const tmpBefore = fs.readdirSync(os.tmpdir());
		const run = importMeasured(dir, [evidence]);
		expectNoCrash(run);
		expect(run.summary.records.inserted).toBe(14);
		const created = listTree(dir).filter(f => !before.includes(f));
		expect(created.filter(f => !/^case\.db(-wal|-shm)?$|^measure\.mjs$/.test(f))).toEqual([]);
		expect(fs.existsSync(`/tmp/${path.basename(dir)}-absolute.json`)).toBe(false);
		expect(fs.readdirSync(os.tmpdir()).filter(n => !tmpBefore.includes(n) && n.includes('evil'))).toEqual([]);
	});

	it('a tar with a symlink to /, a hardlink, a FIFO and duplicate paths: links never followed, nothing written', async () => {
		const dir = tempDir();
		const evidence = path.join(dir, 'evidence');
		fs.mkdirSync(evidence);
		const tarball = await makeTar([
			{type: 'symlink', name: 'logs', target: '/'},
			{type: 'symlink', name: 'passwd.json', target: '/etc/passwd'},
			{type: 'link', name: 'hard.json', target: 'good.json'},
			{type: 'fifo', name: 'pipe.json'},
			{type: 'file', name: 'good.json', data: logFile('tar-good')},
			{type: 'file', name: 'good.json', data: logFile('tar-dup')},
			{type: 'file', name: '../escape.json', data: logFile('tar-dotdot')},
		]);
		fs.writeFileSync(path.join(evidence, 'hostile.tar'), tarball);
		const before = listTree(dir);
		const run = importMeasured(dir, [evidence]);
		expectNoCrash(run);
		expect(run.summary.records.inserted).toBe(6);
		// /etc/passwd was not read through the link: no record came from it, nothing rejected as its content.
		expect(JSON.stringify(run.summary)).not.toMatch(/root:x:0:0/);
		const created = listTree(dir).filter(f => !before.includes(f));
		expect(created.filter(f => !/^case\.db(-wal|-shm)?$|^measure\.mjs$/.test(f))).toEqual([]);
		expect(fs.existsSync(path.join(dir, 'escape.json'))).toBe(false);
	});

	it('a damaged member inside a tar is rejected alone; the members after it are still read', async () => {
		const dir = tempDir();
		const tarball = await makeTar([
			{type: 'file', name: 'a.json', data: logFile('tar-a')},
			{type: 'file', name: 'bad.zip', data: 'PK\u0003\u0004garbage'},
			{type: 'file', name: 'c.json', data: logFile('tar-c')},
		]);
		fs.writeFileSync(path.join(dir, 'mixed.tar'), tarball);
		const run = importMeasured(dir, [path.join(dir, 'mixed.tar')]);
		expectNoCrash(run);
		expect(run.summary.records.inserted).toBe(4);
		expect(run.summary.errors).toEqual([expect.objectContaining({source: expect.stringContaining('bad.zip')})]);
	});
});
