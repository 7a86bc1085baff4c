/**
 * Timing whole processes and printing the result table: shared by the benchmark (run.ts) and its
 * interactive section (interactive.ts), which also runs alone.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';

export interface Row {
	metric: string;
	value: string;
	target: string;
	/** undefined: nothing to judge (n/a or informational). */
	pass?: boolean;
}

export interface Measured {
	ms: number;
	status: number | null;
	stdout: string;
	stderr: string;
	peakKiB?: number;
	/** User + system CPU seconds (under /usr/bin/time). */
	cpu?: number;
}

/** Runs a command, timing it; under /usr/bin/time -v when asked and present, else polling VmHWM. */
export function measure(command: string, args: string[], options: {peak?: boolean; env?: Record<string, string>} = {}): Promise<Measured> {
	const timeTool = options.peak && fs.existsSync('/usr/bin/time');
	const [file, argv] = timeTool ? ['/usr/bin/time', ['-v', command, ...args]] : [command, args];
	return new Promise(resolve => {
		const started = performance.now();
		const child = spawn(file, argv, {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, ...options.env}});
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
			const user = /User time \(seconds\):\s*([\d.]+)/.exec(stderr);
			const system = /System time \(seconds\):\s*([\d.]+)/.exec(stderr);
			const cpu = user && system ? Number(user[1]) + Number(system[1]) : undefined;
			resolve({ms, status, stdout: Buffer.concat(out).toString('utf8'), stderr, peakKiB: fromTime ? Number(fromTime[1]) : peakKiB || undefined, cpu});
		});
	});
}

export function printTable(rows: Row[]): void {
	const header: Row = {metric: 'metric', value: 'value', target: 'target'};
	const widths = [Math.max(...[header, ...rows].map(r => r.metric.length)), Math.max(...[header, ...rows].map(r => r.value.length)), Math.max(...[header, ...rows].map(r => r.target.length))];
	const line = (r: Row, verdict: string) => `${r.metric.padEnd(widths[0])}  ${r.value.padEnd(widths[1])}  ${r.target.padEnd(widths[2])}  ${verdict}`;
	process.stdout.write(`${line(header, 'result')}\n`);
	process.stdout.write(`${'-'.repeat(widths[0] + widths[1] + widths[2] + 14)}\n`);
	for (const r of rows) process.stdout.write(`${line(r, r.pass === undefined ? '' : r.pass ? 'pass' : 'FAIL')}\n`);
}
