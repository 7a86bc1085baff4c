import type {CaseFile} from '../db/open.js';
import {loadFailedSignIns, loadModel, type ModelRows, type ModelScope} from './load.js';
import type {FindingRow} from './queries.js';
import {rules} from './registry.js';
import {packEventIds, sameStoredIds} from './stored-ids.js';
import {defaultThresholds, type KeyedFinding, type Thresholds} from './types.js';

/** Meta keys of the thresholds stored in the case file. */
const thresholdKeys: Record<keyof Thresholds, string> = {
	burstCount: 'findings.burst-count',
	burstWindowMs: 'findings.burst-window-ms',
	sprayUsers: 'findings.spray-users',
	sprayWindowMs: 'findings.spray-window-ms',
	runGapMs: 'findings.run-gap-ms',
	followUpMs: 'findings.follow-up-ms',
	deniedLookbackMs: 'findings.denied-lookback-ms',
};

/** The thresholds stored in the case file (set by `mfatrail findings --burst-count/--burst-window`), else the defaults. */
export function storedThresholds(db: CaseFile): Thresholds {
	const get = db.prepare('SELECT value FROM meta WHERE key = ?');
	const thresholds = {...defaultThresholds};
	for (const key of Object.keys(thresholdKeys) as (keyof Thresholds)[]) {
		const value = Number((get.get(thresholdKeys[key]) as {value: string} | undefined)?.value);
		const valid = key.endsWith('Ms') ? Number.isFinite(value) && value > 0 : Number.isInteger(value) && value > 0;
		if (valid) thresholds[key] = value;
	}
	return thresholds;
}

/** Runs every rule over the model (or the part of it a scope names): plain data in, findings out. */
export function computeFindings(db: CaseFile, thresholds: Thresholds = storedThresholds(db), scope?: ModelScope, rows?: ModelRows): KeyedFinding[] {
	const model = loadModel(db, scope, thresholds, rows);
	// Rules over the whole case (password-spray spans principals): fed every failed sign-in, which is all they read.
	const global = scope ? loadFailedSignIns(db) : model;
	return rules.flatMap(rule => rule.detect(rule.home === 'global' ? global : model, thresholds).map(f => ({...f, severity: rule.severity})));
}

export interface RefreshCounts {
	total: number;
	created: number;
	updated: number;
	removed: number;
}

/** Above this share of the principals and devices (and this many) to recompute, computing every finding is as cheap. */
const maxScopeShare = 0.3;
const minScopeLimit = 5_000;

const principalRules = rules.filter(r => r.home === 'principal').map(r => r.id);
const serialRules = rules.filter(r => r.home === 'serial').map(r => r.id);
const globalRules = rules.filter(r => r.home === 'global').map(r => r.id);

/**
 * Brings the stored findings up to date with the MFA model after an import. The model refresh
 * leaves in refresh_pending the principals and serials whose rows it changed; only their findings
 * are computed again (from the part of the model they depend on, see scopeOf), unless it rebuilt
 * everything, thresholds change, or force is given. Findings are upserted by key, so a finding
 * new evidence extends keeps its row (and id); findings of those principals and serials the
 * evidence no longer supports (e.g. a later import shows an earlier device) are removed. Passing
 * thresholds stores them as the case file's defaults for later imports. options.rows gives the
 * whole model's lifecycle calls and sign-ins when the caller holds them (the pipeline, after a full
 * model rebuild in the same run): asked for only if every finding is computed.
 */
export function refreshFindings(db: CaseFile, thresholds?: Thresholds, options: {force?: boolean; rows?: () => ModelRows | undefined} = {}): RefreshCounts {
	const counts: RefreshCounts = {total: 0, created: 0, updated: 0, removed: 0};
	const run = db.transaction(() => {
		if (thresholds) {
			const set = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
			for (const key of Object.keys(thresholdKeys) as (keyof Thresholds)[]) set.run(thresholdKeys[key], String(thresholds[key]));
		}
		const pending = db.prepare('SELECT kind, key FROM refresh_pending').all() as {kind: string; key: string}[];
		const full = Boolean(options.force || thresholds || pending.some(p => p.kind === 'all'));
		if (!full && pending.length === 0) {
			counts.total = db.prepare('SELECT count(*) FROM finding').pluck().get() as number;
			return;
		}
		const scope = full
			? undefined
			: scopeOf(
					db,
					pending.filter(p => p.kind === 'principal').map(p => p.key),
					pending.filter(p => p.kind === 'serial').map(p => p.key),
				);
		const found = computeFindings(db, thresholds ?? storedThresholds(db), scope?.data, scope ? undefined : options.rows?.());
		const existingSql = 'SELECT id, rule, key, severity, principal_arn, serial_number, first_seen, last_seen, event_ids, event_count, summary FROM finding';
		const existingRows = scope
			? db
					.prepare(
						`${existingSql} WHERE (rule IN (SELECT value FROM json_each(@a)) AND principal_arn IN (SELECT value FROM json_each(@b)))
						    OR (rule IN (SELECT value FROM json_each(@c)) AND serial_number IN (SELECT value FROM json_each(@d)))
						    OR rule IN (SELECT value FROM json_each(@g)) ORDER BY id`,
					)
					.all({
						a: JSON.stringify(principalRules),
						b: JSON.stringify([...scope.principals]),
						c: JSON.stringify(serialRules),
						d: JSON.stringify([...scope.serials]),
						g: JSON.stringify(globalRules),
					})
			: db.prepare(`${existingSql} WHERE rule NOT LIKE 'sigma:%' ORDER BY id`).all(); // Sigma findings are refreshed by findings/sigma.ts
		const existing = new Map((existingRows as ExistingRow[]).map(row => [row.key, row]));
		const upsert = db.prepare(
			`INSERT INTO finding (rule, severity, principal_arn, serial_number, first_seen, last_seen, event_ids, event_count, summary, key)
			 VALUES (@rule, @severity, @principal, @serialNumber, @firstSeen, @lastSeen, @eventIds, @eventCount, @summary, @key)
			 ON CONFLICT (key) DO UPDATE SET severity = excluded.severity, principal_arn = excluded.principal_arn,
			   serial_number = excluded.serial_number, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
			   event_ids = excluded.event_ids, event_count = excluded.event_count, summary = excluded.summary`,
		);
		const home = new Map(rules.map(r => [r.id, r.home]));
		const inScope = found.filter(f => {
			// A scoped computation also yields findings of principals and serials it saw only in part: not these.
			const fHome = home.get(f.rule);
			return !scope || fHome === 'global' || (fHome === 'serial' ? f.serialNumber !== null && scope.serials.has(f.serialNumber) : f.principal !== null && scope.principals.has(f.principal));
		});
		const {findings: current, aliases} = keepIncidents(inScope, existing);
		const keep = new Set<string>();
		for (const f of current) {
			if (keep.has(f.key)) continue; // one finding per key, the first a rule reported
			keep.add(f.key);
			const row = {...f, eventIds: packEventIds(f.eventIds)};
			const old = existing.get(f.key);
			if (!old) counts.created++;
			else if (
				old.severity === row.severity &&
				old.principal_arn === row.principal &&
				old.serial_number === row.serialNumber &&
				old.first_seen === row.firstSeen &&
				old.last_seen === row.lastSeen &&
				sameStoredIds(old.event_ids, row.eventIds) &&
				old.event_count === row.eventCount &&
				old.summary === row.summary
			) {
				continue; // unchanged: no write
			} else counts.updated++;
			upsert.run(row);
		}
		// A run that new evidence joined to another: its key now names the one that stays.
		const alias = db.prepare('INSERT INTO finding_key_alias (alias, key) VALUES (?, ?) ON CONFLICT (alias) DO UPDATE SET key = excluded.key');
		const follow = db.prepare('UPDATE finding_key_alias SET key = ? WHERE key = ?');
		for (const [gone, stays] of aliases) {
			if (keep.has(gone)) continue;
			alias.run(gone, stays);
			follow.run(stays, gone);
		}
		const remove = db.prepare('DELETE FROM finding WHERE key = ?');
		for (const key of existing.keys()) {
			if (keep.has(key)) continue;
			remove.run(key);
			counts.removed++;
		}
		db.exec('DELETE FROM refresh_pending');
		counts.total = db.prepare('SELECT count(*) FROM finding').pluck().get() as number;
	});
	run.immediate();
	return counts;
}

type ExistingRow = FindingRow;

/**
 * Gives each computed run the key of the stored finding it continues, so a finding keeps its
 * identity (and its triage) however evidence arrives. A computed run continues a stored finding
 * with a key of the same prefix (rule, principal, serial, group) whose time span overlaps its own:
 * evidence only ever joins runs, so the stored run lies inside the new one. The first computed run
 * keeps its own key if it is stored, else takes the oldest overlapping stored key; stored runs it
 * also overlaps but nobody keeps are returned as aliases of it (two runs joined by evidence in the gap).
 */
export function keepIncidents(found: KeyedFinding[], existing: Map<string, ExistingRow>): {findings: KeyedFinding[]; aliases: Map<string, string>} {
	const claimed = new Set(found.filter(f => existing.has(f.key)).map(f => f.key));
	const of = (rule: string, principal: string | null, serial: string | null) => JSON.stringify([rule, principal, serial]);
	const byFinding = new Map<string, ExistingRow[]>();
	for (const row of existing.values()) {
		const id = of(row.rule, row.principal_arn, row.serial_number);
		byFinding.set(id, [...(byFinding.get(id) ?? []), row]);
	}
	const overlapping = (f: KeyedFinding) =>
		(byFinding.get(of(f.rule, f.principal, f.serialNumber)) ?? []).filter(
			row => row.key.startsWith(f.run!) && row.first_seen <= f.lastSeen && f.firstSeen <= row.last_seen,
		);
	const findings = found.map(f => {
		if (!f.run || existing.has(f.key)) return f;
		const match = overlapping(f).find(row => !claimed.has(row.key));
		if (!match) return f;
		claimed.add(match.key);
		return {...f, key: match.key};
	});
	const aliases = new Map<string, string>();
	for (const f of findings) {
		if (!f.run) continue;
		for (const row of overlapping(f)) if (!claimed.has(row.key) && !aliases.has(row.key)) aliases.set(row.key, f.key);
	}
	return {findings, aliases};
}

/**
 * What to recompute for the principals and serials the model refresh changed, and what to load for
 * it. A 'principal' finding depends on the principal's sign-ins and the lifecycle calls it made or
 * is the target of, ARNs compared case-insensitively (sameArn); a 'serial' finding on the rows
 * naming the serial, and new-device-first-use also on its principal's earlier activity. So:
 * - principals: the changed ones and their spellings;
 * - serials: the changed ones, and those of the principals' lifecycle calls and sign-ins (a change
 *   in a principal's activity can change the address note of its device's first use);
 * - loaded: the rows of those serials and principals, and of every principal named by a row of
 *   those serials (owners and users of the devices), with their spellings.
 * Returns undefined when that is most of the case (then everything is computed).
 */
function scopeOf(db: CaseFile, changedPrincipals: string[], changedSerials: string[]) {
	const spellings = db.prepare(`SELECT arn FROM principal WHERE lower(arn) IN (SELECT lower(value) FROM json_each(?))`).pluck();
	const withSpellings = (arns: Iterable<string>) => {
		const all = new Set(arns);
		for (const arn of spellings.all(JSON.stringify([...all])) as string[]) all.add(arn);
		return all;
	};
	const principals = withSpellings(changedPrincipals);
	const serials = new Set(changedSerials);
	const list = JSON.stringify([...principals]);
	const serialsOf = db
		.prepare(
			`SELECT serial_number FROM lifecycle_event WHERE owner_arn IN (SELECT value FROM json_each(@a)) AND serial_number IS NOT NULL
			 UNION SELECT serial_number FROM lifecycle_event WHERE actor_arn IN (SELECT value FROM json_each(@a)) AND serial_number IS NOT NULL
			 UNION SELECT mfa_identifier FROM sign_in WHERE principal_arn IN (SELECT value FROM json_each(@a)) AND mfa_identifier IS NOT NULL`,
		)
		.pluck();
	for (const serial of serialsOf.all({a: list}) as string[]) serials.add(serial);
	const principalsNaming = db
		.prepare(
			`SELECT owner_arn FROM lifecycle_event WHERE serial_number IN (SELECT value FROM json_each(@a)) AND owner_arn IS NOT NULL
			 UNION SELECT actor_arn FROM lifecycle_event WHERE serial_number IN (SELECT value FROM json_each(@a)) AND actor_arn IS NOT NULL
			 UNION SELECT principal_arn FROM sign_in WHERE mfa_identifier IN (SELECT value FROM json_each(@a))`,
		)
		.pluck();
	const loaded = withSpellings([...principals, ...(principalsNaming.all({a: JSON.stringify([...serials])}) as string[])]);
	const size = db.prepare('SELECT (SELECT count(*) FROM principal) + (SELECT count(*) FROM device)').pluck().get() as number;
	if (loaded.size + serials.size > Math.max(maxScopeShare * size, minScopeLimit)) return undefined;
	return {principals, serials, data: {principals: loaded, serials}};
}
