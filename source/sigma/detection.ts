/**
 * A Sigma detection compiled to a predicate over one CloudTrail record (plain JSON), as the Sigma
 * specification defines it (test/fixtures/sigma/specification): selections as maps (AND) and lists
 * (OR), keywords, value modifiers, null and wildcards with their escapes, conditions. Matching is
 * case-insensitive unless `cased` (or `re`, which is case-sensitive unless `i`). Anything the
 * specification defines that this cannot evaluate throws Unsupported with the reason; nothing is
 * skipped silently.
 */
import {parseCidr} from '../db/pivots.js';

export class Unsupported extends Error {}

/** One record under evaluation; its leaf strings (for keywords) are computed once, on demand. */
export class SigmaEvent {
	private leafCache: string[] | undefined;
	constructor(readonly record: unknown) {}
	get leaves(): string[] {
		this.leafCache ??= leafStrings(this.record);
		return this.leafCache;
	}
}

export type Predicate = (event: SigmaEvent) => boolean;
/** A test on a field's text: what the candidate scan checks against the case file's dictionary. */
export type TextTest = (text: string) => boolean;
/** Fields the case file indexes by value (source/db/event-scan.ts), with what any match needs of them. */
export type Pins = Map<string, TextTest>;

export interface CompiledDetection {
	matches: Predicate;
	/** Necessary conditions on indexed fields (empty: every record is a candidate). */
	pins: Pins;
}

// ——— field values ———

/**
 * The values at a dotted path: objects are descended (where a part is missing, a key that itself
 * contains dots is tried, for flattened exports), arrays fanned out. found is false when the path is absent.
 */
export function fieldValues(record: unknown, path: string): {found: boolean; values: unknown[]} {
	const values: unknown[] = [];
	let found = false;
	const walk = (node: unknown, parts: string[], i: number) => {
		if (i === parts.length) {
			found = true;
			if (Array.isArray(node)) values.push(...node);
			else values.push(node);
			return;
		}
		if (Array.isArray(node)) {
			for (const item of node) walk(item, parts, i);
			return;
		}
		if (node === null || typeof node !== 'object') return;
		const object = node as Record<string, unknown>;
		if (Object.hasOwn(object, parts[i]!)) {
			walk(object[parts[i]!], parts, i + 1);
			return;
		}
		for (let k = parts.length; k > i + 1; k--) {
			const key = parts.slice(i, k).join('.');
			if (Object.hasOwn(object, key)) {
				walk(object[key], parts, k);
				return;
			}
		}
	};
	walk(record, path.split('.'), 0);
	return {found, values};
}

/** The texts a value is matched as: a scalar as its text; an object as its JSON and every leaf in it. */
export function valueTexts(value: unknown): string[] {
	if (value === null || value === undefined) return [];
	if (typeof value === 'string') return [value];
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return [String(value)];
	if (Array.isArray(value)) return value.flatMap(valueTexts);
	return [JSON.stringify(value), ...leafStrings(value)];
}

function leafStrings(value: unknown): string[] {
	const out: string[] = [];
	const walk = (v: unknown) => {
		if (v === null || v === undefined) return;
		if (typeof v === 'object') {
			for (const item of Array.isArray(v) ? v : Object.values(v as object)) walk(item);
		} else out.push(String(v));
	};
	walk(value);
	return out;
}

// ——— strings with wildcards ———

type Piece = {literal: string} | {any: true} | {one: true};

/** A Sigma string as literal runs and wildcards: `*` `?`; `\*` `\?` `\\` escape; any other `\` is itself. */
export function parseWildcards(text: string): Piece[] {
	const pieces: Piece[] = [];
	let literal = '';
	for (let i = 0; i < text.length; i++) {
		const c = text[i]!;
		if (c === '\\' && i + 1 < text.length && '*?\\'.includes(text[i + 1]!)) {
			literal += text[++i];
		} else if (c === '*' || c === '?') {
			if (literal) pieces.push({literal});
			literal = '';
			pieces.push(c === '*' ? {any: true} : {one: true});
		} else literal += c;
	}
	if (literal) pieces.push({literal});
	return pieces;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where the value must sit in the field's text. */
type Anchor = 'exact' | 'contains' | 'startswith' | 'endswith';

/** A test for one Sigma string value (wildcards honoured), fast paths for plain text. */
export function stringTest(pieces: Piece[], anchor: Anchor, cased: boolean): TextTest {
	const fold = (s: string) => (cased ? s : s.toLowerCase());
	if (pieces.every(p => 'literal' in p)) {
		const want = fold(pieces.map(p => (p as {literal: string}).literal).join(''));
		switch (anchor) {
			case 'exact':
				return s => fold(s) === want;
			case 'contains':
				return s => fold(s).includes(want);
			case 'startswith':
				return s => fold(s).startsWith(want);
			case 'endswith':
				return s => fold(s).endsWith(want);
		}
	}
	const body = pieces.map(p => ('literal' in p ? escapeRegExp(p.literal) : 'any' in p ? '[\\s\\S]*' : '[\\s\\S]')).join('');
	const source = `${anchor === 'exact' || anchor === 'startswith' ? '^' : ''}${body}${anchor === 'exact' || anchor === 'endswith' ? '$' : ''}`;
	const re = new RegExp(source, cased ? 'u' : 'iu');
	return s => re.test(s);
}

// ——— modifiers ———

const known = new Set([
	'contains', 'startswith', 'endswith', 'all', 're', 'i', 'm', 's', 'cidr', 'exists', 'cased', 'base64', 'base64offset',
	'windash', 'utf16le', 'utf16be', 'utf16', 'wide', 'lt', 'lte', 'gt', 'gte', 'neq', 'fieldref',
	'minute', 'hour', 'day', 'week', 'month', 'year', 'expand',
]);
const timeParts = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);
const numeric = new Set(['lt', 'lte', 'gt', 'gte']);

const dashes = ['-', '/', '\u2013', '\u2014', '\u2015'];

/** windash: every spelling of each dash the value has (capped: a value with many dashes is a bad rule). */
function windashVariants(value: string): string[] {
	let variants = [''];
	let count = 0;
	for (const c of value) {
		if (dashes.includes(c)) {
			if (++count > 6) throw new Unsupported('windash on a value with more than 6 dashes');
			variants = variants.flatMap(v => dashes.map(d => v + d));
		} else variants = variants.map(v => v + c);
	}
	return variants;
}

function encodeText(value: string, encoding: string | undefined): Buffer {
	switch (encoding) {
		case 'utf16le':
		case 'wide':
			return Buffer.from(value, 'utf16le');
		case 'utf16be':
			return Buffer.from(value, 'utf16le').swap16();
		case 'utf16':
			return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(value, 'utf16le')]);
		default:
			return Buffer.from(value, 'utf8');
	}
}

/** base64offset: the three encodings of a value at byte offsets 0, 1, 2 of a longer text, edges cut (as pySigma). */
function base64Offsets(bytes: Buffer): string[] {
	const start = [0, 2, 3];
	const end = [undefined, -3, -2];
	return [0, 1, 2].map(i => Buffer.concat([Buffer.alloc(i, ' '), bytes]).toString('base64').slice(start[i], end[(bytes.length + i) % 3]));
}

const literal = (s: string): Piece[] => [{literal: s}];

/** A field test from `field|mod…: value(s)`. */
export function compileField(key: string, raw: unknown): Predicate {
	const [field, ...mods] = key.split('|');
	for (const m of mods) if (!known.has(m)) throw new Unsupported(`unknown modifier '${m}' on ${field}`);
	if (mods.includes('expand')) throw new Unsupported(`modifier 'expand' on ${field}: placeholders need a processing pipeline`);
	const has = (m: string) => mods.includes(m);
	const values = Array.isArray(raw) ? raw : [raw];
	if (values.length === 0) throw new Unsupported(`empty value list for ${key}`);
	for (const v of values) {
		if (v !== null && typeof v === 'object') throw new Unsupported(`value of ${key} is a map or list inside a list`);
	}
	const read = (event: SigmaEvent) => (field === '' ? {found: true, values: event.leaves as unknown[]} : fieldValues(event.record, field!));

	if (has('exists')) {
		if (values.length !== 1 || typeof values[0] !== 'boolean') throw new Unsupported(`exists on ${field} needs true or false`);
		const want = values[0];
		return event => read(event).found === want;
	}

	const cased = has('cased');
	const anchor: Anchor = has('contains') ? 'contains' : has('startswith') ? 'startswith' : has('endswith') ? 'endswith' : 'exact';

	const tests: Predicate[] = values.map(value => {
		if (value === null) {
			if (mods.length > 0) throw new Unsupported(`null with modifiers on ${field}`);
			return event => {
				const r = read(event);
				return !r.found || r.values.every(v => v === null || v === undefined);
			};
		}
		if (has('fieldref')) {
			if (typeof value !== 'string') throw new Unsupported(`fieldref on ${field} needs a field name`);
			return event => {
				const refs = fieldValues(event.record, value).values.flatMap(valueTexts);
				const texts = read(event).values.flatMap(valueTexts);
				return refs.some(ref => {
					const test = stringTest(literal(ref), anchor, cased);
					return texts.some(test);
				});
			};
		}
		if (mods.some(m => numeric.has(m))) {
			const bound = Number(value);
			if (typeof value === 'boolean' || !Number.isFinite(bound)) throw new Unsupported(`numeric modifier on ${field} with a value that is not a number`);
			const op = mods.find(m => numeric.has(m))!;
			const compare = (n: number) => (op === 'lt' ? n < bound : op === 'lte' ? n <= bound : op === 'gt' ? n > bound : n >= bound);
			const part = mods.find(m => timeParts.has(m));
			return event =>
				read(event).values.some(v => {
					const n = part ? timePart(v, part) : typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
					return n !== undefined && Number.isFinite(n) && compare(n);
				});
		}
		const part = mods.find(m => timeParts.has(m));
		if (part) {
			const want = Number(value);
			return event => read(event).values.some(v => timePart(v, part) === want);
		}
		if (has('cidr')) {
			const range = parseCidr(String(value));
			if (!range) throw new Unsupported(`cidr on ${field}: ${JSON.stringify(value)} is not a CIDR range`);
			return event => read(event).values.flatMap(valueTexts).some(ip => range.contains(ip));
		}
		if (has('re')) {
			if (typeof value !== 'string') throw new Unsupported(`re on ${field} needs a string`);
			let re: RegExp;
			try {
				re = new RegExp(value, `${has('i') ? 'i' : ''}${has('m') ? 'm' : ''}${has('s') ? 's' : ''}`);
			} catch (error) {
				throw new Unsupported(`re on ${field}: ${(error as Error).message}`);
			}
			return event => read(event).values.flatMap(valueTexts).some(s => re.test(s));
		}
		// A string value, through its transformations in the order the specification lists them.
		let texts: {pieces: Piece[]}[];
		const text = typeof value === 'string' ? value : String(value);
		const encoding = mods.find(m => ['utf16le', 'utf16be', 'utf16', 'wide'].includes(m));
		const variants = has('windash') ? windashVariants(text) : [text];
		if (has('base64') || has('base64offset')) {
			texts = variants.flatMap(v => {
				const bytes = encodeText(v, encoding);
				return (has('base64offset') ? base64Offsets(bytes) : [bytes.toString('base64')]).map(b => ({pieces: literal(b)}));
			});
		} else if (encoding) {
			throw new Unsupported(`${encoding} on ${field} without base64: CloudTrail records are text`);
		} else texts = variants.map(v => ({pieces: parseWildcards(v)}));
		// Base64 text is case-sensitive by nature.
		const stringTests = texts.map(t => stringTest(t.pieces, anchor, cased || has('base64') || has('base64offset')));
		return event => read(event).values.flatMap(valueTexts).some(s => stringTests.some(test => test(s)));
	});

	if (has('neq')) return event => !tests.some(test => test(event));
	if (has('all')) {
		if (values.length < 2) throw new Unsupported(`'all' on ${field} with a single value`);
		return event => tests.every(test => test(event));
	}
	return tests.length === 1 ? tests[0]! : event => tests.some(test => test(event));
}

/** A date field's minute, hour, day (1–31), ISO week, month (1–12) or year, in UTC. */
function timePart(value: unknown, part: string): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const d = new Date(value);
	if (Number.isNaN(d.getTime())) return undefined;
	switch (part) {
		case 'minute':
			return d.getUTCMinutes();
		case 'hour':
			return d.getUTCHours();
		case 'day':
			return d.getUTCDate();
		case 'month':
			return d.getUTCMonth() + 1;
		case 'year':
			return d.getUTCFullYear();
		default: {
			// ISO week: the week (Monday first) holding the year's first Thursday is week 1.
			const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
			t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
			return Math.ceil(((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / 86_400_000 + 1) / 7);
		}
	}
}

/** The text-only test of a field entry, when the candidate scan can use it (no null, exists, numbers, references). */
function pinTest(key: string, raw: unknown): TextTest | undefined {
	const [, ...mods] = key.split('|');
	const allowed = new Set(['contains', 'startswith', 'endswith', 'cased', 'windash', 're', 'i', 'm', 's']);
	if (!mods.every(m => allowed.has(m))) return undefined;
	const values = Array.isArray(raw) ? raw : [raw];
	if (values.length === 0 || values.some(v => v === null || typeof v === 'object')) return undefined;
	const predicate = compileField(key, raw);
	const [field] = key.split('|');
	return text => predicate(new SigmaEvent(setPath(field!, text)));
}

function setPath(path: string, value: string): Record<string, unknown> {
	return {[path]: value};
}

// ——— searches and conditions ———

interface Search {
	matches: Predicate;
	pins: Pins;
}

const and = (a: Pins, b: Pins): Pins => {
	const out = new Map(a);
	for (const [field, test] of b) {
		const other = out.get(field);
		out.set(field, other ? s => other(s) && test(s) : test);
	}
	return out;
};
const or = (a: Pins, b: Pins): Pins => {
	const out: Pins = new Map();
	for (const [field, test] of a) {
		const other = b.get(field);
		if (other) out.set(field, s => test(s) || other(s));
	}
	return out;
};

function compileSearch(name: string, body: unknown, pinFields: ReadonlySet<string>): Search {
	if (body === null || body === undefined) throw new Unsupported(`search identifier '${name}' is empty`);
	if (Array.isArray(body)) {
		if (body.length === 0) throw new Unsupported(`search identifier '${name}' is an empty list`);
		if (body.every(item => item !== null && typeof item === 'object' && !Array.isArray(item))) {
			const maps = body.map(item => compileMap(name, item as Record<string, unknown>, pinFields));
			return {matches: event => maps.some(m => m.matches(event)), pins: maps.map(m => m.pins).reduce(or)};
		}
		if (body.every(item => item === null || typeof item !== 'object')) {
			return {matches: compileField('|contains', body), pins: new Map()};
		}
		throw new Unsupported(`search identifier '${name}' mixes maps and values`);
	}
	if (typeof body === 'object') return compileMap(name, body as Record<string, unknown>, pinFields);
	// A single keyword.
	return {matches: compileField('|contains', body), pins: new Map()};
}

function compileMap(name: string, map: Record<string, unknown>, pinFields: ReadonlySet<string>): Search {
	const entries = Object.entries(map);
	if (entries.length === 0) throw new Unsupported(`search identifier '${name}' is an empty map`);
	const tests: Predicate[] = [];
	let pins: Pins = new Map();
	for (const [key, value] of entries) {
		// '|all': [...] (and other modifiers on no field) are keywords.
		const keyword = key.startsWith('|');
		const k = keyword ? (key.split('|').includes('contains') ? key : `${key}|contains`) : key;
		if (value !== null && typeof value === 'object' && !Array.isArray(value)) throw new Unsupported(`value of ${key} in '${name}' is a map`);
		tests.push(compileField(k, value));
		const field = key.split('|')[0]!;
		if (!keyword && pinFields.has(field)) {
			const test = pinTest(key, value);
			if (test) pins = and(pins, new Map([[field, test]]));
		}
	}
	return {matches: event => tests.every(t => t(event)), pins};
}

type Token = {kind: 'and' | 'or' | 'not' | '(' | ')'} | {kind: 'of'; quantifier: '1' | 'all'; pattern: string} | {kind: 'id'; name: string};

function tokenize(condition: string): Token[] {
	const words = condition.replace(/\(/g, ' ( ').replace(/\)/g, ' ) ').trim().split(/\s+/).filter(Boolean);
	const tokens: Token[] = [];
	for (let i = 0; i < words.length; i++) {
		const w = words[i]!;
		const lower = w.toLowerCase();
		if (lower === 'and' || lower === 'or' || lower === 'not' || w === '(' || w === ')') tokens.push({kind: lower as 'and'});
		else if ((lower === '1' || lower === 'all' || lower === 'any') && words[i + 1]?.toLowerCase() === 'of') {
			const pattern = words[i + 2];
			if (!pattern || pattern === '(' || pattern === ')') throw new Unsupported(`condition '${condition}': '${w} of' without a pattern`);
			tokens.push({kind: 'of', quantifier: lower === 'all' ? 'all' : '1', pattern});
			i += 2;
		} else if (/^\d+$/.test(lower) && words[i + 1]?.toLowerCase() === 'of') {
			throw new Unsupported(`condition '${condition}': '${w} of' (only '1 of' and 'all of' are defined)`);
		} else if (w.includes('|')) {
			throw new Unsupported(`condition '${condition}': aggregation after '|' (Sigma 1.0 syntax; write a correlation rule)`);
		} else if (/^[\w*.-]+$/.test(w)) tokens.push({kind: 'id', name: w});
		else throw new Unsupported(`condition '${condition}': cannot read '${w}'`);
	}
	return tokens;
}

/** Parses a condition with the specification's precedence: or < and < not < x of < ( ). */
function parseCondition(condition: string, searches: Map<string, Search>): Search {
	const tokens = tokenize(condition);
	let at = 0;
	const peek = () => tokens[at];
	const fail = (what: string): never => {
		throw new Unsupported(`condition '${condition}': ${what}`);
	};
	const lookup = (pattern: string): Search[] => {
		const names = [...searches.keys()];
		if (pattern === 'them') return names.filter(n => !n.startsWith('_')).map(n => searches.get(n)!);
		const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
		const chosen = names.filter(n => re.test(n));
		if (chosen.length === 0) fail(`'${pattern}' names no search identifier`);
		return chosen.map(n => searches.get(n)!);
	};
	const parseOr = (): Search => {
		let left = parseAnd();
		while (peek()?.kind === 'or') {
			at++;
			const right = parseAnd();
			const [l, r] = [left, right];
			left = {matches: e => l.matches(e) || r.matches(e), pins: or(l.pins, r.pins)};
		}
		return left;
	};
	const parseAnd = (): Search => {
		let left = parseNot();
		while (peek()?.kind === 'and') {
			at++;
			const right = parseNot();
			const [l, r] = [left, right];
			left = {matches: e => l.matches(e) && r.matches(e), pins: and(l.pins, r.pins)};
		}
		return left;
	};
	const parseNot = (): Search => {
		if (peek()?.kind === 'not') {
			at++;
			const inner = parseNot();
			return {matches: e => !inner.matches(e), pins: new Map()};
		}
		return parseAtom();
	};
	const parseAtom = (): Search => {
		const t = tokens[at++];
		if (!t) return fail('ends too early');
		if (t.kind === '(') {
			const inner = parseOr();
			if (tokens[at++]?.kind !== ')') fail('unbalanced parentheses');
			return inner;
		}
		if (t.kind === 'of') {
			const list = lookup(t.pattern);
			if (t.quantifier === 'all') return {matches: e => list.every(s => s.matches(e)), pins: list.map(s => s.pins).reduce(and)};
			return {matches: e => list.some(s => s.matches(e)), pins: list.map(s => s.pins).reduce(or)};
		}
		if (t.kind === 'id') {
			const search = searches.get(t.name);
			if (!search) fail(`'${t.name}' is not a search identifier`);
			return search!;
		}
		return fail(`unexpected '${t.kind}'`);
	};
	const result = parseOr();
	if (at !== tokens.length) fail(`unexpected '${JSON.stringify(tokens[at])}'`);
	return result;
}

/** Compiles a rule's `detection` section. pinFields: the fields the candidate scan can look up by value. */
export function compileDetection(detection: unknown, pinFields: ReadonlySet<string> = new Set()): CompiledDetection {
	if (detection === null || typeof detection !== 'object' || Array.isArray(detection)) throw new Unsupported('detection is not a map');
	const {condition, timeframe, ...rest} = detection as Record<string, unknown>;
	if (timeframe !== undefined) throw new Unsupported('detection timeframe (Sigma 1.0 aggregation; write a correlation rule)');
	const searches = new Map<string, Search>();
	for (const [name, body] of Object.entries(rest)) searches.set(name, compileSearch(name, body, pinFields));
	const conditions = Array.isArray(condition) ? condition : [condition];
	if (conditions.length === 0 || conditions.some(c => typeof c !== 'string' || c.trim() === '')) throw new Unsupported('detection has no condition');
	const compiled = conditions.map(c => parseCondition(c as string, searches));
	// A list of conditions is their OR.
	const result = compiled.reduce((l, r) => ({matches: e => l.matches(e) || r.matches(e), pins: or(l.pins, r.pins)}));
	return {matches: result.matches, pins: result.pins};
}
