/**
 * "Wrap, don't cut": every command's human output over the samples, checked for identifiers
 * (ARNs, serials, account IDs, access keys, IPs, eventIDs) shown cut while their whole value is
 * nowhere in the output. The commands run in-process (main()), their output captured.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {main} from '../../source/commands/main.js';
import type {CaseFile} from '../../source/db/open.js';
import {caseIdentifiers, cutIdentifiers} from '../cut-identifiers.js';
import {samplesCase} from './helpers.js';

let file: string;
let db: CaseFile;
let known: string[];

let remove: () => void = () => undefined;

beforeAll(async () => {
	({file, db, remove} = await samplesCase());
	known = caseIdentifiers(db);
}, 120_000);
afterAll(() => remove());

/** Runs `mfatrail ARGS --db FILE` in this process; its stdout and exit status. */
async function run(args: string[]): Promise<{status: number; stdout: string; stderr: string}> {
	const out: string[] = [];
	const err: string[] = [];
	const write = process.stdout.write.bind(process.stdout);
	const writeErr = process.stderr.write.bind(process.stderr);
	process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
	process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
	try {
		const status = await main([...args, '--db', file]);
		return {status, stdout: out.join(''), stderr: err.join('')};
	} finally {
		process.stdout.write = write;
		process.stderr.write = writeErr;
	}
}

const column = (sql: string) => db.prepare(sql).pluck().all() as string[];

/** Every command, with arguments drawn from the case file so each identifier kind gets a turn. */
function invocations(): string[][] {
	const principals = column(`SELECT arn FROM principal ORDER BY arn`);
	const serials = column(`SELECT DISTINCT serial_number FROM device ORDER BY 1`);
	const keys = column(`SELECT DISTINCT access_key_id FROM event WHERE access_key_id IS NOT NULL ORDER BY 1`);
	const ips = column(`SELECT DISTINCT source_ip FROM event WHERE source_ip IS NOT NULL ORDER BY 1`);
	const agents = column(`SELECT DISTINCT user_agent FROM event WHERE user_agent IS NOT NULL ORDER BY 1`);
	const events = column(`SELECT event_id FROM event ORDER BY event_time LIMIT 15`);
	const times = column(`SELECT event_time FROM lifecycle_event ORDER BY event_time`);
	return [
		['summary'],
		['summary', '--hashes'],
		['findings'],
		['logins'],
		['logins', '--failed'],
		['timeline'],
		...['alice', 'root', 'mfa', 'AKIA', 'ASIA', '203.0.113', '203.0.113.0/24', 'aws-cli', 'internal', events[0].slice(0, 8)].map(q => ['search', q]),
		...principals.map(arn => ['user', arn]),
		...principals.slice(0, 5).map(arn => ['user', arn, '--at', times[Math.floor(times.length / 2)]]),
		...principals.slice(0, 5).map(arn => ['timeline', '--user', arn]),
		...principals.slice(0, 5).map(arn => ['logins', '--user', arn]),
		...serials.map(serial => ['device', serial]),
		...events.map(id => ['event', id]),
		...keys.map(key => ['key', key]),
		...ips.map(ip => ['ip', ip]),
		['ip', '203.0.113.0/24'],
		...agents.map(agent => ['agent', agent]),
	];
}

describe('CLI human output at 80 columns', () => {
	it('shows no identifier cut, in any command over the samples', async () => {
		const problems: string[] = [];
		const all = invocations();
		expect(all.length).toBeGreaterThan(100);
		expect(known.length).toBeGreaterThan(400);
		for (const args of all) {
			const result = await run(args);
			expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(0);
			expect(result.stdout.length, args.join(' ')).toBeGreaterThan(0);
			const cut = cutIdentifiers(result.stdout, known);
			if (cut.length > 0) problems.push(`mfatrail ${args.join(' ')}: ${cut.join(', ')}`);
		}
		expect(problems).toEqual([]);
	}, 120_000);

	it('the detector finds a cut identifier in a command output (the test can fail)', async () => {
		const result = await run(['user', column(`SELECT arn FROM principal WHERE name = 'alice' ORDER BY arn LIMIT 1`)[0]]);
		const key = /AKIA[A-Z0-9]{16}/.exec(result.stdout)?.[0];
		expect(key, result.stdout + result.stderr).toBeDefined();
		if (!key) return;
		const cut = result.stdout.replaceAll(key, `${key.slice(0, 10)}…`);
		expect(cutIdentifiers(cut, known)).toContain(`${key.slice(0, 10)}…`);
	});
});
