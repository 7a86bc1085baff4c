import type {CaseFile} from '../db/open.js';
import {loadModel} from './load.js';
import {rules} from './registry.js';
import {defaultThresholds, type KeyedFinding, type Thresholds} from './types.js';

const burstCountKey = 'findings.burst-count';
const burstWindowKey = 'findings.burst-window-ms';

/** The thresholds stored in the case file (set by `mfatrail findings --burst-count/--burst-window`), else the defaults. */
export function storedThresholds(db: CaseFile): Thresholds {
	const get = db.prepare('SELECT value FROM meta WHERE key = ?');
	const count = Number((get.get(burstCountKey) as {value: string} | undefined)?.value);
	const windowMs = Number((get.get(burstWindowKey) as {value: string} | undefined)?.value);
	return {
		burstCount: Number.isInteger(count) && count > 0 ? count : defaultThresholds.burstCount,
		burstWindowMs: Number.isFinite(windowMs) && windowMs > 0 ? windowMs : defaultThresholds.burstWindowMs,
	};
}

/** Runs every rule over the model: plain data in, findings out. */
export function computeFindings(db: CaseFile, thresholds: Thresholds = storedThresholds(db)): KeyedFinding[] {
	const model = loadModel(db);
	return rules.flatMap(rule => rule.detect(model, thresholds).map(f => ({...f, severity: rule.severity})));
}

export interface RefreshCounts {
	total: number;
	created: number;
	updated: number;
	removed: number;
}

/**
 * Recomputes stored findings from the MFA model after an import. Findings are upserted by key,
 * so a finding new evidence extends keeps its row (and id); findings the evidence no longer
 * supports (e.g. a later import shows an earlier device) are removed. Passing thresholds stores
 * them as the case file's defaults for later imports.
 */
export function refreshFindings(db: CaseFile, thresholds?: Thresholds): RefreshCounts {
	const counts: RefreshCounts = {total: 0, created: 0, updated: 0, removed: 0};
	const run = db.transaction(() => {
		if (thresholds) {
			const set = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
			set.run(burstCountKey, String(thresholds.burstCount));
			set.run(burstWindowKey, String(thresholds.burstWindowMs));
		}
		const found = computeFindings(db, thresholds ?? storedThresholds(db));
		const existing = new Map(
			(db.prepare('SELECT key, severity, principal_arn, serial_number, first_seen, last_seen, event_ids, summary FROM finding').all() as Record<string, string | null>[]).map(
				row => [row.key as string, row],
			),
		);
		const upsert = db.prepare(
			`INSERT INTO finding (rule, severity, principal_arn, serial_number, first_seen, last_seen, event_ids, summary, key)
			 VALUES (@rule, @severity, @principal, @serialNumber, @firstSeen, @lastSeen, @eventIds, @summary, @key)
			 ON CONFLICT (key) DO UPDATE SET severity = excluded.severity, principal_arn = excluded.principal_arn,
			   serial_number = excluded.serial_number, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
			   event_ids = excluded.event_ids, summary = excluded.summary`,
		);
		const keep = new Set<string>();
		for (const f of found) {
			if (keep.has(f.key)) continue; // one finding per key, the first a rule reported
			keep.add(f.key);
			const row = {...f, eventIds: JSON.stringify(f.eventIds)};
			const old = existing.get(f.key);
			if (!old) counts.created++;
			else if (
				old.severity === row.severity &&
				old.principal_arn === row.principal &&
				old.serial_number === row.serialNumber &&
				old.first_seen === row.firstSeen &&
				old.last_seen === row.lastSeen &&
				old.event_ids === row.eventIds &&
				old.summary === row.summary
			) {
				continue; // unchanged: no write
			} else counts.updated++;
			upsert.run(row);
		}
		const remove = db.prepare('DELETE FROM finding WHERE key = ?');
		for (const key of existing.keys()) {
			if (keep.has(key)) continue;
			remove.run(key);
			counts.removed++;
		}
		counts.total = keep.size;
	});
	run();
	return counts;
}
