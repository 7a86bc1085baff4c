/**
 * Sigma rules over the case file (issue 19): each rule's matches become findings (rule
 * `sigma:<rule id>`), stored beside the built-in ones so `findings`, the explorer, triage and the
 * report show them. A detection rule's matches are one finding per principal, extended as more
 * arrive; a correlation's, one finding per group and span. Each finding's summary credits the
 * rule's author and file (the Detection Rule License asks a match to keep them) and says, for the
 * credentials behind its events, where each access key was minted and whether with MFA: the
 * pivot of db/pivots.ts (keyView), not a second definition of minting.
 */
import type {CaseFile} from '../db/open.js';
import {indexedFields, scanCandidates, type CandidateFilter} from '../db/event-scan.js';
import {keyView, type KeyView} from '../db/pivots.js';
import {SigmaEvent} from '../sigma/detection.js';
import {correlate, type RuleEvent} from '../sigma/correlation.js';
import {loadRules, type Level, type RuleSet, type SigmaRule, type UnsupportedRule} from '../sigma/rule.js';
import {maxEventIds} from './lib.js';
import {severityRank} from './registry.js';
import {packEventIds} from './stored-ids.js';
import type {KeyedFinding, Severity} from './types.js';

export const sigmaPrefix = 'sigma:';

/** The fields the candidate scan selects by: what rule loading compiles pins for. */
export const sigmaPinFields: ReadonlySet<string> = new Set(indexedFields.keys());

/** Reads rule files and folders with the candidate scan's pins. */
export function loadSigmaRules(paths: string[]): RuleSet {
	return loadRules(paths, sigmaPinFields);
}

/** Sigma's five levels on the four severities (critical and high are both high). */
const severityOf: Record<Level, Severity> = {critical: 'high', high: 'high', medium: 'medium', low: 'low', informational: 'info'};

/** The Detection Rule License (SigmaHQ's rules); a rule with its own `license` field names that instead. */
export const drlLink = 'https://github.com/SigmaHQ/Detection-Rule-License';

/** Access keys enriched per finding: the summary stays readable, and keyView runs a few queries per key. */
const keysPerFinding = 3;
/**
 * Distinct keys enriched per run, the most severe findings first: keyView reads up to 2,000 STS
 * records per key (about 5 ms), so this bounds a run over a million events to about a second of it.
 */
const keysPerRun = 200;

/** A matched event as a correlation's finding needs it. */
interface MatchedEvent {
	row: number;
	eventId: string;
	eventTime: string;
	principal: string | null;
	accessKeyId: string | null;
}

/**
 * A detection rule's matches for one principal, kept lean (a million matched events must not cost
 * an object each): eventIDs, times and access keys side by side.
 */
class Matches {
	readonly ids: string[] = [];
	readonly times: string[] = [];
	readonly keys: (string | null)[] = [];
	add(eventId: string, eventTime: string, accessKeyId: string | null): void {
		this.ids.push(eventId);
		this.times.push(eventTime);
		this.keys.push(accessKeyId);
	}
}

export interface RuleResult {
	rule: SigmaRule;
	/** Distinct events matched (for a correlation: the events of its matches). */
	events: number;
}

export interface SigmaRun {
	loaded: SigmaRule[];
	unsupported: UnsupportedRule[];
	results: RuleResult[];
	findings: KeyedFinding[];
	/** Records in the case, and those read (unpacked) to evaluate the rules. */
	scanned: {events: number; candidates: number};
	/** Records that are not JSON (not evaluated). */
	unreadable: number;
}

/** Evaluates the rules over the case file; stores nothing. */
export function evaluateSigma(db: CaseFile, set: RuleSet): SigmaRun {
	const detections = set.rules.filter(r => r.kind === 'detection');
	const correlations = set.rules.filter(r => r.kind === 'correlation');
	const referenced = new Set(correlations.flatMap(c => c.correlation.rules));
	const matched = new Map<string, Map<string | null, Matches>>(detections.map(r => [r.id, new Map()]));
	const referencedEvents = new Map<string, MatchedEvent>();
	const ruleEvents: RuleEvent[] = [];
	const filters: CandidateFilter[] = detections.map(r => r.detection.pins);
	let unreadable = 0;
	const scanned = scanCandidates(db, filters, (event, admitted) => {
		let record: unknown;
		try {
			record = JSON.parse(event.text);
		} catch {
			unreadable++;
			return;
		}
		const sigmaEvent = new SigmaEvent(record);
		for (const i of admitted) {
			const rule = detections[i]!;
			if (!rule.detection.matches(sigmaEvent)) continue;
			const byPrincipal = matched.get(rule.id)!;
			let matches = byPrincipal.get(event.identityArn);
			if (!matches) byPrincipal.set(event.identityArn, (matches = new Matches()));
			matches.add(event.eventId, event.eventTime, event.accessKeyId);
			if (referenced.has(rule.id)) {
				ruleEvents.push({rule: rule.id, ruleName: rule.name, time: Date.parse(event.eventTime), eventId: event.eventId, record});
				referencedEvents.set(`${rule.id} ${event.eventId}`, {row: event.row, eventId: event.eventId, eventTime: event.eventTime, principal: event.identityArn, accessKeyId: event.accessKeyId});
			}
		}
	});

	const pending: PendingFinding[] = [];
	const results: RuleResult[] = [];
	const silent = new Set(correlations.filter(c => !c.correlation.generate).flatMap(c => c.correlation.rules));
	for (const rule of detections) {
		const byPrincipal = matched.get(rule.id)!;
		results.push({rule, events: [...byPrincipal.values()].reduce((n, m) => n + new Set(m.ids).size, 0)});
		if (silent.has(rule.id) && !correlations.some(c => c.correlation.generate && c.correlation.rules.includes(rule.id))) continue;
		for (const [principal, m] of byPrincipal) {
			const order = m.ids.map((_, i) => i).sort((a, b) => (m.times[a]! < m.times[b]! ? -1 : m.times[a]! > m.times[b]! ? 1 : a - b));
			const count = new Set(m.ids).size;
			pending.push({
				rule,
				key: `${sigmaPrefix}${rule.id}|${principal ?? ''}`,
				principal,
				eventIds: order.map(i => m.ids[i]!),
				first: m.times[order[0]!]!,
				last: m.times[order.at(-1)!]!,
				keys: [...new Set(order.map(i => m.keys[i]).filter((k): k is string => k !== null && k !== undefined))],
				what: `${count} event${count === 1 ? '' : 's'}`,
			});
		}
	}
	for (const rule of correlations) {
		if (rule.kind !== 'correlation') continue;
		const matches = correlate(rule.correlation, ruleEvents);
		const distinct = new Set<string>();
		for (const m of matches) {
			const list = m.events.map(e => referencedEvents.get(`${e.rule} ${e.eventId}`)!).sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : a.row - b.row));
			for (const e of list) distinct.add(e.eventId);
			const principals = new Set(list.map(e => e.principal));
			const principal = principals.size === 1 ? [...principals][0]! : null;
			const group = Object.entries(m.group).map(([k, v]) => `${k}=${v ?? '(none)'}`).join(', ');
			const what = `${rule.correlation.type} ${Number.isInteger(m.value) ? m.value : m.value.toFixed(2)} over ${list.length} event${list.length === 1 ? '' : 's'}${group ? ` for ${group}` : ''}`;
			pending.push({
				rule,
				key: `${sigmaPrefix}${rule.id}|${JSON.stringify(m.group)}|${list[0]?.eventId ?? ''}`,
				principal,
				eventIds: list.map(e => e.eventId),
				first: list[0]?.eventTime ?? '',
				last: list.at(-1)?.eventTime ?? '',
				keys: [...new Set(list.map(e => e.accessKeyId).filter((k): k is string => k !== null))],
				what,
			});
		}
		results.push({rule, events: distinct.size});
	}
	// The most severe first: they get the credentials pivot before its per-run budget runs out.
	const enrich = new Enricher(db);
	const rank = (p: PendingFinding) => severityRank[severityOf[p.rule.level]];
	const findings = pending.sort((a, b) => rank(a) - rank(b)).map(p => finding(p, enrich));
	return {loaded: set.rules, unsupported: set.unsupported, results, findings, scanned, unreadable};
}

interface PendingFinding {
	rule: SigmaRule;
	key: string;
	principal: string | null;
	/** Oldest first. */
	eventIds: string[];
	first: string;
	last: string;
	/** The access keys of the events, in the order first seen. */
	keys: string[];
	/** What matched, in words. */
	what: string;
}

function finding(p: PendingFinding, enrich: Enricher): KeyedFinding {
	const eventIds = [...new Set(p.eventIds)];
	return {
		key: p.key,
		rule: `${sigmaPrefix}${p.rule.id}`,
		severity: severityOf[p.rule.level],
		principal: p.principal,
		serialNumber: null,
		firstSeen: p.first,
		lastSeen: p.last,
		// The evidence list capped as every finding's is (findings/lib.ts), the count whole.
		eventIds: eventIds.slice(0, maxEventIds),
		eventCount: eventIds.length,
		summary: `${p.rule.title}: ${p.what}${p.principal ? ` by ${p.principal}` : ''}. ${enrich.credentials(p.keys)} ${credit(p.rule)}`,
	};
}

/** What the Detection Rule License asks a match to keep: the author and a link to the rule (its file); its own licence when it names one. */
export function credit(rule: Pick<SigmaRule, 'id' | 'author' | 'path' | 'license' | 'tags'>): string {
	const attack = rule.tags.filter(t => /^attack\./i.test(t)).map(t => t.slice('attack.'.length));
	return `Sigma rule ${rule.id} by ${rule.author ?? 'an unnamed author'} (${rule.path}${rule.license ? `; licence ${rule.license}` : ''})${attack.length > 0 ? `; ATT&CK ${attack.join(', ')}` : ''}.`;
}

/** The credentials behind a finding's events, through the key pivot (cached per key). */
class Enricher {
	private readonly views = new Map<string, KeyView | undefined>();
	constructor(private readonly db: CaseFile) {}

	credentials(keys: string[]): string {
		if (keys.length === 0) return 'No access key in the records.';
		const shown = keys.slice(0, keysPerFinding).map(k => this.describe(k));
		const more = keys.length > keysPerFinding ? ` (and ${keys.length - keysPerFinding} more key${keys.length - keysPerFinding === 1 ? '' : 's'})` : '';
		return `Credentials: ${shown.join('; ')}${more}.`;
	}

	private describe(key: string): string {
		if (!this.views.has(key)) this.views.set(key, this.views.size < keysPerRun ? keyView(this.db, key) : undefined);
		const view = this.views.get(key);
		if (!view) return `key ${key} (mfatrail key ${key} for where it was minted)`;
		const m = view.minted;
		const mfa = view.mfaAuthenticated === null ? (view.kind === 'long-term' ? 'no MFA session' : 'MFA not recorded') : view.mfaAuthenticated ? 'MFA-authenticated' : 'not MFA-authenticated';
		const where =
			m.how === 'long-term'
				? 'an IAM user\'s long-term key'
				: `minted by ${m.how}${m.eventTime ? ` at ${m.eventTime}` : ''}${m.by ? ` by ${m.by}` : ''}${m.eventId ? ` (${m.how === 'console' ? 'sign-in' : 'event'} ${m.eventId})` : ' (minting call not in the evidence)'}`;
		return `key ${key}, ${where}, ${mfa}${m.mfaSerial ? `, MFA device ${m.mfaSerial}` : ''}`;
	}
}

/** Stores a run's findings and rule records: a rule's findings are replaced by its new ones (same key, same row, same triage). */
export function storeSigma(db: CaseFile, run: SigmaRun): {created: number; updated: number; removed: number} {
	const counts = {created: 0, updated: 0, removed: 0};
	db.transaction(() => {
		const putRule = db.prepare(`INSERT INTO sigma_rule (id, kind, title, level, author, description, refs, tags, license, path)
			VALUES (@id, @kind, @title, @level, @author, @description, @refs, @tags, @license, @path)
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title, level = excluded.level, author = excluded.author,
			  description = excluded.description, refs = excluded.refs, tags = excluded.tags, license = excluded.license, path = excluded.path`);
		for (const r of run.loaded) {
			putRule.run({id: r.id, kind: r.kind, title: r.title, level: r.level, author: r.author, description: r.description, refs: JSON.stringify(r.references), tags: JSON.stringify(r.tags), license: r.license, path: r.path});
		}
		// Compared in SQL, row by row: the old findings are never all held in memory at once.
		const exists = db.prepare('SELECT 1 FROM finding WHERE key = ?').pluck();
		const upsert = db.prepare(
			`INSERT INTO finding (rule, severity, principal_arn, serial_number, first_seen, last_seen, event_ids, event_count, summary, key)
			 VALUES (@rule, @severity, @principal, @serialNumber, @firstSeen, @lastSeen, @eventIds, @eventCount, @summary, @key)
			 ON CONFLICT (key) DO UPDATE SET severity = excluded.severity, principal_arn = excluded.principal_arn,
			   first_seen = excluded.first_seen, last_seen = excluded.last_seen, event_ids = excluded.event_ids,
			   event_count = excluded.event_count, summary = excluded.summary
			 WHERE event_ids IS NOT excluded.event_ids OR event_count IS NOT excluded.event_count OR summary IS NOT excluded.summary
			   OR severity IS NOT excluded.severity OR first_seen IS NOT excluded.first_seen OR last_seen IS NOT excluded.last_seen`,
		);
		const keysOf = db.prepare('SELECT key FROM finding WHERE rule IN (SELECT value FROM json_each(?))').pluck();
		const remove = db.prepare('DELETE FROM finding WHERE key = ?');
		const kept = new Set<string>();
		for (const f of run.findings) {
			const known = exists.get(f.key) !== undefined;
			const changes = upsert.run({...f, eventIds: packEventIds(f.eventIds)}).changes;
			kept.add(f.key);
			if (!known) counts.created++;
			else if (changes > 0) counts.updated++;
		}
		// The loaded rules' findings this run did not find again: the evidence no longer supports them.
		for (const key of keysOf.all(JSON.stringify(run.loaded.map(r => `${sigmaPrefix}${r.id}`))) as string[]) {
			if (kept.has(key)) continue;
			remove.run(key);
			counts.removed++;
		}
	}).immediate();
	return counts;
}

// ——— rule folders saved with the case ———

const pathsKey = 'sigma.paths';

export function savedSigmaPaths(db: CaseFile): string[] {
	const value = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(pathsKey) as string | undefined;
	return value ? (JSON.parse(value) as string[]) : [];
}

/** Remembers rule paths (absolute) with the case; `import` evaluates them again on new evidence. */
export function saveSigmaPaths(db: CaseFile, paths: string[]): string[] {
	const all = [...new Set([...savedSigmaPaths(db), ...paths])];
	db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(pathsKey, JSON.stringify(all));
	return all;
}

/** After an import: the saved rules evaluated again over the whole case (correlations span old and new evidence). */
export function refreshSigma(db: CaseFile): SigmaRun | undefined {
	const paths = savedSigmaPaths(db);
	if (paths.length === 0) return undefined;
	const run = evaluateSigma(db, loadSigmaRules(paths));
	storeSigma(db, run);
	return run;
}

export interface SigmaRuleRecord {
	id: string;
	title: string;
	level: string;
	author: string | null;
	references: string[];
	tags: string[];
	license: string | null;
	path: string;
}

/** The Sigma rules whose matches are findings in the case: for the report's credits. */
export function sigmaRulesWithFindings(db: CaseFile): SigmaRuleRecord[] {
	const rows = db
		.prepare(`SELECT id, title, level, author, refs, tags, license, path FROM sigma_rule
			WHERE '${sigmaPrefix}' || id IN (SELECT DISTINCT rule FROM finding WHERE rule LIKE '${sigmaPrefix}%') ORDER BY title, id`)
		.all() as (Omit<SigmaRuleRecord, 'references' | 'tags'> & {refs: string; tags: string})[];
	return rows.map(({refs, tags, ...r}) => ({...r, references: JSON.parse(refs) as string[], tags: JSON.parse(tags) as string[]}));
}
