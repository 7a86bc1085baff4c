import {spawn, spawnSync} from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {cli} from '../hostile/cli.js';
import {record} from './helpers.js';

/**
 * Large evidence files written at test time (never kept in the repository), and the CLI run in a
 * child process whose peak RSS, all threads included, is reported on exit.
 */

/** The record of line (or element) `i` of a generated export, padded to about `pad` bytes. */
export function largeRecord(i: number, pad: number, prefix = 'big', random = false): Record<string, unknown> {
	const filler = random ? crypto.randomBytes(Math.ceil(pad / 2)).toString('hex') : crypto.createHash('sha256').update(String(i)).digest('hex').repeat(Math.ceil(pad / 64));
	return record(`${prefix}-${i}`, {
		eventTime: new Date(Date.UTC(2024, 2, 1) + i * 1000).toISOString(),
		eventName: i % 50 === 0 ? 'EnableMFADevice' : 'GetObject',
		requestParameters: {key: `logs/${i}`, pad: filler.slice(0, pad)},
	});
}

/**
 * Writes `count` records as JSON Lines or as one {"Records":[…]} document (optionally gzipped;
 * `random` pads compress as badly as real variety does), streamed to disk so the test never holds the file. Returns the file's SHA-256 and content SHA-256.
 */
export async function writeLarge(file: string, count: number, shape: 'jsonl' | 'records', options: {pad?: number; gzip?: boolean; prefix?: string; random?: boolean} = {}): Promise<{sha256: string; contentSha256: string; bytes: number}> {
	const pad = options.pad ?? 3000;
	const out = fs.createWriteStream(file);
	const gzip = options.gzip ? zlib.createGzip({level: 1}) : undefined;
	const sink = gzip ?? out;
	if (gzip) gzip.pipe(out);
	const content = crypto.createHash('sha256');
	const put = async (text: string) => {
		content.update(text);
		if (!sink.write(text)) await new Promise<void>(resolve => sink.once('drain', () => resolve()));
	};
	if (shape === 'records') await put('{"Records":[');
	for (let i = 0; i < count; i++) {
		const text = JSON.stringify(largeRecord(i, pad, options.prefix, options.random));
		await put(shape === 'jsonl' ? `${text}\n` : i === 0 ? text : `,${text}`);
	}
	if (shape === 'records') await put(']}\n');
	await new Promise<void>(resolve => {
		out.on('finish', () => resolve());
		sink.end();
	});
	const bytes = fs.readFileSync(file);
	return {sha256: crypto.createHash('sha256').update(bytes).digest('hex'), contentSha256: content.digest('hex'), bytes: bytes.length};
}

export interface MeasuredRun {
	status: number | null;
	summary: any;
	stderr: string;
	peakRss: number;
}

/** A wrapper script that reports the process's peak RSS on exit. */
function measureScript(dir: string): string {
	const wrapper = path.join(dir, 'measure.mjs');
	fs.writeFileSync(
		wrapper,
		`process.on('exit', () => process.stderr.write('\\nPEAK_RSS_KB ' + process.resourceUsage().maxRSS + '\\n'));\nawait import(${JSON.stringify(cli)});\n`,
	);
	return wrapper;
}

/** `mfatrail import … --json` with the peak RSS of the whole process (maxRSS covers worker threads). */
export function importMeasured(dir: string, inputs: string[], options: {db?: string; env?: NodeJS.ProcessEnv} = {}): MeasuredRun {
	const result = spawnSync(process.execPath, [measureScript(dir), 'import', ...inputs, '--db', options.db ?? path.join(dir, 'case.db'), '--json'], {
		env: {...process.env, FORCE_COLOR: '0', ...options.env},
		maxBuffer: 64 * 1024 * 1024,
	});
	return measured(result.status, result.stdout.toString(), result.stderr.toString());
}

function measured(status: number | null, stdout: string, stderr: string): MeasuredRun {
	const peak = /PEAK_RSS_KB (\d+)/.exec(stderr);
	let summary: any;
	try {
		summary = JSON.parse(stdout);
	} catch {
		summary = undefined;
	}
	return {status, summary, stderr, peakRss: peak ? Number(peak[1]) * 1024 : Number.NaN};
}

/** Starts `mfatrail import` in the background; `until` is polled and the child sent `signal` once it holds. Resolves to the exit code. */
export async function importKilled(inputs: string[], db: string, until: () => boolean, env: NodeJS.ProcessEnv = {}, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
	const child = spawn(process.execPath, [cli, 'import', ...inputs, '--db', db, '--json'], {stdio: ['ignore', 'ignore', 'ignore'], env: {...process.env, ...env}});
	const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
	for (let i = 0; i < 4000; i++) {
		await new Promise(r => setTimeout(r, 10));
		if (child.exitCode !== null) break;
		if (until()) break;
	}
	child.kill(signal);
	return exited;
}
