/**
 * Records built from a Sigma rule's own text, independently of the evaluator under test: a
 * record that satisfies the rule (the fields of every selection the condition requires, values
 * made to fit their modifiers) and records that must not (a required value changed; the fields
 * of a negated selection added). Reads only the condition shapes SigmaHQ's CloudTrail rules use
 * (terms joined by `and`: `X`, `not X`, `1 of P*`, `not 1 of P*`, `all of P*`) and throws on others.
 */
import fs from 'node:fs';
import {parse} from 'yaml';

type Selection = Record<string, unknown> | Record<string, unknown>[];

interface Term {
	negated: boolean;
	selections: Selection[];
	/** 1 of: one of the selections suffices (the first is used). */
	any: boolean;
}

export interface RuleText {
	id: string;
	title: string;
	detection: Record<string, unknown>;
}

export function readRule(file: string): RuleText {
	const doc = parse(fs.readFileSync(file, 'utf8')) as RuleText;
	return doc;
}

function terms(rule: RuleText): Term[] {
	const {condition, ...searches} = rule.detection;
	if (typeof condition !== 'string') throw new Error(`${rule.id}: condition is not one string`);
	return condition.split(/\s+and\s+/).map(raw => {
		const m = /^(not\s+)?(?:(1|all)\s+of\s+)?(\S+)$/.exec(raw.trim());
		if (!m) throw new Error(`${rule.id}: condition term '${raw}' is outside what this generator reads`);
		const [, not, quantifier, name] = m;
		const pattern = new RegExp(`^${name!.split('*').map(s => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
		const names = quantifier ? Object.keys(searches).filter(n => pattern.test(n)) : [name!];
		const selections = names.map(n => {
			if (!(n in searches)) throw new Error(`${rule.id}: no selection ${n}`);
			return searches[n] as Selection;
		});
		return {negated: Boolean(not), selections, any: quantifier === '1'};
	});
}

/** The plain text a Sigma string stands for, wildcards given a value: `*` → "x", `?` → "y", escapes undone. */
export function sampleOf(value: string): string {
	let out = '';
	for (let i = 0; i < value.length; i++) {
		const c = value[i]!;
		if (c === '\\' && '*?\\'.includes(value[i + 1] ?? '')) out += value[++i];
		else if (c === '*') out += 'x';
		else if (c === '?') out += 'y';
		else out += c;
	}
	return out;
}

/** A text a simple regular expression matches: `.+` → "x", `.*` → "", `\.` → ".". */
function sampleOfRegex(re: string): string {
	return re.replace(/^\^|\$$/g, '').replace(/\.\+/g, 'x').replace(/\.\*/g, '').replace(/\\(.)/g, '$1');
}

function setPath(record: Record<string, unknown>, path: string, value: unknown): void {
	const parts = path.split('.');
	let node = record;
	for (const p of parts.slice(0, -1)) {
		if (typeof node[p] !== 'object' || node[p] === null) node[p] = {};
		node = node[p] as Record<string, unknown>;
	}
	node[parts.at(-1)!] = value;
}

/** A value for `field|mods: value`; fieldref values name another field, set alongside. */
function fieldValue(key: string, value: unknown, record: Record<string, unknown>): unknown {
	const [, ...mods] = key.split('|');
	const values = Array.isArray(value) ? value : [value];
	if (values[0] === null) return undefined;
	if (mods.includes('fieldref')) {
		setPath(record, String(values[0]), 'mfatrail-referenced-value');
		return 'mfatrail-referenced-value';
	}
	const texts = (mods.includes('all') ? values : [values[0]]).map(v => {
		if (typeof v !== 'string') return v;
		if (mods.includes('re')) return sampleOfRegex(v);
		return sampleOf(v);
	});
	if (texts.length === 1 && typeof texts[0] !== 'string') return texts[0];
	const joined = texts.join(' ');
	if (mods.includes('contains')) return `before ${joined} after`;
	if (mods.includes('startswith')) return `${joined} after`;
	if (mods.includes('endswith')) return `before ${joined}`;
	return joined;
}

function apply(record: Record<string, unknown>, selection: Selection): void {
	const map = Array.isArray(selection) ? selection[0]! : selection;
	for (const [key, value] of Object.entries(map)) {
		const v = fieldValue(key, value, record);
		if (v !== undefined) setPath(record, key.split('|')[0]!, v);
	}
}

export interface Generated {
	matching: Record<string, unknown>;
	/** Each with what was changed, for the failure message. */
	nonMatching: {why: string; record: Record<string, unknown>}[];
}

export function recordsFor(rule: RuleText): Generated {
	const list = terms(rule);
	const matching: Record<string, unknown> = {};
	for (const t of list.filter(t => !t.negated)) {
		if (t.any) apply(matching, t.selections[0]!);
		else for (const s of t.selections) apply(matching, s);
	}
	const nonMatching: Generated['nonMatching'] = [];
	// A required value changed: the first field of the first required selection.
	const first = list.find(t => !t.negated)!;
	const firstMap = Array.isArray(first.selections[0]) ? first.selections[0][0]! : first.selections[0]!;
	const [firstKey, firstValue] = Object.entries(firstMap).find(([, v]) => v !== null)!;
	const changed = structuredClone(matching);
	setPath(changed, firstKey.split('|')[0]!, 'mfatrail-nonmatching-value');
	nonMatching.push({why: `${firstKey} changed from ${JSON.stringify(firstValue)}`, record: changed});
	// The fields of each negated selection added.
	for (const t of list.filter(t => t.negated)) {
		const withFilter = structuredClone(matching);
		apply(withFilter, t.selections[0]!);
		nonMatching.push({why: `negated selection ${JSON.stringify(t.selections[0])} satisfied`, record: withFilter});
	}
	return {matching, nonMatching};
}
