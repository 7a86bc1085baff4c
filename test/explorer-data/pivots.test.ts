/**
 * Pivots, roll-up, summary and enrichment over the samples (real case file, imported evidence).
 * Expected values come from test-side SQL or the raw records, not from the code under test.
 */
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {CaseFile} from '../../source/db/open.js';
import {eventRecord} from '../../source/db/queries.js';
import {ipView, keyCalls, keyView, parseCidr, PivotSearch, pivotShape, userAgentView} from '../../source/db/pivots.js';
import {principalRollup} from '../../source/db/rollup.js';
import {caseSummary} from '../../source/findings/summary.js';
import {openGeo} from '../../source/lib/geoip.js';
import {ensureBuilt, runCli} from '../hostile/cli.js';
import {createRequire} from 'node:module';
import {repoRoot} from '../model/helpers.js';
import {samplesCase} from './helpers.js';

const require = createRequire(import.meta.url);

const account = '123456789012';
const alice = `arn:aws:iam::${account}:user/alice`;
let file: string;
let db: CaseFile;

let remove: () => void = () => undefined;

beforeAll(async () => {
	ensureBuilt();
	({file, db, remove} = await samplesCase());
}, 120_000);
afterAll(() => remove());

const all = <T>(sql: string, ...args: unknown[]) => db.prepare(sql).all(...args) as T[];
const one = <T>(sql: string, ...args: unknown[]) => db.prepare(sql).get(...args) as T;
const record = (eventId: string) => JSON.parse(eventRecord(db, eventId)!.versions[0].record) as Record<string, any>;

describe('access key pivot', () => {
	it('a session key minted by GetSessionToken with the new device (the bulletin story)', () => {
		const sts = one<{event_id: string; access_key_id: string}>(`SELECT event_id, access_key_id FROM event WHERE event_name = 'GetSessionToken' AND identity_arn = ?`, alice);
		const minted = record(sts.event_id).responseElements.credentials.accessKeyId as string;
		const view = keyView(db, minted)!;
		expect(view.kind).toBe('session');
		expect(view.owner).toBe(alice);
		expect(view.minted).toMatchObject({how: 'GetSessionToken', eventId: sts.event_id, by: alice, byAccessKeyId: sts.access_key_id, mfaSerial: `arn:aws:iam::${account}:mfa/alice-backup`});
		expect(view.mfaAuthenticated).toBe(true);
		expect(view.callCount).toBe(one<{n: number}>(`SELECT count(*) AS n FROM event WHERE access_key_id = ?`, minted).n);
	});

	it('the long-term key: owner, every call in time order, the denied ones marked', () => {
		const key = one<{k: string}>(`SELECT DISTINCT access_key_id AS k FROM event WHERE identity_arn = ? AND access_key_id LIKE 'AKIA%'`, alice).k;
		const view = keyView(db, key)!;
		expect(view).toMatchObject({kind: 'long-term', owner: alice, mfaAuthenticated: null});
		expect(view.minted.how).toBe('long-term');
		const expected = all<{event_id: string; error_code: string | null}>(`SELECT event_id, error_code FROM event WHERE access_key_id = ? ORDER BY event_time, id`, key);
		const calls = keyCalls(db, key);
		expect(calls.map(c => c.eventId)).toEqual(expected.map(e => e.event_id));
		expect(calls.filter(c => c.denied).map(c => c.eventName).sort()).toEqual(['GetSecretValue', 'ListBuckets']);
		expect(view.deniedCount).toBe(2);
		// Paging: two pages of 3 are the same calls as one page.
		const first = keyCalls(db, key, {limit: 3});
		const second = keyCalls(db, key, {limit: 3, afterTime: first[2].eventTime, afterEvent: first[2].event});
		expect([...first, ...second].map(c => c.eventId)).toEqual(expected.slice(0, 6).map(e => e.event_id));
		// The denied calls of the sample story (samples/: GetSecretValue and ListBuckets refused), one page.
		expect(keyCalls(db, key, {deniedOnly: true}).map(c => c.eventName).sort()).toEqual(['GetSecretValue', 'ListBuckets']);
	});

	it('role sessions are minted by AssumeRole; console sessions by the sign-in before them', () => {
		const role = one<{k: string}>(`SELECT access_key_id AS k FROM event WHERE identity_arn LIKE '%assumed-role/ci-deploy/%' ORDER BY event_time LIMIT 1`).k;
		const roleView = keyView(db, role)!;
		expect(roleView.minted.how).toBe('AssumeRole');
		// The AssumeRole call is in the evidence: it is the one whose response names the key, made by ci-bot's key.
		expect(record(roleView.minted.eventId!).responseElements.credentials.accessKeyId).toBe(role);
		expect(roleView.minted.by).toBe(`arn:aws:iam::${account}:user/ci-bot`);
		const service = one<{k: string}>(`SELECT access_key_id AS k FROM event WHERE identity_arn LIKE '%assumed-role/app-server/%' ORDER BY event_time LIMIT 1`).k;
		expect(keyView(db, service)!.minted).toMatchObject({how: 'AssumeRole', by: 'ec2.amazonaws.com'});
		const console = one<{k: string; arn: string; t: string}>(
			`SELECT e.access_key_id AS k, e.identity_arn AS arn, min(e.event_time) AS t FROM event e WHERE e.identity_arn = ? AND e.access_key_id LIKE 'ASIA%' GROUP BY e.access_key_id ORDER BY t LIMIT 1`,
			alice,
		);
		const consoleView = keyView(db, console.k)!;
		expect(consoleView.minted.how).toBe('console');
		const login = one<{event_id: string}>(`SELECT event_id FROM sign_in WHERE principal_arn = ? AND event_name = 'ConsoleLogin' AND event_time <= ? ORDER BY event_time DESC LIMIT 1`, alice, console.t);
		expect(consoleView.minted.eventId).toBe(login.event_id);
	});

	it('an unknown key has no view', () => {
		expect(keyView(db, 'AKIAXXXXXXXXXXXXXXXX')).toBeUndefined();
	});
});

describe('IP and user agent pivots', () => {
	it('an IP: its principals with first/last calls, and its sign-ins (root\'s failures after the device was removed)', () => {
		const view = ipView(db, '203.0.113.45')!;
		const expected = all<{arn: string | null; count: number; firstSeen: string; lastSeen: string}>(
			`SELECT identity_arn AS arn, count(*) AS count, min(event_time) AS firstSeen, max(event_time) AS lastSeen FROM event WHERE source_ip = '203.0.113.45' GROUP BY identity_arn`,
		);
		expect(view.principals).toEqual(expect.arrayContaining(expected));
		expect(view.principals).toHaveLength(expected.length);
		expect(view.signIns.map(s => [s.principalArn, s.result])).toEqual([
			[`arn:aws:iam::${account}:root`, 'Failure'],
			[`arn:aws:iam::${account}:root`, 'Failure'],
		]);
	});

	it('a CIDR covers exactly the addresses inside it', () => {
		const inside = all<{ip: string}>(`SELECT DISTINCT source_ip AS ip FROM event WHERE source_ip LIKE '203.0.113.%'`).map(r => r.ip).sort();
		expect(inside.length).toBeGreaterThan(3);
		const view = ipView(db, '203.0.113.0/24')!;
		expect([...view.addresses].sort()).toEqual(inside);
		expect(view.eventCount).toBe(one<{n: number}>(`SELECT count(*) AS n FROM event WHERE source_ip LIKE '203.0.113.%'`).n);
		// A /25 keeps only the lower half.
		const lower = ipView(db, '203.0.113.0/25');
		const expectedLower = inside.filter(ip => Number(ip.split('.')[3]) < 128);
		expect(lower ? [...lower.addresses].sort() : []).toEqual(expectedLower);
	});

	it('parseCidr: IPv4 on and off octet boundaries, IPv6', () => {
		const c20 = parseCidr('10.1.16.0/20')!;
		expect(c20.prefix).toBe('10.1.');
		expect(['10.1.16.1', '10.1.31.255'].every(ip => c20.contains(ip))).toBe(true);
		expect(['10.1.15.255', '10.1.32.0', '10.2.16.1'].some(ip => c20.contains(ip))).toBe(false);
		const v6 = parseCidr('2001:db8::/32')!;
		expect(v6.contains('2001:db8:0:1::5')).toBe(true);
		expect(v6.contains('2001:db9::1')).toBe(false);
		expect(parseCidr('10.0.0.0/33')).toBeUndefined();
	});

	it('a user agent: who used it, paged, the same as a GROUP BY', () => {
		const ua = 'AWS Internal';
		const expected = all<{arn: string | null; count: number}>(`SELECT identity_arn AS arn, count(*) AS count FROM event WHERE user_agent = ? GROUP BY identity_arn ORDER BY identity_arn`, ua);
		const pages: {arn: string | null; count: number}[] = [];
		let after: string | undefined;
		for (let page = 0; page < 50; page++) {
			const view = userAgentView(db, ua, {limit: 4, after})!;
			pages.push(...view.principals.map(p => ({arn: p.arn, count: p.count})));
			if (!view.more) break;
			after = view.principals[view.principals.length - 1].arn!;
		}
		expect(pages).toEqual(expected);
		expect(userAgentView(db, ua)!.eventCount).toBe(expected.reduce((s, e) => s + e.count, 0));
	});
});

describe('pivot search', () => {
	const search = () => new PivotSearch(db);

	it('tells shapes apart', () => {
		expect(['AKIA2B', '203.0.113', '203.0.113.0/24', '2001:db8::1', '878d1163-d468', 'aws-cli', 'alice'].map(pivotShape)).toEqual(['key', 'ip', 'cidr', 'ip', 'event', 'text', 'text']);
	});

	it('finds keys, IPs, CIDRs and eventIDs by prefix, user agents and named sources by any part', () => {
		const s = search();
		const key = one<{k: string}>(`SELECT DISTINCT access_key_id AS k FROM event WHERE identity_arn = ? AND access_key_id LIKE 'AKIA%'`, alice).k;
		const keyHits = s.search(key.slice(0, 7).toLowerCase());
		expect(keyHits.map(h => h.id)).toContain(key);
		expect(keyHits.every(h => h.kind === 'key' && h.id.startsWith(key.slice(0, 7)))).toBe(true);
		expect(keyHits.find(h => h.id === key)).toMatchObject({principal: alice, count: one<{n: number}>(`SELECT count(*) AS n FROM event WHERE access_key_id = ?`, key).n});
		expect(s.search('203.0.113.4').map(h => h.id)).toEqual(all<{ip: string}>(`SELECT DISTINCT source_ip AS ip FROM event WHERE source_ip LIKE '203.0.113.4%' ORDER BY 1`).map(r => r.ip));
		expect(s.search('203.0.113.0/26').every(h => Number(h.id.split('.')[3]) < 64)).toBe(true);
		const eventId = one<{id: string}>(`SELECT event_id AS id FROM event WHERE event_id NOT LIKE 'derived:%' ORDER BY event_time LIMIT 1`).id;
		expect(s.search(eventId.slice(0, 10))[0]).toMatchObject({kind: 'event', id: eventId});
		const agents = s.search('md/command#iam', {limit: 50});
		expect(agents.length).toBeGreaterThan(1);
		expect(agents.every(h => h.kind === 'user-agent' && h.id.includes('md/command#iam'))).toBe(true);
		const internal = s.search('internal');
		expect(internal).toEqual(expect.arrayContaining([expect.objectContaining({kind: 'ip', id: 'AWS Internal'}), expect.objectContaining({kind: 'user-agent', id: 'AWS Internal'})]));
		expect(s.search('ec2.amazonaws').some(h => h.kind === 'ip' && h.id === 'ec2.amazonaws.com')).toBe(true);
	});
});

describe('roll-up, summary, devices at a moment', () => {
	it('alice\'s roll-up agrees with her events and sign-ins', () => {
		const r = principalRollup(db, alice)!;
		const events = all<{ip: string | null; key: string | null; region: string; err: string | null; t: string}>(
			`SELECT source_ip AS ip, access_key_id AS key, aws_region AS region, error_code AS err, event_time AS t FROM event WHERE identity_arn = ? ORDER BY event_time`,
			alice,
		);
		expect(r.eventCount).toBe(events.length);
		expect(r.firstSeen).toBe(events[0].t);
		expect(r.lastSeen).toBe(events[events.length - 1].t);
		expect(r.regions).toEqual([...new Set(events.map(e => e.region))].sort());
		expect(r.sourceIPs.map(i => i.ip).sort()).toEqual([...new Set(events.map(e => e.ip).filter(Boolean))].sort());
		expect(r.keys.map(k => k.accessKeyId).sort()).toEqual([...new Set(events.map(e => e.key).filter(Boolean))].sort());
		expect(r.keys.filter(k => k.kind === 'long-term').every(k => k.mfaAuthenticated === null)).toBe(true);
		expect(r.keys.some(k => k.kind === 'session' && k.mfaAuthenticated === true)).toBe(true);
		expect(r.deniedCount).toBe(2);
		const signIns = one<{n: number}>(`SELECT count(*) AS n FROM sign_in WHERE principal_arn = ?`, alice).n;
		expect(r.signIns.byResult.reduce((s, b) => s + b.count, 0)).toBe(signIns);
		expect(r.signIns.byDevice.find(d => d.mfaIdentifier === `arn:aws:iam::${account}:mfa/alice-phone`)?.success).toBeGreaterThan(0);
	});

	it('user --json carries the roll-up; --at lists the devices held then', () => {
		const at = (time: string) => {
			const result = runCli(['user', alice, '--at', time, '--json', '--db', file]);
			expect(result.status, result.stderr.toString()).toBe(0);
			return JSON.parse(result.stdout.toString()) as {rollup: {deniedCount: number}; devicesAt: {at: string; devices: {serialNumber: string; stateAt: string}[]}};
		};
		const before = at('2023-02-01T00:00:00Z');
		expect(before.rollup.deniedCount).toBe(2);
		expect(before.devicesAt.devices.map(d => d.serialNumber)).toEqual([`arn:aws:iam::${account}:mfa/alice-phone`]);
		const after = at('2023-02-14T10:05:00Z');
		expect(after.devicesAt.devices.map(d => [d.serialNumber, d.stateAt]).sort()).toEqual([
			[`arn:aws:iam::${account}:mfa/alice-backup`, 'enabled'],
			[`arn:aws:iam::${account}:mfa/alice-phone`, 'enabled'],
		]);
	});

	it('the summary agrees with the tables; summary --json is its twin', () => {
		const s = caseSummary(db, {buckets: 12});
		expect(s.findings.total).toBe(one<{n: number}>(`SELECT count(*) AS n FROM finding`).n);
		expect(Object.values(s.findings.bySeverity).reduce((a, b) => a + b, 0)).toBe(s.findings.total);
		expect(s.findings.top[0].severity).toBe('high');
		expect(s.principals[0].topSeverity).toBe('high');
		expect(s.devices.total).toBe(one<{n: number}>(`SELECT count(*) AS n FROM device`).n);
		expect(s.signIns.buckets).toHaveLength(12);
		expect(s.signIns.buckets.reduce((a, b) => a + b.success + b.failure, 0)).toBe(s.signIns.total);
		const failures = one<{n: number}>(
			`SELECT count(*) AS n FROM sign_in WHERE (event_name IN ('ConsoleLogin', 'UserAuthentication') AND (result = 'Failure' OR failed_at_mfa = 1)) OR (event_name = 'CredentialVerification' AND result = 'Failure')`,
		).n;
		expect(s.signIns.failure).toBe(failures);
		// Bob's burst of six failures falls in one slice of a fine chart.
		const fine = caseSummary(db, {buckets: 1000}).signIns.buckets;
		const burst = fine.filter(b => b.start <= '2023-03-07T23:59:59Z' && b.end >= '2023-03-07T00:00:00Z').reduce((a, b) => a + b.failure, 0);
		expect(burst).toBeGreaterThanOrEqual(6);
		const cli = runCli(['summary', '--json', '--buckets', '12', '--db', file]);
		expect(cli.status, cli.stderr.toString()).toBe(0);
		const json = JSON.parse(cli.stdout.toString());
		expect(json.signIns).toEqual(s.signIns);
		expect(json.findings.total).toBe(s.findings.total);
		expect(json.inventory.accounts).toEqual(['123456789012', '210987654321']);
	});
});

describe('IP enrichment', () => {
	it('labels AWS Internal, service names, private and documentation ranges as what they are', () => {
		const geo = openGeo();
		expect(geo.lookup('AWS Internal')).toMatchObject({kind: 'aws-internal', label: 'AWS Internal'});
		expect(geo.lookup('ssm.amazonaws.com')).toMatchObject({kind: 'service', label: 'AWS service ssm.amazonaws.com'});
		expect(geo.lookup('10.1.2.3').kind).toBe('private');
		expect(geo.lookup('203.0.113.66').kind).toBe('documentation');
		expect(geo.lookup('2001:db8::1').kind).toBe('documentation');
	});

	it('gives country and ASN of public addresses from the bundled data, offline', () => {
		const geo = openGeo();
		const google = geo.lookup('8.8.8.8');
		expect(google).toMatchObject({kind: 'address', country: 'US', asn: 15169});
		expect(google.label).toMatch(/^US AS15169 /);
		expect(geo.lookup('2001:4860:4860::8888').asn).toBe(15169);
		expect(geo.lookup('1.1.1.1').asn).toBe(13335);
	});

	it('reads the responder\'s own mmdb file (--geoip), which takes precedence', () => {
		// An mmdb file from the bundled package stands in for the responder's MaxMind file.
		const own = path.join(path.dirname(require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/package.json')), 'geo-whois-asn-country-ipv4.mmdb');
		const geo = openGeo({file: own, bundled: false});
		expect(geo.source).toContain('geo-whois-asn-country-ipv4.mmdb');
		expect(geo.lookup('8.8.8.8')).toMatchObject({country: 'US', asn: null});
		expect(() => openGeo({file: path.join(repoRoot, 'package.json')})).toThrow(/not a MaxMind DB file/);
		const cli = runCli(['ip', '203.0.113.66', '--geoip', own, '--json', '--db', file]);
		expect(cli.status, cli.stderr.toString()).toBe(0);
		expect(JSON.parse(cli.stdout.toString()).geoSource).toContain('geo-whois-asn-country-ipv4.mmdb');
	});
});
