/**
 * Sigma correlation rules (specification/sigma-correlation-rules-specification.md) evaluated over
 * the events their rules matched: event_count, value_count, temporal, temporal_ordered and the
 * value aggregations value_sum, value_avg, value_percentile and value_median, each per group-by
 * group (field name aliases resolved per rule) within a sliding timespan. Pure: events in,
 * matches out.
 */
import {fieldValues, Unsupported, valueTexts} from './detection.js';

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' | 'value_avg' | 'value_percentile' | 'value_median';
const types: CorrelationType[] = ['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile', 'value_median'];

type Op = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';
const ops: Op[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];

export interface CorrelationSpec {
	type: CorrelationType;
	/** Rule ids (names are resolved when the rule set is loaded). */
	rules: string[];
	groupBy: string[];
	timespanMs: number;
	/** Every criterion must hold (a range is two); temporal types default to "all rules seen". */
	condition: {op: Op; value: number}[];
	field: string | null;
	/** alias → rule name or id → the field in that rule's events. */
	aliases: Record<string, Record<string, string>>;
	/** Whether the referred rules also report on their own (default: only the correlation does). */
	generate: boolean;
}

/** A timespan: a number and s, m, h or d (the specification's format), as milliseconds. */
export function parseTimespan(value: unknown): number {
	const m = /^(\d+)([smhd])$/.exec(String(value ?? '').trim());
	if (!m) throw new Unsupported(`timespan ${JSON.stringify(value)} is not a number followed by s, m, h or d`);
	return Number(m[1]) * {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}[m[2] as 's' | 'm' | 'h' | 'd'];
}

export function parseCorrelation(body: unknown): CorrelationSpec {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Unsupported('correlation is not a map');
	const c = body as Record<string, unknown>;
	const type = c.type as CorrelationType;
	if (!types.includes(type)) throw new Unsupported(`correlation type ${JSON.stringify(c.type)} is not one the specification defines`);
	const rules = Array.isArray(c.rules) ? c.rules.map(String) : typeof c.rules === 'string' ? [c.rules] : [];
	if (rules.length === 0) throw new Unsupported('correlation without rules');
	const groupBy = Array.isArray(c['group-by']) ? c['group-by'].map(String) : typeof c['group-by'] === 'string' ? [c['group-by']] : [];
	const timespanMs = parseTimespan(c.timespan);
	const condition: CorrelationSpec['condition'] = [];
	let field: string | null = null;
	const raw = c.condition;
	if (raw !== undefined && raw !== null) {
		if (typeof raw !== 'object' || Array.isArray(raw)) throw new Unsupported('correlation condition is not a map');
		for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
			if (key === 'field') {
				if (Array.isArray(value)) {
					if (value.length !== 1) throw new Unsupported('correlation condition with several fields');
					field = String(value[0]);
				} else field = String(value);
			} else if (ops.includes(key as Op)) {
				const n = Number(value);
				if (!Number.isFinite(n)) throw new Unsupported(`correlation condition ${key}: ${JSON.stringify(value)} is not a number`);
				condition.push({op: key as Op, value: n});
			} else throw new Unsupported(`correlation condition '${key}' is not one the specification defines`);
		}
	}
	const temporal = type === 'temporal' || type === 'temporal_ordered';
	if (!temporal && condition.length === 0) throw new Unsupported(`${type} needs a condition`);
	if (['value_count', 'value_sum', 'value_avg', 'value_percentile', 'value_median'].includes(type) && !field) throw new Unsupported(`${type} needs a condition field`);
	const aliases: CorrelationSpec['aliases'] = {};
	if (c.aliases !== undefined) {
		if (c.aliases === null || typeof c.aliases !== 'object') throw new Unsupported('aliases is not a map');
		for (const [alias, byRule] of Object.entries(c.aliases as Record<string, unknown>)) {
			if (byRule === null || typeof byRule !== 'object') throw new Unsupported(`alias ${alias} is not a map of rule to field`);
			aliases[alias] = Object.fromEntries(Object.entries(byRule as Record<string, unknown>).map(([r, f]) => [r, String(f)]));
		}
	}
	return {type, rules, groupBy, timespanMs, condition, field, aliases, generate: c.generate === true};
}

/** An event one of the correlation's rules matched. */
export interface RuleEvent {
	/** The rule's id. */
	rule: string;
	/** Its name too, as aliases name rules by name. */
	ruleName?: string | null;
	time: number;
	eventId: string;
	record: unknown;
}

export interface CorrelationMatch {
	/** group-by field → value (null where the events lack it). */
	group: Record<string, string | null>;
	events: RuleEvent[];
	first: number;
	last: number;
	/** The value the condition judged in the first window of the match: a count, a sum, an average, a percentage. */
	value: number;
}

const holds = (condition: CorrelationSpec['condition'], n: number) =>
	condition.every(({op, value}) => (op === 'gt' ? n > value : op === 'gte' ? n >= value : op === 'lt' ? n < value : op === 'lte' ? n <= value : op === 'eq' ? n === value : n !== value));

/** A field of an event, through the aliases when the name is one. */
function fieldOf(spec: CorrelationSpec, event: RuleEvent, name: string): unknown[] {
	const alias = spec.aliases[name];
	const field = alias ? (alias[event.rule] ?? (event.ruleName ? alias[event.ruleName] : undefined)) : name;
	if (field === undefined) return [];
	return fieldValues(event.record, field).values;
}

const firstText = (values: unknown[]): string | null => valueTexts(values[0])[0] ?? null;

/**
 * The correlation over the events: per group, every window of the timespan that starts at an
 * event; windows that satisfy the condition and overlap merge into one match.
 */
export function correlate(spec: CorrelationSpec, events: RuleEvent[]): CorrelationMatch[] {
	const groups = new Map<string, {group: Record<string, string | null>; events: RuleEvent[]}>();
	for (const e of events) {
		if (!spec.rules.includes(e.rule)) continue;
		const group = Object.fromEntries(spec.groupBy.map(g => [g, firstText(fieldOf(spec, e, g))]));
		const key = JSON.stringify(spec.groupBy.map(g => group[g]));
		let entry = groups.get(key);
		if (!entry) groups.set(key, (entry = {group, events: []}));
		entry.events.push(e);
	}
	const out: CorrelationMatch[] = [];
	for (const {group, events: list} of groups.values()) {
		list.sort((a, b) => a.time - b.time || a.eventId.localeCompare(b.eventId));
		const windows: {from: number; to: number; events: RuleEvent[]; value: number}[] = [];
		let end = 0;
		for (let start = 0; start < list.length; start++) {
			const limit = list[start]!.time + spec.timespanMs;
			end = Math.max(end, start);
			while (end + 1 < list.length && list[end + 1]!.time <= limit) end++;
			const window = list.slice(start, end + 1);
			const judged = judge(spec, window);
			if (judged) windows.push({from: start, to: end, ...judged});
		}
		// Overlapping windows that match are one match, with the events that made them.
		for (const w of windows) {
			const last = out.at(-1);
			const lastEvents = last?.events;
			if (last && lastEvents && JSON.stringify(last.group) === JSON.stringify(group) && w.events[0]!.time <= last.last) {
				const seen = new Set(lastEvents.map(e => e.eventId));
				for (const e of w.events) if (!seen.has(e.eventId)) lastEvents.push(e);
				last.last = Math.max(last.last, w.events.at(-1)!.time);
			} else out.push({group, events: [...w.events], first: w.events[0]!.time, last: w.events.at(-1)!.time, value: w.value});
		}
	}
	return out;
}

const numbers = (spec: CorrelationSpec, window: RuleEvent[]) =>
	window.flatMap(e => fieldOf(spec, e, spec.field!).map(v => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN)).filter(Number.isFinite));

/** Whether a window (the events within the timespan of its first) satisfies the correlation; its evidence and value. */
function judge(spec: CorrelationSpec, window: RuleEvent[]): {events: RuleEvent[]; value: number} | undefined {
	switch (spec.type) {
		case 'event_count':
			return holds(spec.condition, window.length) ? {events: window, value: window.length} : undefined;
		case 'value_count': {
			const distinct = new Set(window.flatMap(e => fieldOf(spec, e, spec.field!).flatMap(v => valueTexts(v).slice(0, 1))));
			return holds(spec.condition, distinct.size) ? {events: window, value: distinct.size} : undefined;
		}
		case 'temporal': {
			const seen = new Set(window.map(e => e.rule));
			const ok = spec.condition.length > 0 ? holds(spec.condition, seen.size) : spec.rules.every(r => seen.has(r));
			return ok ? {events: window, value: seen.size} : undefined;
		}
		case 'temporal_ordered': {
			// The rules' events in the order given, the first at the window's start.
			const first = window[0]!;
			if (first.rule !== spec.rules[0]) return undefined;
			const chain = [first];
			let at = 1;
			for (const rule of spec.rules.slice(1)) {
				while (at < window.length && window[at]!.rule !== rule) at++;
				if (at >= window.length) break;
				chain.push(window[at++]!);
			}
			const ok = spec.condition.length > 0 ? holds(spec.condition, chain.length) : chain.length === spec.rules.length;
			return ok ? {events: chain, value: chain.length} : undefined;
		}
		case 'value_sum': {
			const sum = numbers(spec, window).reduce((a, b) => a + b, 0);
			return holds(spec.condition, sum) ? {events: window, value: sum} : undefined;
		}
		case 'value_avg': {
			const values = numbers(spec, window);
			if (values.length === 0) return undefined;
			const avg = values.reduce((a, b) => a + b, 0) / values.length;
			return holds(spec.condition, avg) ? {events: window, value: avg} : undefined;
		}
		case 'value_median': {
			const values = numbers(spec, window).sort((a, b) => a - b);
			if (values.length === 0) return undefined;
			const mid = values.length / 2;
			const median = values.length % 2 ? values[Math.floor(mid)]! : (values[mid - 1]! + values[mid]!) / 2;
			return holds(spec.condition, median) ? {events: window, value: median} : undefined;
		}
		case 'value_percentile': {
			// The share (in percent) of the window's events that carry a value: a value rare enough (or
			// common enough) matches, with the events that carry it.
			const byValue = new Map<string, RuleEvent[]>();
			for (const e of window) {
				const v = firstText(fieldOf(spec, e, spec.field!));
				if (v === null) continue;
				const list = byValue.get(v) ?? [];
				list.push(e);
				byValue.set(v, list);
			}
			for (const list of byValue.values()) {
				if (list[0] !== window[0]) continue; // judged once, in the window that starts at its first event
				const share = (100 * list.length) / window.length;
				if (holds(spec.condition, share)) return {events: list, value: share};
			}
			return undefined;
		}
	}
}
