/**
 * MFATRAIL_IMPORT_TIMING=1: where an import's time went, printed on stderr (the benchmark and
 * profiling read it). Each mark closes the stage that ran since the previous one.
 */
export class Phases {
	private last = performance.now();
	private lastCpu = process.cpuUsage();
	private readonly times: [string, number][] = [];
	/** CPU (user + system, every thread of the process) per stage, ms: the machine may be shared, so wall alone misleads. */
	private readonly cpu: number[] = [];
	/** The process's peak resident set (MiB) when each stage ended: the stage where it rises is the one that peaked. */
	private readonly peak: number[] = [];

	mark(name: string): void {
		const now = performance.now();
		const cpu = process.cpuUsage();
		this.times.push([name, now - this.last]);
		this.cpu.push((cpu.user - this.lastCpu.user + cpu.system - this.lastCpu.system) / 1000);
		this.peak.push(process.resourceUsage().maxRSS / 1024);
		this.last = now;
		this.lastCpu = cpu;
	}

	/** The stages, with µs per record alongside, and the load rate. */
	report(records: number): void {
		if (process.env.MFATRAIL_IMPORT_TIMING !== '1') return;
		const load = this.times[0]?.[1] ?? 0;
		const per = (ms: number) => (records > 0 ? ` (${((ms * 1000) / records).toFixed(1)} µs/event)` : '');
		const parts = this.times.map(([name, ms]) => `${name} ${(ms / 1000).toFixed(2)} s${per(ms)}`).join(', ');
		process.stderr.write(`import timing: ${parts}; load ${Math.round(records / (load / 1000)).toLocaleString('en')} records/s\n`);
		process.stderr.write(`import cpu: ${this.times.map(([name], i) => `${name} ${(this.cpu[i] / 1000).toFixed(2)} s`).join(', ')}\n`);
		process.stderr.write(`import peak rss: ${this.times.map(([name], i) => `${name} ${Math.round(this.peak[i])} MiB`).join(', ')}\n`);
	}
}
