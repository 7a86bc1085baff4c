import Fuse from 'fuse.js';
import type {CaseFile} from '../db/open.js';
import {pivotShape, type PivotHit} from '../db/pivots.js';

export interface SearchHit {
	kind: 'principal' | 'device';
	/** ARN for principals, serial for devices. */
	id: string;
	/** Devices: the incarnation (device.id). */
	deviceId?: number;
	label: string;
	/** 0 is best. Exact matches score 0, substrings below 0.3, fuzzy matches from 0.3. */
	score: number;
	accountId: string | null;
	/** One short fact: the device state, or the principal's last sign-in. */
	fact: string | null;
	/** Matched ranges in label, [start, end] inclusive (fuse.js convention). */
	matches: [number, number][];
}

export type SearchKind = 'principal' | 'device';

/** The single characters SearchIndex.warm answers ahead: what a first keystroke usually is. */
const warmCharacters = [...'abcdefghijklmnopqrstuvwxyz0123456789'];

/** Scores from here up are fuzzy matches; below it, exact and substring matches (substringScore). */
export const fuzzyFloor = 0.3;

/**
 * One list in rank order. Text shaped like a key, IP or eventID lists those values first. Free
 * text lists the principals and devices it names exactly or as a substring (score below 0.3)
 * first, then the user agents and named sources holding it, then fuzzy name matches: `root`
 * finds the root principals before an `aws-cli/… sts.assume-root` agent.
 */
export function ranked(query: string, hits: SearchHit[], pivots: PivotHit[]): {hit?: SearchHit; pivot?: PivotHit}[] {
	const names = hits.map(hit => ({hit}));
	const values = pivots.map(pivot => ({pivot}));
	if (pivotShape(query.replace(/^\s*(user|principal|device|serial):/i, '')) !== 'text') return [...values, ...names];
	const strong = hits.filter(h => h.score < fuzzyFloor).map(hit => ({hit}));
	const fuzzy = hits.filter(h => h.score >= fuzzyFloor).map(hit => ({hit}));
	return [...strong, ...values, ...fuzzy];
}

/** fuse.js's bitap patterns are limited to 32 characters; longer text is matched exactly or as a substring. */
const fuzzyLimit = 32;
/**
 * Fuzzy matches rank below every substring match, so they are looked for only when the substring
 * matches are fewer than this (more than fill a screen): fuse.js over its candidates costs tens of
 * milliseconds at 100k entries, and a query matching hundreds of names exactly has no use for them.
 */
const fuzzyBelow = 50;
/** At most this many entries go to fuse.js per query. */
const fuzzyCandidates = 400;
/** Rows read per step of an incremental build (one small query each, so the explorer stays responsive). */
const buildChunk = 4000;

const principalKind = 0;
const deviceKind = 1;
const kindCode = (kind: SearchKind | undefined) => (kind === 'principal' ? principalKind : kind === 'device' ? deviceKind : -1);

/**
 * The entries, one column per field (parallel arrays): a scan over 100k entries per keystroke
 * touches only the lower-cased strings it compares, and nothing is allocated per entry.
 */
class Columns {
	kind: number[] = [];
	id: string[] = [];
	label: string[] = [];
	lowerLabel: string[] = [];
	lowerId: string[] = [];
	/** Which letters the label holds (see letterMask). */
	letters: number[] = [];
	/** device.id of a device entry; 0 for principals. */
	deviceId: number[] = [];
	accountId: (string | null)[] = [];
	fact: (string | null)[] = [];
	/** Label bigram → the entries whose label holds it, in entry order (for the fuzzy prefilter). */
	grams = new Map<number, number[]>();

	add(kind: number, id: string, label: string, accountId: string | null, fact: string | null, deviceId: number): void {
		const i = this.id.length;
		const lowerLabel = label.toLowerCase();
		this.kind.push(kind);
		this.id.push(id);
		this.label.push(label);
		this.lowerLabel.push(lowerLabel);
		this.lowerId.push(id.toLowerCase());
		this.letters.push(letterMask(lowerLabel));
		this.deviceId.push(deviceId);
		this.accountId.push(accountId);
		this.fact.push(fact);
		for (let c = 0; c + 1 < lowerLabel.length; c++) {
			const key = gramKey(lowerLabel, c);
			let list = this.grams.get(key);
			if (!list) this.grams.set(key, (list = []));
			// Entries arrive in order: one posting per entry however often the label repeats the pair.
			if (list[list.length - 1] !== i) list.push(i);
		}
	}
}

/** A row of searchOnce's queries: kind, row id, id, label, account, (last sign-in | state), type, incarnation. */
type OnceRow = [k: number, rid: number, id: string, label: string, accountId: string | null, a: string | null, b: string | null, incarnation: number | null];
type PrincipalRow = [id: number, arn: string, name: string | null, accountId: string | null, lastSignIn: string | null, type: string];
type DeviceRow = [id: number, serial: string, incarnation: number, name: string | null, state: string, accountId: string | null];

/**
 * Reads principals and then devices in keyset-paged chunks. Each chunk is a complete query, so
 * the connection is free between steps (the explorer can query it while the index builds).
 */
export class SearchIndexBuilder {
	private readonly columns = new Columns();
	private table: 'principal' | 'device' | 'done' = 'principal';
	private after = -1;
	private readonly principals;
	private readonly devices;
	private readonly total: number;

	constructor(db: CaseFile) {
		// An Identity Center user is labelled by the name it signs in with; its id stays in the ARN beside it.
		this.principals = db.prepare(`SELECT id, arn, coalesce(display_name, name), account_id, last_sign_in, type FROM principal WHERE id > ? ORDER BY id LIMIT ${buildChunk}`).raw();
		this.devices = db.prepare(`SELECT id, serial_number, incarnation, name, state, account_id FROM device WHERE id > ? ORDER BY id LIMIT ${buildChunk}`).raw();
		this.total = (db.prepare(`SELECT (SELECT count(*) FROM principal) + (SELECT count(*) FROM device)`).pluck().get() as number) || 0;
	}

	/** Share of the rows read, 0..1. */
	get progress(): number {
		return this.table === 'done' || this.total === 0 ? 1 : Math.min(1, this.columns.id.length / this.total);
	}

	/** Reads one chunk; true when every row is in. */
	step(): boolean {
		if (this.table === 'principal') {
			const rows = this.principals.all(this.after) as PrincipalRow[];
			for (const [, arn, name, accountId, lastSignIn, type] of rows) {
				this.columns.add(principalKind, arn, name ?? arn, accountId, lastSignIn ? `signed in ${lastSignIn.slice(0, 16).replace('T', ' ')}` : type, 0);
			}
			if (rows.length < buildChunk) [this.table, this.after] = ['device', -1];
			else this.after = rows[rows.length - 1][0];
		} else if (this.table === 'device') {
			const rows = this.devices.all(this.after) as DeviceRow[];
			for (const [id, serial, incarnation, name, state, accountId] of rows) {
				this.columns.add(deviceKind, serial, name || serial, accountId, incarnation > 1 ? `${state} (#${incarnation})` : state, id);
			}
			if (rows.length < buildChunk) this.table = 'done';
			else this.after = rows[rows.length - 1][0];
		}
		return this.table === 'done';
	}

	/** The index over what has been read (everything, once step() returned true). */
	finish(): SearchIndex {
		while (!this.step());
		return new SearchIndex(this.columns);
	}
}

/**
 * Search over principals (name, ARN) and devices (name, serial), built once per case file.
 * Exact and substring matches are found by a plain scan first (the only way to find a pasted full
 * ARN); fuse.js adds fuzzy matches only when those are too few. Typing extends the query, and an
 * extended query can only match entries the shorter one matched, so each keystroke after the
 * first scans the previous query's matches only.
 */
export class SearchIndex {
	private readonly c: Columns;
	/** The last query's substring matches, for narrowing the next one. */
	private last: {lower: string; kind: number; matched: Int32Array} | undefined;
	/** Per-entry counters for the fuzzy prefilter, reused across queries. */
	private shared: Uint8Array | undefined;
	/** Single-character queries answered ahead (warm): the first keystroke scans every entry. */
	private readonly first = new Map<string, {hits: SearchHit[]; matched: Int32Array}>();
	private warmed = 0;

	/** Use SearchIndex.build or SearchIndexBuilder. */
	constructor(columns: Columns) {
		this.c = columns;
	}

	static build(db: CaseFile): SearchIndex {
		return new SearchIndexBuilder(db).finish();
	}

	/**
	 * One search without building the index (`mfatrail search`): reading 100k principals and devices
	 * into memory costs most of a second, while SQLite can pick the few rows a search can return.
	 * It reads the best `limit` substring matches (scored as substringScore does) and, when those
	 * are too few, every label alone, from which fuzzyPicks takes the fuzzy candidates as the index
	 * does, and runs the same search over just those: the answer is the one the full index gives.
	 * SQLite's lower() knows ASCII only, so other text takes the full index.
	 */
	static searchOnce(db: CaseFile, text: string, options: {limit?: number; kind?: SearchKind} = {}): SearchHit[] {
		const query = text.trim();
		if (query === '') return [];
		if (/[^\x20-\x7e]/.test(query)) return SearchIndex.build(db).search(text, options);
		const lower = query.toLowerCase();
		const limit = Math.max(1, options.limit ?? 20);
		const kind = kindCode(options.kind);
		const kindFilter = kind < 0 ? '' : `AND k = ${kind}`;
		const entries = `(SELECT 0 AS k, id AS rid, arn AS id, coalesce(display_name, name, arn) AS label, account_id, last_sign_in AS a, type AS b, NULL AS inc FROM principal
			UNION ALL SELECT 1, id, serial_number, coalesce(nullif(name, ''), serial_number), account_id, state, NULL, incarnation FROM device)`;
		const score = `CASE WHEN lower(id) = :q THEN 0 WHEN lower(label) = :q THEN 0.01
			WHEN instr(lower(label), :q) = 1 THEN 0.05 + 0.1 * (1 - :n * 1.0 / length(label))
			WHEN instr(lower(label), :q) > 1 THEN 0.1 + 0.1 * (1 - :n * 1.0 / length(label))
			WHEN instr(lower(id), :q) > 0 THEN 0.25 END`;
		// LIKE (ASCII case-insensitive) picks the substring matches cheaply. A query of three or more
		// characters matches few entries: they are scored below like every other candidate. A shorter
		// one can match most of the case file, so SQLite scores and cuts it to the best `limit`.
		const like = `%${lower.replace(/[\\%_]/g, c => `\\${c}`)}%`;
		const matching = `${entries} WHERE (label LIKE :like ESCAPE '\\' OR id LIKE :like ESCAPE '\\') ${kindFilter}`;
		const rows = (
			lower.length >= 3
				? db.prepare(`SELECT * FROM ${matching}`).raw().all({like})
				: db
						.prepare(`SELECT * FROM (SELECT *, ${score} AS score FROM ${matching}) WHERE score IS NOT NULL ORDER BY score, label, id, rid LIMIT :limit`)
						.raw()
						.all({q: lower, n: lower.length, limit, like})
		) as OnceRow[];
		if (rows.length < Math.min(limit, fuzzyBelow) && query.length >= 2 && query.length <= fuzzyLimit) {
			// The fuzzy pass's candidates, picked as the full index picks them (fuzzyPicks) from every
			// label read once (a scan in SQL, piece by piece, took about 0.35 s at 130k labels).
			const labels = [
				...(kind === deviceKind ? [] : [`SELECT 0, id, coalesce(display_name, name, arn) FROM principal ORDER BY id`]),
				...(kind === principalKind ? [] : [`SELECT 1, id, coalesce(nullif(name, ''), serial_number) FROM device ORDER BY id`]),
			].flatMap(sql => db.prepare(sql).raw().all() as [k: number, rid: number, label: string][]);
			const pieces = [...new Set(Array.from({length: lower.length - 1}, (_, i) => lower.slice(i, i + 2)))];
			const shared = new Uint8Array(labels.length);
			const letters = new Int32Array(labels.length);
			labels.forEach(([, , label], i) => {
				const lowerLabel = label.toLowerCase();
				for (const piece of pieces) if (lowerLabel.includes(piece)) shared[i]++;
				letters[i] = letterMask(lowerLabel);
			});
			const picks = fuzzyPicks(lower, pieces.length, shared, letters, () => true);
			const byKind = [0, 1].map(k => JSON.stringify(picks.filter(i => labels[i][0] === k).map(i => labels[i][1])));
			rows.push(...(db.prepare(`SELECT * FROM ${entries} WHERE (k = 0 AND rid IN (SELECT value FROM json_each(?))) OR (k = 1 AND rid IN (SELECT value FROM json_each(?)))`).raw().all(...byKind) as OnceRow[]));
		}
		// Entry order (principals, then devices, by id) keeps ties where the full index has them.
		rows.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
		const columns = new Columns();
		let previous: OnceRow | undefined;
		for (const row of rows) {
			if (previous && previous[0] === row[0] && previous[1] === row[1]) continue;
			previous = row;
			const [k, rid, id, label, accountId, a, b, incarnation] = row;
			if (k === principalKind) columns.add(principalKind, id, label, accountId, a ? `signed in ${a.slice(0, 16).replace('T', ' ')}` : b, 0);
			else columns.add(deviceKind, id, label, accountId, incarnation! > 1 ? `${a} (#${incarnation})` : a, rid);
		}
		return new SearchIndex(columns).search(text, {limit, kind: options.kind});
	}

	get size(): number {
		return this.c.id.length;
	}

	/**
	 * Answers one single-character query ahead of time (letters and digits, as the explorer asks
	 * them: `limit`, every kind), so the first keystroke costs a lookup, not a scan of every entry.
	 * Meant for idle slices after the index is built; true when all are done.
	 */
	warm(limit: number): boolean {
		const c = warmCharacters[this.warmed];
		if (c === undefined) return true;
		this.warmed++;
		const hits = this.search(c, {limit});
		this.first.set(`${c}:${limit}`, {hits, matched: this.last!.matched});
		return this.warmed >= warmCharacters.length;
	}

	search(text: string, options: {limit?: number; kind?: SearchKind} = {}): SearchHit[] {
		const query = text.trim();
		if (query === '') return [];
		const limit = Math.max(1, options.limit ?? 20);
		const lower = query.toLowerCase();
		const kind = kindCode(options.kind);
		const ready = kind < 0 ? this.first.get(`${lower}:${limit}`) : undefined;
		if (ready) {
			this.last = {lower, kind, matched: ready.matched};
			return ready.hits.map(h => ({...h, matches: h.matches.map(m => [...m] as [number, number])}));
		}
		const {lowerId, lowerLabel} = this.c;
		const top = new TopK(limit, (i, j) => this.tieBreak(i, j));
		const matched: number[] = [];
		const visit = (i: number) => {
			const score = substringScore(lowerLabel[i], lowerId[i], lower);
			if (score < 0) return;
			matched.push(i);
			top.offer(i, score);
		};
		const previous = this.last && this.last.kind === kind && lower.includes(this.last.lower) ? this.last.matched : undefined;
		if (previous) for (const i of previous) visit(i);
		else {
			const kinds = this.c.kind;
			for (let i = 0; i < lowerId.length; i++) if (kind < 0 || kinds[i] === kind) visit(i);
		}
		this.last = {lower, kind, matched: Int32Array.from(matched)};
		if (matched.length < Math.min(limit, fuzzyBelow) && query.length >= 2 && query.length <= fuzzyLimit) {
			// Every substring match is kept (fewer than limit) and scores below 0.3: a fuzzy hit on
			// the same entry would rank lower, so it is left out.
			const found = new Set(matched);
			for (const r of this.fuzzy(lower, kind, limit)) {
				if (found.has(r.item.i)) continue;
				top.offer(r.item.i, fuzzyFloor + 0.7 * (r.score ?? 1), (r.matches ?? []).flatMap(m => m.indices.map(([s, e]) => [s, e] as [number, number])));
			}
		}
		return top.sorted().map(({i, score, matches}) => this.hit(i, score, matches ?? substringRanges(this.c.label[i], this.c.id[i], lowerLabel[i], lowerId[i], lower)));
	}

	private hit(i: number, score: number, matches: [number, number][]): SearchHit {
		const c = this.c;
		return {
			kind: c.kind[i] === deviceKind ? 'device' : 'principal',
			id: c.id[i],
			...(c.kind[i] === deviceKind ? {deviceId: c.deviceId[i]} : {}),
			label: c.label[i],
			score,
			accountId: c.accountId[i],
			fact: c.fact[i],
			matches,
		};
	}

	/** Equal scores: by label, then id, then incarnation (device.id): a total order, so every way of searching agrees. */
	private tieBreak(i: number, j: number): number {
		const a = this.c.label[i];
		const b = this.c.label[j];
		if (a !== b) return a < b ? -1 : 1;
		const x = this.c.id[i];
		const y = this.c.id[j];
		if (x !== y) return x < y ? -1 : 1;
		return this.c.deviceId[i] - this.c.deviceId[j];
	}

	/**
	 * fuse.js over every entry costs far more than a keystroke allows at 100k entries, so it runs
	 * only over the few hundred entries sharing most two-letter pieces with the query (a typo
	 * keeps most of them), and over names only: ARNs and serials are matched exactly above. The
	 * pieces are counted from the bigram postings, so only entries holding one are touched.
	 */
	private fuzzy(lower: string, kind: number, limit: number) {
		const c = this.c;
		const n = c.id.length;
		const shared = this.shared && this.shared.length === n ? this.shared : (this.shared = new Uint8Array(n));
		shared.fill(0);
		const keys = new Set<number>();
		for (let g = 0; g + 1 < lower.length; g++) keys.add(gramKey(lower, g));
		for (const key of keys) for (const i of c.grams.get(key) ?? []) shared[i]++;
		const candidates = fuzzyPicks(lower, keys.size, shared, c.letters, i => kind < 0 || c.kind[i] === kind).map(i => ({label: c.label[i], i}));
		if (candidates.length === 0) return [];
		const fuse = new Fuse(candidates, {
			keys: ['label'],
			includeScore: true,
			includeMatches: true,
			ignoreLocation: true,
			threshold: 0.45,
			minMatchCharLength: 2,
		});
		return fuse.search(lower, {limit: limit * 3});
	}
}

/**
 * Which entries the fuzzy pass gives fuse.js (the index and `mfatrail search` alike): those
 * holding at least a third of the query's two-letter pieces, or all its letters but one (a swapped
 * pair breaks the pieces but keeps the letters), the best fuzzyCandidates of them by pieces×2 +
 * letters, in entry order within a rank. shared[i]: how many of the query's `pieces` entry i's
 * label holds; letters[i]: its letterMask. Taken through a histogram of those small numbers
 * instead of sorting up to every entry.
 */
function fuzzyPicks(lower: string, pieces: number, shared: Uint8Array, letters: ArrayLike<number>, include: (i: number) => boolean): number[] {
	const n = shared.length;
	const queryLetters = letterMask(lower);
	const letterCount = bitCount(queryLetters);
	const need = Math.max(1, Math.ceil(pieces / 3));
	const rank = new Uint8Array(n);
	const histogram = new Uint32Array(256);
	for (let i = 0; i < n; i++) {
		if (!include(i)) continue;
		const lettered = bitCount(letters[i] & queryLetters);
		if (shared[i] >= need || lettered >= letterCount - 1) {
			const r = Math.min(255, 1 + shared[i] * 2 + lettered);
			rank[i] = r;
			histogram[r]++;
		}
	}
	let cut = 255;
	for (let kept = 0; cut > 0 && kept + histogram[cut] < fuzzyCandidates; cut--) kept += histogram[cut];
	const picks: number[] = [];
	const atCut: number[] = [];
	for (let i = 0; i < n; i++) {
		if (rank[i] > cut) picks.push(i);
		else if (rank[i] === cut && cut > 0) atCut.push(i);
	}
	return [...picks, ...atCut.slice(0, fuzzyCandidates - picks.length)];
}

/** Exact id 0, exact label 0.01, label substring 0.05–0.2 (earlier and fuller is better), id substring 0.25; -1 when no match. */
function substringScore(lowerLabel: string, lowerId: string, lower: string): number {
	if (lowerId === lower) return 0;
	if (lowerLabel === lower) return 0.01;
	const at = lowerLabel.indexOf(lower);
	if (at >= 0) return (at === 0 ? 0.05 : 0.1) + 0.1 * (1 - lower.length / lowerLabel.length);
	return lowerId.includes(lower) ? 0.25 : -1;
}

/** The label ranges a substring match marks (only the kept hits need them). */
function substringRanges(label: string, id: string, lowerLabel: string, lowerId: string, lower: string): [number, number][] {
	if (lowerId === lower) return label === id ? [[0, label.length - 1]] : [];
	if (lowerLabel === lower) return [[0, label.length - 1]];
	const at = lowerLabel.indexOf(lower);
	return at >= 0 ? [[at, at + lower.length - 1]] : [];
}

/**
 * The best `limit` of a stream of (entry, score): a heap with the worst kept entry on top, so a
 * one-letter query matching every entry costs one comparison for most of them.
 */
class TopK {
	private readonly items: {i: number; score: number; matches?: [number, number][]}[] = [];

	constructor(
		private readonly limit: number,
		private readonly tieBreak: (i: number, j: number) => number,
	) {}

	/** Negative when a ranks before b. */
	private compare(a: {i: number; score: number}, b: {i: number; score: number}): number {
		return a.score !== b.score ? a.score - b.score : this.tieBreak(a.i, b.i);
	}

	offer(i: number, score: number, matches?: [number, number][]): void {
		const items = this.items;
		const item = {i, score, matches};
		if (items.length < this.limit) {
			items.push(item);
			let at = items.length - 1;
			while (at > 0) {
				const parent = (at - 1) >> 1;
				if (this.compare(items[parent], item) >= 0) break;
				items[at] = items[parent];
				at = parent;
			}
			items[at] = item;
			return;
		}
		if (this.compare(item, items[0]) >= 0) return;
		let at = 0;
		for (;;) {
			const left = 2 * at + 1;
			if (left >= items.length) break;
			const right = left + 1;
			const worse = right < items.length && this.compare(items[right], items[left]) > 0 ? right : left;
			if (this.compare(items[worse], item) <= 0) break;
			items[at] = items[worse];
			at = worse;
		}
		items[at] = item;
	}

	sorted() {
		return [...this.items].sort((a, b) => this.compare(a, b));
	}
}

/** Two adjacent UTF-16 units as one number. */
function gramKey(text: string, at: number): number {
	return text.charCodeAt(at) * 65536 + text.charCodeAt(at + 1);
}

/** One bit per letter a-z, one for any digit, one for anything else: a cheap 'shares letters' test. */
function letterMask(lower: string): number {
	let mask = 0;
	for (let i = 0; i < lower.length; i++) {
		const c = lower.charCodeAt(i);
		mask |= c >= 97 && c <= 122 ? 1 << (c - 97) : c >= 48 && c <= 57 ? 1 << 26 : 1 << 27;
	}
	return mask;
}

function bitCount(n: number): number {
	let count = 0;
	for (let v = n; v !== 0; v &= v - 1) count++;
	return count;
}
