/**
 * Synthetic CloudTrail archives for the benchmark, in the S3 layout:
 *   node dist/bench/generate.js --events N --out DIR [--seed S] [--mix mfa-heavy|realistic]
 * Accounts of about 5,000 events each; in every account a population of IAM users with their
 * MFA devices (enrolment, sign-ins, console and CLI work, second devices, removals), the
 * sample stories replayed at a shifted time, and role/service noise. About 100k distinct
 * principals and devices per million events, ~1.2 KB per record, ~25 records per file.
 * Memory is bounded by one account; gzip runs on libuv's thread pool while the next account
 * is built, with a bounded number of files in flight.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {parseArgs} from 'node:util';
import zlib from 'node:zlib';
import {deliverByCount, logFileText} from '../samples/layout.js';
import {cliCaller, consoleCaller, createVirtualMfaDevice, deactivateMfaDevice, deleteVirtualMfaDevice, enableMfaDevice, getSessionToken} from '../samples/mfa.js';
import {Random} from '../samples/random.js';
import {assumeRole, boto3Agent, checkMfa, cliAgent, consoleLogin, identity, makeRole, makeUser, noiseCall, terraformAgent, virtualSerial, type TrailEvent, type User} from '../samples/records.js';
import {buildStories} from '../samples/stories.js';

export interface GenerateOptions {
	events: number;
	out: string;
	seed?: string;
	/** Events per account (default 5,000). */
	eventsPerAccount?: number;
	/**
	 * 'mfa-heavy' (default): about a third of events MFA-related, ~25 records per file, so the model
	 * and search are loaded. 'realistic': about 5 % MFA-related among ordinary API noise, in many
	 * small files of 1–9 records (~5 on average), the shape of a real organisation trail.
	 */
	mix?: Mix;
	onProgress?: (done: number, total: number) => void;
}

export type Mix = 'mfa-heavy' | 'realistic';
export const mixes: readonly Mix[] = ['mfa-heavy', 'realistic'];

/** Per mix: the share of an account's budget spent on IAM users' lives, and records per file. */
const mixShape: Record<Mix, {userShare: number; perFile: [number, number]}> = {
	'mfa-heavy': {userShare: 0.8, perFile: [15, 35]},
	realistic: {userShare: 0.13, perFile: [1, 9]},
};

export interface ArchiveStats {
	events: number;
	mix?: Mix;
	files: number;
	accounts: number;
	/** Distinct IAM users, roles and root users. */
	principals: number;
	devices: number;
	/** Sum of the decompressed log files (the JSON jq reads). */
	uncompressedBytes: number;
	compressedBytes: number;
	seconds: number;
	seed: string;
}

const windowStart = Date.parse('2022-11-01T00:00:00Z');
const windowEnd = Date.parse('2023-07-31T00:00:00Z');
const day = 86_400_000;
const regions = ['us-east-1', 'us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1', 'ap-southeast-2'];
const firstNames = 'james mary robert patricia john jennifer michael linda david elizabeth william barbara richard susan joseph jessica thomas sarah charles karen chris lisa daniel nancy matthew betty anthony sandra mark ashley paul emily steven donna andrew michelle joshua carol kevin amanda brian melissa george deborah timothy stephanie ronald rebecca jason laura edward sharon jeffrey cynthia ryan kathleen jacob amy gary angela nicholas helen eric anna'.split(' ');
const lastNames = 'smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis robinson walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter roberts'.split(' ');
const deviceNames = ['phone', 'iphone', 'pixel', 'authy', 'galaxy', 'laptop', 'mfa', 'totp'];

export function accountId(index: number): string {
	return String(400_000_000_000 + index * 1_000_003);
}

/** One account's events; its users and devices are counted into `tally`. */
function buildAccount(seed: string, index: number, budget: number, tally: {principals: number; devices: number}, mix: Mix): TrailEvent[] {
	const rng = new Random(`${seed}:account:${index}`);
	const account = accountId(index);
	const events: TrailEvent[] = [];
	// The sample stories, replayed a few days apart in every account big enough to hold them.
	if (budget >= 1500) {
		const shift = rng.int(-3 * 24, 3 * 24) * 3_600_000;
		const story = buildStories({seed: `${seed}:stories:${index}`, account, otherAccount: accountId(index + 1), shift});
		// The stories' second-account events stay in this account's budget but land in the neighbour's trail.
		events.push(...story);
		tally.principals += 18;
		tally.devices += 18;
	}
	const usedNames = new Set<string>();
	const users: User[] = [];
	const userShare = mixShape[mix].userShare;
	// A user's life is about 14 events; the MFA-heavy mix keeps its historical one user per 17 events.
	const userCount = Math.max(1, Math.round(mix === 'mfa-heavy' ? budget / 17 : (budget * userShare) / 14));
	for (let i = 0; i < userCount; i++) {
		const base = `${rng.pick(firstNames)}.${rng.pick(lastNames)}`;
		let name = base;
		for (let n = 2; usedNames.has(name); n++) name = `${base}${n}`;
		usedNames.add(name);
		users.push(makeUser(rng, account, name));
	}
	tally.principals += users.length + 4;
	const admin = users[0];
	const target = Math.floor(budget * userShare);
	for (const user of users) {
		if (events.length >= target) break;
		events.push(...userLife(rng, user, admin, tally));
	}
	// Roles and services fill the rest, as they do in real trails.
	const roles = [makeRole(rng, account, 'app-server'), makeRole(rng, account, 'ingest-fn'), makeRole(rng, account, 'ci-deploy'), makeRole(rng, account, 'OrganizationAccountAccessRole')];
	while (events.length < budget) {
		const t = windowStart + Math.floor(rng.next() * (windowEnd - windowStart));
		const region = rng.pick(regions);
		const role = rng.pick(roles);
		const sessionName = role.name === 'app-server' ? `i-0${rng.chars('0123456789abcdef', 16)}` : `${role.name}-${rng.int(1000, 9999)}`;
		const sessionKey = rng.iamId('ASIA');
		const caller = role.name === 'app-server' ? identity.service('ec2.amazonaws.com') : role.name === 'ingest-fn' ? identity.service('lambda.amazonaws.com') : identity.accessKey(admin);
		events.push(assumeRole(rng, t, caller, role, sessionName, sessionKey, admin.ip, terraformAgent, region));
		const session = identity.roleSession(role, sessionName, sessionKey, t);
		const ip = `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(2, 254)}`;
		const calls = rng.int(3, 12);
		for (let c = 0, at = t; c < calls && events.length < budget; c++) {
			at += rng.int(1, 120) * 1000;
			events.push(rng.chance(0.1) ? noiseCall(rng, at, identity.service('cloudtrail.amazonaws.com'), 'us-east-1', 'cloudtrail.amazonaws.com', 'cloudtrail.amazonaws.com', false, account) : noiseCall(rng, at, session, region, ip, boto3Agent));
		}
	}
	return events.length > budget ? events.slice(0, budget) : events;
}

/** One IAM user over the evidence window: enrolment, sign-ins, work, now and then a change of device. */
function userLife(rng: Random, user: User, admin: User, tally: {devices: number}): TrailEvent[] {
	const out: TrailEvent[] = [];
	const account = user.account;
	const signIn = identity.userSignIn(user);
	const step = identity.userSignInStep(user);
	let t = windowStart + Math.floor(rng.next() * (windowEnd - windowStart) * 0.5);
	const browse = (session: Record<string, unknown>, from: number, n: number) => {
		for (let i = 0, at = from; i < n; i++) {
			at += rng.int(10, 300) * 1000;
			out.push(noiseCall(rng, at, session, rng.pick(regions), user.ip, 'AWS Internal', true));
		}
	};
	const loginWithout = (at: number) => {
		out.push(consoleLogin(rng, {identity: signIn, account, ip: user.ip, userAgent: user.browser, time: at, success: true, mfaUsed: 'No'}));
		return identity.session(user, rng.iamId('ASIA'), at, false);
	};
	const loginWith = (at: number, serial: string, mfaType: string) => {
		out.push(checkMfa(rng, {identity: step, account, ip: user.ip, userAgent: user.browser, time: at, success: true, mfaType}));
		const login = at + rng.int(8, 25) * 1000;
		out.push(consoleLogin(rng, {identity: signIn, account, ip: user.ip, userAgent: user.browser, time: login, success: true, mfaUsed: 'Yes', mfaIdentifier: serial}));
		return identity.session(user, rng.iamId('ASIA'), login, true);
	};
	const kind = rng.next();
	let serial: string | undefined;
	let mfaType = 'Virtual MFA';
	if (kind < 0.8) {
		// Enrolment: by the user from a first console session, or by the account's administrator.
		const byAdmin = user !== admin && rng.chance(0.1);
		const session = byAdmin ? identity.session(admin, rng.iamId('ASIA'), t, true) : loginWithout(t);
		const caller = consoleCaller(session, byAdmin ? admin.ip : user.ip);
		t += rng.int(30, 300) * 1000;
		if (kind < 0.7) {
			const name = `${user.name}-${rng.pick(deviceNames)}`;
			serial = virtualSerial(account, name);
			out.push(createVirtualMfaDevice(rng, caller, t, account, name));
		} else if (kind < 0.76) {
			serial = `arn:aws:iam::${account}:u2f/user/${user.name}/${user.name}-key-${rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 26)}`;
			mfaType = 'U2F MFA';
		} else {
			serial = `GA${rng.pick(['HT', 'KT'])}${rng.chars('0123456789', 8)}`;
			mfaType = 'Hardware MFA';
		}
		t += rng.int(20, 90) * 1000;
		out.push(enableMfaDevice(rng, caller, t, user.name, serial));
		tally.devices++;
	}
	const sessions = rng.int(1, 3);
	for (let i = 0; i < sessions; i++) {
		t += rng.int(1, 20) * day + rng.int(0, 86_399) * 1000;
		if (t > windowEnd) break;
		const session = serial ? loginWith(t, serial, mfaType) : loginWithout(t);
		browse(session, t, rng.int(1, 6));
		if (serial && rng.chance(0.04)) {
			// A second device, added from an MFA session.
			const name = `${user.name}-${rng.pick(deviceNames)}-2`;
			const caller = consoleCaller(session, user.ip);
			out.push(createVirtualMfaDevice(rng, caller, t + 60_000, account, name));
			out.push(enableMfaDevice(rng, caller, t + 95_000, user.name, virtualSerial(account, name)));
			tally.devices++;
		}
	}
	if (serial && !serial.startsWith('GA') && rng.chance(0.04)) {
		// The device is lost: removed by the administrator.
		t += rng.int(1, 10) * day;
		const caller = consoleCaller(identity.session(admin, rng.iamId('ASIA'), t, true), admin.ip);
		out.push(deactivateMfaDevice(rng, caller, t, user.name, serial));
		if (serial.includes(':mfa/')) out.push(deleteVirtualMfaDevice(rng, caller, t + 1000, serial));
	}
	if (rng.chance(0.3)) {
		// CLI work with the long-term key; with an MFA device, sometimes through GetSessionToken first.
		t += rng.int(0, 10) * day;
		const key = cliCaller(identity.accessKey(user), user.ip);
		let who = key.identity;
		if (serial && rng.chance(0.3)) {
			const sessionKey = rng.iamId('ASIA');
			out.push(getSessionToken(rng, key, t, 'us-east-1', serial, sessionKey));
			who = identity.session(user, sessionKey, t, true);
		}
		for (let i = 0, n = rng.int(1, 4), at = t; i < n; i++) {
			at += rng.int(2, 60) * 1000;
			out.push(noiseCall(rng, at, who, rng.pick(regions), user.ip, cliAgent('ec2.describe-instances')));
		}
	}
	if (!serial && rng.chance(0.05)) {
		// A mistyped password.
		out.push(consoleLogin(rng, {identity: step, account, ip: rng.ip(), userAgent: user.browser, time: t + day, success: false, mfaUsed: 'No'}));
	}
	return out;
}

/** Writes the archive; resolves when every file is on disk. */
export async function generateArchive(options: GenerateOptions): Promise<ArchiveStats> {
	const started = process.hrtime.bigint();
	const seed = options.seed ?? 'mfatrail-bench';
	const perAccount = options.eventsPerAccount ?? 5000;
	const accounts = Math.max(1, Math.ceil(options.events / perAccount));
	const mix = options.mix ?? 'mfa-heavy';
	const [perFileMin, perFileMax] = mixShape[mix].perFile;
	const stats: ArchiveStats = {events: 0, mix, files: 0, accounts, principals: 0, devices: 0, uncompressedBytes: 0, compressedBytes: 0, seconds: 0, seed};
	const tally = {principals: 0, devices: 0};
	const made = new Map<string, Promise<unknown>>();
	const inFlight = new Set<Promise<void>>();
	const limit = Math.max(4, os.availableParallelism() * 3);
	const gzip = (text: string) =>
		new Promise<Buffer>((resolve, reject) => zlib.gzip(text, {level: 6}, (error, out) => (error ? reject(error) : resolve(out))));
	let remaining = options.events;
	for (let i = 0; i < accounts; i++) {
		const budget = Math.ceil(remaining / (accounts - i));
		remaining -= budget;
		const events = buildAccount(seed, i, budget, tally, mix);
		const layout = new Random(`${seed}:layout:${i}`);
		for (const file of deliverByCount(layout, events, perFileMin, perFileMax)) {
			const text = logFileText(file.events);
			stats.events += file.events.length;
			stats.files++;
			stats.uncompressedBytes += Buffer.byteLength(text);
			const target = path.join(options.out, ...file.path.split('/'));
			// Folders are made on the thread pool too: nearly every file opens a new day folder.
			const dir = path.dirname(target);
			let folder = made.get(dir);
			if (!folder) made.set(dir, (folder = fs.promises.mkdir(dir, {recursive: true})));
			const job: Promise<void> = Promise.all([gzip(text), folder])
				.then(([gz]) => {
					stats.compressedBytes += gz.length;
					return fs.promises.writeFile(target, gz);
				})
				.finally(() => inFlight.delete(job));
			inFlight.add(job);
			while (inFlight.size >= limit) await Promise.race(inFlight);
		}
		options.onProgress?.(stats.events, options.events);
	}
	await Promise.all(inFlight);
	stats.principals = tally.principals;
	stats.devices = tally.devices;
	stats.seconds = Number(process.hrtime.bigint() - started) / 1e9;
	return stats;
}

export interface JsonlStats {
	events: number;
	bytes: number;
	seed: string;
	seconds: number;
}

/**
 * One JSON Lines export (the shape of a SIEM, Athena or CloudTrail Lake export) of at least
 * `bytes` bytes: realistic-mix accounts, one record per line, written as they are built (memory is
 * bounded by one account).
 */
export async function generateJsonl(options: {bytes: number; out: string; seed?: string; onProgress?: (done: number, total: number) => void}): Promise<JsonlStats> {
	const started = process.hrtime.bigint();
	const seed = options.seed ?? 'mfatrail-bench-jsonl';
	fs.mkdirSync(path.dirname(options.out), {recursive: true});
	const out = fs.createWriteStream(options.out);
	const stats: JsonlStats = {events: 0, bytes: 0, seed, seconds: 0};
	const tally = {principals: 0, devices: 0};
	for (let i = 0; stats.bytes < options.bytes; i++) {
		const events = buildAccount(seed, i, 5000, tally, 'realistic').sort((a, b) => a.time - b.time);
		const text = events.map(e => `${JSON.stringify(e.record)}\n`).join('');
		stats.events += events.length;
		stats.bytes += Buffer.byteLength(text);
		if (!out.write(text)) await new Promise<void>(resolve => out.once('drain', () => resolve()));
		options.onProgress?.(stats.bytes, options.bytes);
	}
	await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
	stats.seconds = Number(process.hrtime.bigint() - started) / 1e9;
	return stats;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	const usage = 'usage: node dist/bench/generate.js --events N --out DIR [--seed S] [--mix mfa-heavy|realistic]\n';
	let values;
	try {
		({values} = parseArgs({options: {events: {type: 'string', default: '1000000'}, out: {type: 'string'}, seed: {type: 'string'}, mix: {type: 'string', default: 'mfa-heavy'}, help: {type: 'boolean', short: 'h'}}}));
	} catch (error) {
		process.stderr.write(`${(error as Error).message}\n${usage}`);
		process.exit(2);
	}
	if (values.help) {
		process.stdout.write(usage);
		process.exit(0);
	}
	const events = Number(values.events);
	if (!values.out || !Number.isInteger(events) || events < 1 || !mixes.includes(values.mix as Mix)) {
		process.stderr.write(usage);
		process.exit(2);
	}
	const stats = await generateArchive({
		events,
		out: values.out,
		seed: values.seed,
		mix: values.mix as Mix,
		onProgress: (done, total) => process.stderr.write(`\r${done.toLocaleString('en')} / ${total.toLocaleString('en')} events`),
	});
	process.stderr.write('\n');
	process.stdout.write(`${JSON.stringify(stats)}\n`);
}
