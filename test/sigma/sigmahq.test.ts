import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {SigmaEvent} from '../../source/sigma/detection.js';
import {loadRules, ruleFiles} from '../../source/sigma/rule.js';
import {sigmaPinFields} from '../../source/findings/sigma.js';
import {readRule, recordsFor} from './from-rule.js';

const folder = path.join(import.meta.dirname, '..', 'fixtures', 'sigma', 'sigmahq-cloudtrail');
const files = ruleFiles([folder]);
const set = loadRules([folder], sigmaPinFields);

describe("SigmaHQ's CloudTrail rules (vendored, DRL 1.1)", () => {
	it('every file loads or is listed unsupported with a reason: 57 load, none unsupported', () => {
		expect(files).toHaveLength(57);
		const loaded = new Set(set.rules.map(r => r.path));
		for (const u of set.unsupported) expect(u.reason.length).toBeGreaterThan(10);
		for (const f of files) expect(loaded.has(f) !== set.unsupported.some(u => u.path === f)).toBe(true);
		expect({loaded: set.rules.length, unsupported: set.unsupported}).toEqual({loaded: 57, unsupported: []});
	});

	it('every loaded rule keeps its id, title, level, author and tags from its file', () => {
		for (const rule of set.rules) {
			const text = readRule(rule.path) as unknown as Record<string, unknown>;
			expect(rule).toMatchObject({id: text.id, title: text.title, level: text.level, author: text.author, tags: text.tags ?? []});
		}
	});

	describe.each(set.rules.map(r => [r.title, r] as const))('%s', (_title, rule) => {
		const generated = recordsFor(readRule(rule.path));
		it('matches a record built from its selections', () => {
			expect(rule.kind === 'detection' && rule.detection.matches(new SigmaEvent(generated.matching))).toBe(true);
		});
		it.each(generated.nonMatching.map(n => [n.why, n.record] as const))('does not match when %s', (_why, record) => {
			expect(rule.kind === 'detection' && rule.detection.matches(new SigmaEvent(record))).toBe(false);
		});
		it('is read through the case indexes, and its pins admit the matching record', () => {
			if (rule.kind !== 'detection') throw new Error('not a detection rule');
			expect(rule.detection.pins.size).toBeGreaterThan(0);
			for (const [field, test] of rule.detection.pins) {
				const value = field.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], generated.matching);
				expect(test(String(value))).toBe(true);
			}
		});
	});
});
