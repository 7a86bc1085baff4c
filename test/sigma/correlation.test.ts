import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {SigmaEvent} from '../../source/sigma/detection.js';
import {correlate, type RuleEvent} from '../../source/sigma/correlation.js';
import {loadRules, type CorrelationRule, type SigmaRule} from '../../source/sigma/rule.js';
import {useTempDirs} from '../temp-dirs.js';

const tempDir = useTempDirs();
const specExamples = path.join(import.meta.dirname, '..', 'fixtures', 'sigma', 'specification', 'examples');

const base = (id: string, name: string, detection: string) =>
	`title: ${name}\nid: ${id}\nname: ${name}\nlevel: low\nlogsource: {product: aws, service: cloudtrail}\ndetection: ${detection}\n`;

/** Base rules and one correlation, as one multi-document file (the specification's own habit). */
function load(correlation: string): {rules: SigmaRule[]; correlation: CorrelationRule} {
	const dir = tempDir();
	const text = [
		base('11111111-0000-0000-0000-000000000001', 'failed_login', "{s: {eventName: ConsoleLogin, responseElements.ConsoleLogin: Failure}, condition: s}"),
		base('11111111-0000-0000-0000-000000000002', 'successful_login', "{s: {eventName: ConsoleLogin, responseElements.ConsoleLogin: Success}, condition: s}"),
		base('11111111-0000-0000-0000-000000000003', 'get_object', "{s: {eventName: GetObject}, condition: s}"),
		base('11111111-0000-0000-0000-000000000004', 'authorize_ingress', "{s: {eventName: AuthorizeSecurityGroupIngress}, condition: s}"),
		`title: The correlation\nid: 22222222-0000-0000-0000-000000000001\nlevel: high\ncorrelation:\n${correlation.replace(/^/gm, '    ')}\n`,
	].join('---\n');
	fs.writeFileSync(path.join(dir, 'rules.yml'), text);
	const set = loadRules([dir]);
	expect(set.unsupported).toEqual([]);
	return {rules: set.rules, correlation: set.rules.find((r): r is CorrelationRule => r.kind === 'correlation')!};
}

const t0 = Date.parse('2024-05-01T10:00:00Z');
const minutes = (n: number) => t0 + n * 60_000;
let serial = 0;

/** Records at the given times, matched through the base rules as the case run does. */
function events(rules: SigmaRule[], records: {at: number; record: Record<string, unknown>}[]): RuleEvent[] {
	const out: RuleEvent[] = [];
	for (const {at, record} of records) {
		const eventId = `ev-${++serial}`;
		for (const rule of rules) {
			if (rule.kind === 'detection' && rule.detection.matches(new SigmaEvent(record))) out.push({rule: rule.id, ruleName: rule.name, time: at, eventId, record});
		}
	}
	return out;
}

const failed = (ip: string, user = 'alice') => ({eventName: 'ConsoleLogin', sourceIPAddress: ip, userIdentity: {userName: user, arn: `arn:aws:iam::1:user/${user}`}, responseElements: {ConsoleLogin: 'Failure'}});
const success = (ip: string, user = 'alice') => ({...failed(ip, user), responseElements: {ConsoleLogin: 'Success'}});
const getObject = (bytes: number, user = 'alice') => ({eventName: 'GetObject', userIdentity: {arn: `arn:aws:iam::1:user/${user}`}, additionalEventData: {bytesTransferredOut: bytes}});

describe('correlation rules, on generated sequences inside and outside the timespan', () => {
	it('event_count: three failures from one address within 10m, not 12m apart, not from three addresses', () => {
		const {rules, correlation} = load('type: event_count\nrules: [failed_login]\ngroup-by: [sourceIPAddress]\ntimespan: 10m\ncondition: {gte: 3}');
		const inside = correlate(correlation.correlation, events(rules, [0, 4, 9].map(m => ({at: minutes(m), record: failed('198.51.100.7')}))));
		expect(inside).toHaveLength(1);
		expect(inside[0]).toMatchObject({group: {sourceIPAddress: '198.51.100.7'}, value: 3});
		expect(inside[0]!.events).toHaveLength(3);
		expect(correlate(correlation.correlation, events(rules, [0, 6, 12].map(m => ({at: minutes(m), record: failed('198.51.100.7')}))))).toEqual([]);
		expect(correlate(correlation.correlation, events(rules, [0, 1, 2].map(m => ({at: minutes(m), record: failed(`198.51.100.${m}`)}))))).toEqual([]);
	});

	it('value_count: four user names failing from one address within 1h; the same count spread over 2h does not', () => {
		const {rules, correlation} = load('type: value_count\nrules: [failed_login]\ngroup-by: [sourceIPAddress]\ntimespan: 1h\ncondition: {field: userIdentity.userName, gte: 4}');
		const users = ['alice', 'bob', 'carol', 'dave'];
		expect(correlate(correlation.correlation, events(rules, users.map((u, i) => ({at: minutes(i * 10), record: failed('203.0.113.9', u)}))))).toHaveLength(1);
		expect(correlate(correlation.correlation, events(rules, users.map((u, i) => ({at: minutes(i * 40), record: failed('203.0.113.9', u)}))))).toEqual([]);
		// One user four times is one value.
		expect(correlate(correlation.correlation, events(rules, users.map((_u, i) => ({at: minutes(i), record: failed('203.0.113.9', 'alice')}))))).toEqual([]);
	});

	it('temporal: both rules within 5m in any order, per user; 6m apart or two users do not', () => {
		const {rules, correlation} = load('type: temporal\nrules: [failed_login, successful_login]\ngroup-by: [userIdentity.userName]\ntimespan: 5m');
		expect(correlate(correlation.correlation, events(rules, [{at: minutes(0), record: success('192.0.2.1')}, {at: minutes(4), record: failed('192.0.2.1')}]))).toHaveLength(1);
		expect(correlate(correlation.correlation, events(rules, [{at: minutes(0), record: failed('192.0.2.1')}, {at: minutes(6), record: success('192.0.2.1')}]))).toEqual([]);
		expect(correlate(correlation.correlation, events(rules, [{at: minutes(0), record: failed('192.0.2.1', 'alice')}, {at: minutes(1), record: success('192.0.2.1', 'bob')}]))).toEqual([]);
	});

	it('temporal_ordered: failures then a success within 1h; a success before the failures, or after 1h, does not', () => {
		const {rules, correlation} = load('type: temporal_ordered\nrules: [failed_login, successful_login]\ngroup-by: [userIdentity.userName]\ntimespan: 1h');
		const inOrder = correlate(correlation.correlation, events(rules, [{at: minutes(0), record: failed('192.0.2.1')}, {at: minutes(30), record: success('192.0.2.1')}]));
		expect(inOrder).toHaveLength(1);
		expect(inOrder[0]!.events.map(e => e.rule)).toEqual(['11111111-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000002']);
		expect(correlate(correlation.correlation, events(rules, [{at: minutes(0), record: success('192.0.2.1')}, {at: minutes(30), record: failed('192.0.2.1')}]))).toEqual([]);
		expect(correlate(correlation.correlation, events(rules, [{at: minutes(0), record: failed('192.0.2.1')}, {at: minutes(61), record: success('192.0.2.1')}]))).toEqual([]);
	});

	it('value_sum and value_avg over a numeric field, within the timespan only', () => {
		const sum = load('type: value_sum\nrules: [get_object]\ngroup-by: [userIdentity.arn]\ntimespan: 1h\ncondition: {field: additionalEventData.bytesTransferredOut, gt: 1000}');
		expect(correlate(sum.correlation.correlation, events(sum.rules, [{at: minutes(0), record: getObject(600)}, {at: minutes(50), record: getObject(500)}]))[0]).toMatchObject({value: 1100});
		expect(correlate(sum.correlation.correlation, events(sum.rules, [{at: minutes(0), record: getObject(600)}, {at: minutes(120), record: getObject(500)}]))).toEqual([]);
		const avg = load('type: value_avg\nrules: [get_object]\ngroup-by: [userIdentity.arn]\ntimespan: 1h\ncondition: {field: additionalEventData.bytesTransferredOut, gt: 500}');
		expect(correlate(avg.correlation.correlation, events(avg.rules, [{at: minutes(0), record: getObject(600)}, {at: minutes(10), record: getObject(700)}]))[0]).toMatchObject({value: 650});
		expect(correlate(avg.correlation.correlation, events(avg.rules, [{at: minutes(0), record: getObject(600)}, {at: minutes(10), record: getObject(100)}]))).toEqual([]);
	});

	it('value_median, and value_percentile: a value rarer than the threshold among the window\'s events', () => {
		const median = load('type: value_median\nrules: [get_object]\ngroup-by: [userIdentity.arn]\ntimespan: 1h\ncondition: {field: additionalEventData.bytesTransferredOut, gte: 100}');
		expect(correlate(median.correlation.correlation, events(median.rules, [1, 200, 300].map((b, i) => ({at: minutes(i), record: getObject(b)}))))[0]).toMatchObject({value: 200});
		expect(correlate(median.correlation.correlation, events(median.rules, [1, 2, 99].map((b, i) => ({at: minutes(i), record: getObject(b)}))))).toEqual([]);
		const percentile = load('type: value_percentile\nrules: [get_object]\ngroup-by: [userIdentity.arn]\ntimespan: 1h\ncondition: {field: additionalEventData.bytesTransferredOut, lte: 10}');
		const rareFirst = [{at: minutes(0), record: getObject(31337)}, ...Array.from({length: 19}, (_, i) => ({at: minutes(1 + i), record: getObject(5)}))];
		const found = correlate(percentile.correlation.correlation, events(percentile.rules, rareFirst));
		expect(found).toHaveLength(1);
		expect(found[0]!.value).toBe(5);
		expect(found[0]!.events).toHaveLength(1);
		const rareAlone = [{at: minutes(0), record: getObject(31337)}, ...Array.from({length: 19}, (_, i) => ({at: minutes(61 + i), record: getObject(5)}))];
		expect(correlate(percentile.correlation.correlation, events(percentile.rules, rareAlone)).filter(m => m.events.some(e => (e.record as any).additionalEventData.bytesTransferredOut === 31337))).toEqual([]);
	});

	it('aliases: one field name for different fields of different rules', () => {
		const {rules, correlation} = load(
			'type: temporal\nrules: [failed_login, authorize_ingress]\ngroup-by: [ip]\ntimespan: 10m\naliases:\n    ip:\n        failed_login: sourceIPAddress\n        authorize_ingress: requestParameters.ipPermissions.items.ipRanges.items.cidrIp',
		);
		const ingress = (cidr: string) => ({eventName: 'AuthorizeSecurityGroupIngress', requestParameters: {ipPermissions: {items: [{ipRanges: {items: [{cidrIp: cidr}]}}]}}});
		expect(correlate(correlation.correlation, events(rules, [{at: minutes(0), record: failed('198.51.100.7')}, {at: minutes(2), record: ingress('198.51.100.7')}]))[0]).toMatchObject({group: {ip: '198.51.100.7'}});
		expect(correlate(correlation.correlation, events(rules, [{at: minutes(0), record: failed('198.51.100.7')}, {at: minutes(2), record: ingress('0.0.0.0/0')}]))).toEqual([]);
	});
});

describe("the specification's correlation examples", () => {
	it('each loads once the rules it names exist, and is unsupported (with the reason) without them', () => {
		const examples = fs.readdirSync(specExamples).filter(f => f.endsWith('.yml'));
		expect(examples).toHaveLength(8);
		const alone = loadRules([specExamples]);
		expect(alone.rules).toEqual([]);
		expect(alone.unsupported).toHaveLength(8);
		for (const u of alone.unsupported) expect(u.reason).toMatch(/^refers to rule '.+', which is not loaded$/);
		const dir = tempDir();
		const names = ['5638f7c0-ac70-491d-8465-2a65075e0d86', 'recon_cmd_a', 'recon_cmd_b', 'recon_cmd_c', 'rule_a_id', 'process_creation', 'website_access'];
		fs.writeFileSync(path.join(dir, 'base.yml'), names.map((n, i) => base(n.includes('-') ? n : `00000000-0000-0000-0000-00000000000${i}`, n, '{s: {eventName: X}, condition: s}')).join('---\n'));
		const together = loadRules([specExamples, dir]);
		// The ECS variant of the event_count example keeps the same id: one rule id, one rule.
		expect(together.unsupported).toEqual([
			{path: path.join(specExamples, 'correlation-event_count_ecs.yml'), reason: `id 0e95725d-7320-415d-80f7-004da920fc11 is already the id of ${path.join(specExamples, 'correlation-event_count.yml')}`},
		]);
		expect(together.rules.filter(r => r.kind === 'correlation').map(r => (r as CorrelationRule).correlation.type).sort()).toEqual([
			'event_count', 'temporal', 'temporal_ordered', 'value_avg', 'value_count', 'value_percentile', 'value_sum',
		]);
		const ecs = loadRules([path.join(specExamples, 'correlation-event_count_ecs.yml'), dir]);
		expect(ecs.unsupported).toEqual([]);
		expect((ecs.rules.find(r => r.kind === 'correlation') as CorrelationRule).correlation.groupBy).toEqual(['dns.question.name']);
	});
});
