import Fuse from 'fuse.js';
import type {CaseFile} from '../db/open.js';

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

interface Entry {
	kind: 'principal' | 'device';
	id: string;
	deviceId?: number;
	label: string;
	accountId: string | null;
	fact: string | null;
	lowerLabel: string;
	lowerId: string;
	/** Which letters the label holds (see letterMask). */
	letters: number;
}

/** fuse.js's bitap patterns are limited to 32 characters; longer text is matched exactly or as a substring. */
const fuzzyLimit = 32;
/** At most this many entries go to fuse.js per query. */
const fuzzyCandidates = 400;

/**
 * Search over principals (name, ARN) and devices (name, serial), built once per case file.
 * Exact and substring matches are found by a plain scan first (cheap over 100k entries, and the
 * only way to find a pasted full ARN); fuse.js adds fuzzy matches only when those are too few.
 */
export class SearchIndex {
	private readonly entries: Entry[];

	private constructor(entries: Entry[]) {
		this.entries = entries;
	}

	static build(db: CaseFile): SearchIndex {
		const entries: Entry[] = [];
		const principals = db.prepare(`SELECT arn, name, account_id AS accountId, last_sign_in AS lastSignIn, type FROM principal`).all() as {
			arn: string;
			name: string | null;
			accountId: string | null;
			lastSignIn: string | null;
			type: string;
		}[];
		for (const p of principals) {
			const label = p.name ?? p.arn;
			entries.push(entry('principal', p.arn, label, p.accountId, p.lastSignIn ? `signed in ${p.lastSignIn.slice(0, 16).replace('T', ' ')}` : p.type));
		}
		const devices = db.prepare(`SELECT id, serial_number AS serial, incarnation, name, state, account_id AS accountId FROM device`).all() as {
			id: number;
			serial: string;
			incarnation: number;
			name: string | null;
			state: string;
			accountId: string | null;
		}[];
		for (const d of devices) {
			const fact = d.incarnation > 1 ? `${d.state} (#${d.incarnation})` : d.state;
			entries.push({...entry('device', d.serial, d.name || d.serial, d.accountId, fact), deviceId: d.id});
		}
		return new SearchIndex(entries);
	}

	get size(): number {
		return this.entries.length;
	}

	search(text: string, options: {limit?: number; kind?: 'principal' | 'device'} = {}): SearchHit[] {
		const query = text.trim();
		if (query === '') return [];
		const limit = options.limit ?? 20;
		const lower = query.toLowerCase();
		// Only the best `limit` are kept while scanning: a one-letter query matches everything, and
		// sorting 100k hits per keystroke would cost more than the scan.
		const top: {entry: Entry; score: number; matches: [number, number][]}[] = [];
		let found = 0;
		const add = (entry: Entry, score: number, matches: [number, number][]) => {
			found++;
			const existing = top.findIndex(t => t.entry === entry);
			if (existing >= 0) {
				if (top[existing].score <= score) return;
				top.splice(existing, 1);
			}
			if (top.length === limit && !before(score, entry, top[limit - 1])) return;
			let at = top.length;
			while (at > 0 && before(score, entry, top[at - 1])) at--;
			top.splice(at, 0, {entry, score, matches});
			if (top.length > limit) top.pop();
		};
		for (const e of this.entries) {
			if (options.kind && e.kind !== options.kind) continue;
			if (e.lowerId === lower) add(e, 0, e.label === e.id ? [[0, e.label.length - 1]] : []);
			else if (e.lowerLabel === lower) add(e, 0.01, [[0, e.label.length - 1]]);
			else {
				const at = e.lowerLabel.indexOf(lower);
				if (at >= 0) add(e, (at === 0 ? 0.05 : 0.1) + 0.1 * (1 - lower.length / e.lowerLabel.length), [[at, at + lower.length - 1]]);
				else if (e.lowerId.includes(lower)) add(e, 0.25, []);
			}
		}
		if (found < limit && query.length >= 2 && query.length <= fuzzyLimit) {
			for (const r of this.fuzzy(lower, options.kind, limit)) {
				const ranges = (r.matches ?? []).flatMap(m => m.indices.map(([s, e]) => [s, e] as [number, number]));
				add(r.item, 0.3 + 0.7 * (r.score ?? 1), ranges);
			}
		}
		return top.map(({entry: e, score, matches}) => ({
			kind: e.kind,
			id: e.id,
			...(e.deviceId !== undefined ? {deviceId: e.deviceId} : {}),
			label: e.label,
			score,
			accountId: e.accountId,
			fact: e.fact,
			matches,
		}));
	}

	/**
	 * fuse.js over every entry costs far more than a keystroke allows at 100k entries, so it runs
	 * only over the few hundred entries sharing most two-letter pieces with the query (a typo
	 * keeps most of them), and over names only: ARNs and serials are matched exactly above.
	 */
	private fuzzy(lower: string, kind: Entry['kind'] | undefined, limit: number) {
		const grams = [...new Set(Array.from({length: lower.length - 1}, (_, i) => lower.slice(i, i + 2)))];
		const queryLetters = letterMask(lower);
		const letterCount = bitCount(queryLetters);
		const need = Math.max(1, Math.ceil(grams.length / 3));
		const scored: {entry: Entry; shared: number}[] = [];
		for (const e of this.entries) {
			if (kind && e.kind !== kind) continue;
			let grammed = 0;
			for (const g of grams) if (e.lowerLabel.includes(g)) grammed++;
			// A swapped pair of letters breaks the pieces but keeps the letters.
			const lettered = bitCount(e.letters & queryLetters);
			if (grammed >= need || lettered >= letterCount - 1) scored.push({entry: e, shared: grammed * 2 + lettered});
		}
		scored.sort((a, b) => b.shared - a.shared);
		const candidates = scored.slice(0, fuzzyCandidates).map(s => s.entry);
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

/** Does (score, entry) rank before the kept hit? Lower score first, then label, then id. */
function before(score: number, entry: Entry, than: {entry: Entry; score: number}): boolean {
	if (score !== than.score) return score < than.score;
	if (entry.label !== than.entry.label) return entry.label < than.entry.label;
	return entry.id < than.entry.id;
}

function entry(kind: Entry['kind'], id: string, label: string, accountId: string | null, fact: string | null): Entry {
	const lowerLabel = label.toLowerCase();
	return {kind, id, label, accountId, fact, lowerLabel, lowerId: id.toLowerCase(), letters: letterMask(lowerLabel)};
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
