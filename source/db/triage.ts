/**
 * The triage journal (db/015_triage.sql): an analyst's decisions about findings, principals, devices
 * and events, appended and never rewritten. All of its SQL lives here; the findings queries join
 * the triage_current view to show and filter by status.
 */
import os from 'node:os';
import type {CaseFile} from './open.js';

export type TriageStatus = 'confirmed' | 'benign' | 'needs-review';
export const triageStatuses: TriageStatus[] = ['needs-review', 'confirmed', 'benign'];
export const defaultStatus: TriageStatus = 'needs-review';

export type TriageKind = 'finding' | 'principal' | 'device' | 'event';
export const triageKinds: TriageKind[] = ['finding', 'principal', 'device', 'event'];

/**
 * What is triaged, by the key a re-import keeps: a finding's key, a principal's ARN, a device's
 * serial number, an event's eventID.
 */
export interface TriageTarget {
	kind: TriageKind;
	target: string;
}

export interface TriageState {
	status: TriageStatus;
	/** The latest note given ('' when none). */
	note: string;
	/** When and by whom the latest entry was made; null when never triaged. */
	at: string | null;
	analyst: string | null;
}

export interface TriageEntry extends TriageTarget {
	/** A finding's key when the entry was given under an earlier key of the same incident. */
	givenAs?: string;
	id: number;
	at: string;
	analyst: string;
	oldStatus: TriageStatus;
	newStatus: TriageStatus;
	note: string;
}

export const untriaged: TriageState = {status: defaultStatus, note: '', at: null, analyst: null};

export function isTriageStatus(value: unknown): value is TriageStatus {
	return typeof value === 'string' && (triageStatuses as string[]).includes(value);
}

/** The analyst when none is given: the OS user running mfatrail. */
export function osAnalyst(): string {
	try {
		return os.userInfo().username || 'unknown';
	} catch {
		return process.env.USER || process.env.USERNAME || 'unknown';
	}
}

export function triageState(db: CaseFile, {kind, target}: TriageTarget): TriageState {
	const row = db.prepare('SELECT status, note, at, analyst FROM triage_current WHERE kind = ? AND target = ?').get(kind, target) as TriageState | undefined;
	return row ?? untriaged;
}

/** Current states of every triaged target of a kind, by target (untriaged ones are absent). */
export function triageStates(db: CaseFile, kind: TriageKind): Map<string, TriageState> {
	const rows = db.prepare('SELECT target, status, note, at, analyst FROM triage_current WHERE kind = ?').all(kind) as (TriageState & {target: string})[];
	return new Map(rows.map(({target, ...state}) => [target, state]));
}

export interface TriageChange extends TriageTarget {
	/** The new status; the current one stays when only a note is added. */
	status?: TriageStatus;
	note?: string;
	analyst?: string;
	/** Entry time; now when not given (tests pin it). */
	at?: string;
}

/** Appends one journal entry (old status read in the same transaction) and returns it. */
export function recordTriage(db: CaseFile, change: TriageChange): TriageEntry {
	if (!triageKinds.includes(change.kind)) throw new Error(`unknown triage kind ${JSON.stringify(change.kind)}`);
	if (change.status !== undefined && !isTriageStatus(change.status)) throw new Error(`unknown status ${JSON.stringify(change.status)}; use ${triageStatuses.join(', ')}`);
	if (change.status === undefined && !change.note) throw new Error('nothing to record: give a status, a note, or both');
	const append = db.transaction((): TriageEntry => {
		const old = triageState(db, change).status;
		const entry = {
			kind: change.kind,
			target: change.target,
			at: change.at ?? new Date().toISOString(),
			analyst: change.analyst || osAnalyst(),
			oldStatus: old,
			newStatus: change.status ?? old,
			note: change.note ?? '',
		};
		const id = db
			.prepare('INSERT INTO triage_entry (kind, target, at, analyst, old_status, new_status, note) VALUES (@kind, @target, @at, @analyst, @oldStatus, @newStatus, @note)')
			.run(entry).lastInsertRowid;
		return {id: Number(id), ...entry};
	});
	return append.immediate();
}

/**
 * The journal, oldest first: all of it, or one target's. A finding entry is shown under the key its
 * incident has now (db/020_finding_identity.sql); givenAs keeps the key it was given under when
 * that differs.
 */
export function triageJournal(db: CaseFile, target?: TriageTarget): TriageEntry[] {
	const columns = `r.id, r.kind, r.target, r.at, r.analyst, r.old_status AS oldStatus, r.new_status AS newStatus, r.note,
		CASE WHEN e.target <> r.target THEN e.target END AS givenAs`;
	const from = 'triage_resolved r JOIN triage_entry e ON e.id = r.id';
	const rows = target
		? db.prepare(`SELECT ${columns} FROM ${from} WHERE r.kind = ? AND r.target = ? ORDER BY r.id`).all(target.kind, target.target)
		: db.prepare(`SELECT ${columns} FROM ${from} ORDER BY r.id`).all();
	return (rows as (TriageEntry & {givenAs: string | null})[]).map(({givenAs, ...e}) => (givenAs === null ? e : {...e, givenAs}));
}

/**
 * Decisions whose target is no longer in the case file (a finding the evidence no longer supports,
 * or one computed under other thresholds): shown, never hidden, with their current state.
 */
export function orphanedTriage(db: CaseFile): (TriageTarget & TriageState)[] {
	return db
		.prepare(
			`SELECT kind, target, status, note, at, analyst FROM triage_current t
			 WHERE (kind = 'finding' AND NOT EXISTS (SELECT 1 FROM finding f WHERE f.key = t.target))
			    OR (kind = 'principal' AND NOT EXISTS (SELECT 1 FROM principal p WHERE p.arn = t.target))
			    OR (kind = 'device' AND NOT EXISTS (SELECT 1 FROM device d WHERE d.serial_number = t.target))
			 ORDER BY at`,
		)
		.all() as (TriageTarget & TriageState)[];
}

/**
 * What an identifier given on the command line names: a finding (its id as listed, or its key), a
 * principal ARN, a device serial number, or an eventID. Every kind that matches is returned, so the
 * caller can refuse an ambiguous one; `kind` restricts the search.
 */
export function resolveTriageTarget(db: CaseFile, id: string, kind?: TriageKind): TriageTarget[] {
	const found: TriageTarget[] = [];
	const want = (k: TriageKind) => !kind || kind === k;
	if (want('finding')) {
		const key = /^\d+$/.test(id)
			? (db.prepare('SELECT key FROM finding WHERE id = ?').pluck().get(Number(id)) as string | undefined)
			: (db
					.prepare('SELECT key FROM finding WHERE key = coalesce((SELECT key FROM finding_key_alias WHERE alias = @id), @id)')
					.pluck()
					.get({id}) as string | undefined);
		if (key !== undefined) found.push({kind: 'finding', target: key});
	}
	if (want('principal') && db.prepare('SELECT 1 FROM principal WHERE arn = ?').get(id)) found.push({kind: 'principal', target: id});
	if (want('device') && db.prepare('SELECT 1 FROM device WHERE serial_number = ?').get(id)) found.push({kind: 'device', target: id});
	if (want('event') && db.prepare('SELECT 1 FROM event WHERE event_id = ?').get(id)) found.push({kind: 'event', target: id});
	return found;
}
