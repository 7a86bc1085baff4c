import {eventTimeSql} from '../db/event-time.js';
import type {CaseFile} from '../db/open.js';
import {deriveModel} from './derive.js';
import {principalFromArn} from './principals.js';
import {recordUnreadableRows} from '../db/unreadable.js';
import {factRowsAfter, factRowsById} from './rows.js';
import {countPrincipals, insertModelRows, jsonList} from './store.js';
import type {FactRow, Model, PrincipalInfo} from './types.js';

/** Above this share of the model's rows (and this many), deriving everything again is as cheap. */
const maxShare = 0.3;
const minLimit = 10_000;

interface Counter {
	events: number;
	firstSeen: string | null;
	lastSeen: string | null;
}

/**
 * Brings the model up to date with the events after row `covered`, deriving again only what they
 * touch. What a model row depends on:
 * - a device incarnation, and the device of each lifecycle call or sign-in, on every row naming its
 *   serial, in time order (an old event arriving late can change a device's whole history);
 * - a sign-in's failed-at-MFA mark on the principal's earlier sign-ins;
 * - a principal's counters on its events, which only add up.
 * So the serials the new rows name and the principals of their sign-ins are closed over the
 * sign-ins linking them (a sign-in belongs to its principal's sequence and names a serial), and
 * every lifecycle call and sign-in of that closure is derived again from all of its events.
 * Returns undefined when a full rebuild is needed instead (most of the model touched, or a
 * principal described differently by the new evidence than the stored row: which description
 * comes first in time is only known to a full pass).
 */
export function refreshIncrementally(db: CaseFile, covered: number) {
	const unreadable: number[] = [];
	const fresh = factRowsAfter(db, covered, unreadable);
	if (unreadable.length > 0) recordUnreadableRows(db, unreadable, false);
	/** The new rows alone: their principals, with the counts they add. */
	const added = deriveModel(fresh);

	const serials = new Set<string>();
	const sequences = new Set<string>();
	for (const l of added.lifecycle) if (l.serialNumber) serials.add(l.serialNumber);
	for (const s of added.signIns) {
		sequences.add(s.principalArn);
		if (s.mfaIdentifier) serials.add(s.mfaIdentifier);
	}
	closeOverSignIns(db, serials, sequences);

	// The stored rows of that closure: derived again, together with the new ones.
	const oldLifecycle = db
		.prepare(`SELECT event, owner_arn AS ownerArn, actor_arn AS actorArn FROM lifecycle_event
			WHERE serial_number IN (SELECT value FROM json_each(?))`)
		.all(jsonList(serials)) as {event: number; ownerArn: string | null; actorArn: string | null}[];
	const oldSignIns = new Map<number, string>();
	const signInsOf = db.prepare(`SELECT event, principal_arn AS principalArn FROM sign_in WHERE principal_arn IN (SELECT value FROM json_each(?))`);
	const signInsNaming = db.prepare(`SELECT event, principal_arn AS principalArn FROM sign_in WHERE mfa_identifier IN (SELECT value FROM json_each(?))`);
	for (const row of [...signInsOf.all(jsonList(sequences)), ...signInsNaming.all(jsonList(serials))] as {event: number; principalArn: string}[]) {
		oldSignIns.set(row.event, row.principalArn);
	}
	const modelRows = (db.prepare('SELECT (SELECT count(*) FROM lifecycle_event) + (SELECT count(*) FROM sign_in)').pluck().get() as number) || 0;
	const work = oldLifecycle.length + oldSignIns.size + fresh.length;
	if (work > Math.max(maxShare * modelRows, minLimit)) return undefined;

	// Rows after the mark are never in the model already, unless a refresh was undone: never twice.
	const freshIds = new Set(fresh.map(r => r.id));
	const oldIds = [...oldLifecycle.map(l => l.event), ...oldSignIns.keys()].filter(id => !freshIds.has(id));
	const rows: FactRow[] = [...factRowsById(db, oldIds), ...fresh];
	const model = deriveModel(rows);
	if (model.devices.some(d => !serials.has(d.serialNumber))) return undefined; // not closed: cannot happen, but never guess

	const stored = db.prepare('SELECT type, name, account_id AS accountId FROM principal WHERE arn = ?');
	const storedInfo = (arn: string) => stored.get(arn) as Omit<PrincipalInfo, 'arn'> | undefined;
	for (const p of added.principals.values()) {
		const s = storedInfo(p.arn);
		if (s && (s.type !== p.type || s.name !== p.name || s.accountId !== p.accountId)) return undefined;
	}
	for (const arn of model.principals.keys()) if (!added.principals.has(arn) && !storedInfo(arn)) return undefined;

	// Affected principals, before and after: their counters are recomputed and their findings too.
	const touched = new Set<string>();
	const note = (arn: string | null | undefined) => {
		if (arn) touched.add(arn);
	};
	for (const l of oldLifecycle) {
		note(l.ownerArn);
		note(l.actorArn);
	}
	for (const arn of oldSignIns.values()) note(arn);
	const oldDevices = db
		.prepare(`SELECT id, serial_number AS serialNumber, incarnation, owner_arn AS ownerArn FROM device
			WHERE serial_number IN (SELECT value FROM json_each(?))`)
		.all(jsonList(serials)) as {id: number; serialNumber: string; incarnation: number; ownerArn: string | null}[];
	for (const d of oldDevices) note(d.ownerArn);
	renumberDevices(db, model, oldDevices);
	for (const d of model.devices) note(d.ownerArn);
	for (const l of model.lifecycle) {
		note(l.ownerArn);
		note(l.actorArn);
	}
	for (const s of model.signIns) note(s.principalArn);

	db.prepare('DELETE FROM lifecycle_row WHERE event IN (SELECT value FROM json_each(?))').run(jsonList(oldLifecycle.map(l => l.event)));
	db.prepare('DELETE FROM sign_in_row WHERE event IN (SELECT value FROM json_each(?))').run(jsonList(oldSignIns.keys()));
	db.prepare('DELETE FROM device WHERE serial_number IN (SELECT value FROM json_each(?))').run(jsonList(serials));
	insertModelRows(db, model.devices, model.lifecycle, model.signIns, model.accountEvents);
	for (const a of model.accountEvents) {
		note(a.actorArn);
		note(a.targetArn);
	}

	for (const arn of addPrincipals(db, covered, added)) note(arn);
	countPrincipals(db, touched);

	const pending = db.prepare('INSERT OR IGNORE INTO refresh_pending (kind, key) VALUES (?, ?)');
	for (const arn of touched) pending.run('principal', arn);
	for (const serial of serials) pending.run('serial', serial);
	return {mode: 'incremental' as const, rows: rows.length, serials: serials.size, principals: sequences.size};
}

/** Adds serials and principals until every sign-in naming one of the serials or made by one of the principals links two members. */
function closeOverSignIns(db: CaseFile, serials: Set<string>, principals: Set<string>): void {
	const principalsNaming = db.prepare(`SELECT DISTINCT principal_arn FROM sign_in WHERE mfa_identifier IN (SELECT value FROM json_each(?))`).pluck();
	const serialsNamedBy = db
		.prepare(`SELECT DISTINCT mfa_identifier FROM sign_in WHERE principal_arn IN (SELECT value FROM json_each(?)) AND mfa_identifier IS NOT NULL`)
		.pluck();
	let newSerials = [...serials];
	let newPrincipals = [...principals];
	while (newSerials.length > 0 || newPrincipals.length > 0) {
		const nextPrincipals = (principalsNaming.all(jsonList(newSerials)) as string[]).filter(p => !principals.has(p));
		const nextSerials = (serialsNamedBy.all(jsonList(newPrincipals)) as string[]).filter(s => !serials.has(s));
		for (const p of nextPrincipals) principals.add(p);
		for (const s of nextSerials) serials.add(s);
		newPrincipals = nextPrincipals;
		newSerials = nextSerials;
	}
}

/**
 * Device rows keep their id when their incarnation existed before (a view holding a device id
 * stays valid); new incarnations get ids after the largest. The derivation numbered them from 1.
 */
function renumberDevices(db: CaseFile, model: Model, old: {id: number; serialNumber: string; incarnation: number}[]): void {
	const byIncarnation = new Map(old.map(d => [`${d.incarnation}|${d.serialNumber}`, d.id]));
	let next = ((db.prepare('SELECT max(id) FROM device').pluck().get() as number | null) ?? 0) + 1;
	const ids = new Map<number, number>();
	for (const d of model.devices) {
		const id = byIncarnation.get(`${d.incarnation}|${d.serialNumber}`) ?? next++;
		ids.set(d.id, id);
		d.id = id;
	}
	for (const l of model.lifecycle) if (l.deviceId !== null) l.deviceId = ids.get(l.deviceId) ?? null;
	for (const s of model.signIns) if (s.deviceId !== null) s.deviceId = ids.get(s.deviceId) ?? null;
}

/**
 * Principal rows for the new events: counters add up (events, first and last seen over every new
 * event with an identity ARN, plus the new MFA rows keyed without one), new principals are
 * inserted as the full rebuild would describe them. Returns the principals it changed.
 */
function addPrincipals(db: CaseFile, covered: number, added: Model): string[] {
	const counters = new Map<string, Counter>();
	const count = (arn: string, events: number, firstSeen: string | null, lastSeen: string | null) => {
		const c = counters.get(arn) ?? {events: 0, firstSeen: null, lastSeen: null};
		c.events += events;
		if (firstSeen && (!c.firstSeen || firstSeen < c.firstSeen)) c.firstSeen = firstSeen;
		if (lastSeen && (!c.lastSeen || lastSeen > c.lastSeen)) c.lastSeen = lastSeen;
		counters.set(arn, c);
	};
	const newEvents = db
		.prepare(`SELECT d.value AS arn, a.events, ${eventTimeSql('a.firstSeen')} AS firstSeen, ${eventTimeSql('a.lastSeen')} AS lastSeen FROM (
			SELECT identity_arn AS arn, count(*) AS events, min(event_time) AS firstSeen, max(event_time) AS lastSeen
			FROM event_row NOT INDEXED WHERE id > ? AND identity_arn IS NOT NULL GROUP BY identity_arn) a JOIN dict d ON d.id = a.arn
			WHERE d.value != ''`)
		.all(covered) as {arn: string; events: number; firstSeen: string; lastSeen: string}[];
	for (const row of newEvents) count(row.arn, row.events, row.firstSeen, row.lastSeen);
	for (const p of added.principals.values()) count(p.arn, p.events, p.firstSeen, p.lastSeen);

	const existing = db.prepare('SELECT event_count AS events, first_seen AS firstSeen, last_seen AS lastSeen FROM principal WHERE arn = ?');
	const update = db.prepare('UPDATE principal SET event_count = ?, first_seen = ?, last_seen = ? WHERE arn = ?');
	const insert = db.prepare(`INSERT INTO principal (arn, type, name, account_id, first_seen, last_seen, event_count) VALUES (?, ?, ?, ?, ?, ?, ?)`);
	for (const [arn, c] of counters) {
		const old = existing.get(arn) as Counter | undefined;
		if (old) {
			if (c.events === 0 && !c.firstSeen) continue;
			const firstSeen = old.firstSeen && (!c.firstSeen || old.firstSeen < c.firstSeen) ? old.firstSeen : c.firstSeen;
			const lastSeen = old.lastSeen && (!c.lastSeen || old.lastSeen > c.lastSeen) ? old.lastSeen : c.lastSeen;
			update.run(old.events + c.events, firstSeen, lastSeen, arn);
		} else {
			const info = added.principals.get(arn) ?? principalFromArn(arn);
			insert.run(arn, info.type, info.name, info.accountId, c.firstSeen, c.lastSeen, c.events);
		}
	}
	return [...counters.keys()];
}
