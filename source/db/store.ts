import os from 'node:os';
import type {CaseFile} from './open.js';
import {packRaw, rawCodec, unpackRaw} from './raw.js';
import type {NormalisedEvent} from '../import/normalise.js';
import {canonicalJson} from '../import/normalise.js';

export interface SourceInfo {
	path: string;
	member: string | null;
	format: string;
	byteSize: number;
	sha256: string;
	contentSize: number;
	contentSha256: string;
	notes?: string[];
}

export interface SourceCounts {
	records: number;
	inserted: number;
	duplicates: number;
	conflicts: number;
	rejected: number;
}

export type InsertOutcome = 'inserted' | 'duplicate' | 'conflict';

/**
 * Writes evidence into a case file. Every source goes in within one transaction
 * (storeSource), so an interrupted import leaves whole sources in or out.
 */
export class EventStore {
	readonly runId: number;
	private readonly db: CaseFile;
	private readonly statements;

	constructor(db: CaseFile, argv: string[], toolVersion: string) {
		this.db = db;
		db.prepare(`INSERT OR IGNORE INTO meta(key, value) VALUES ('raw_codec', ?)`).run(rawCodec);
		const codec = (db.prepare(`SELECT value FROM meta WHERE key = 'raw_codec'`).get() as {value: string}).value;
		if (codec !== rawCodec) throw new Error(`case file stores records as ${codec}; this mfatrail writes ${rawCodec}`);
		this.runId = Number(
			db
				.prepare(`INSERT INTO import_run(started_at, tool_version, argv, host, user) VALUES (?, ?, ?, ?, ?)`)
				.run(new Date().toISOString(), toolVersion, JSON.stringify(argv), os.hostname(), safeUser()).lastInsertRowid,
		);
		this.statements = {
			byEventId: db.prepare(`SELECT id, raw_sha256 AS rawSha256, raw FROM event WHERE event_id = ?`),
			insertEvent: db.prepare(`INSERT INTO event (
				event_id, event_id_derived, raw_sha256, conflict, partial, event_time, event_version, event_source, event_name,
				event_type, recipient_account_id, aws_region, identity_type, identity_arn, identity_user_name,
				identity_principal_id, identity_account_id, access_key_id, mfa_authenticated, invoked_by, source_ip,
				user_agent, error_code, error_message, read_only, facts, flags, source_id, position, raw
			) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			markConflict: db.prepare(`UPDATE event SET conflict = 1 WHERE event_id = ?`),
			insertSighting: db.prepare(`INSERT INTO sighting(event, source_id, position) VALUES (?, ?, ?)`),
			insertSource: db.prepare(`INSERT INTO source (
				run_id, path, member, format, byte_size, sha256, content_size, content_sha256, imported_at, status, notes
			) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			finishSource: db.prepare(`UPDATE source SET record_count = ?, inserted = ?, duplicates = ?, conflicts = ?, rejected = ?,
				first_event_time = ?, last_event_time = ?, status = ? WHERE id = ?`),
			insertRejection: db.prepare(`INSERT INTO rejection(run_id, path, member, position, reason) VALUES (?, ?, ?, ?, ?)`),
			previousImport: db.prepare(`SELECT record_count AS records FROM source
				WHERE path = ? AND member IS ? AND content_sha256 = ? AND status IN ('imported', 'partial', 'digest') LIMIT 1`),
		};
	}

	/** The same file (same place, same content) was imported before: its record count, else undefined. */
	previouslyImported(path: string, member: string | null, contentSha256: string): number | undefined {
		const row = this.statements.previousImport.get(path, member, contentSha256) as {records: number} | undefined;
		return row?.records;
	}

	/**
	 * Stores one source and its events in a single transaction. `write` receives an insert function
	 * and returns nothing; counts are kept here.
	 */
	storeSource(
		info: SourceInfo,
		status: 'imported' | 'partial' | 'digest',
		events: Iterable<NormalisedEvent>,
		rejected: {position: string; reason: string}[],
		extra?: (sourceId: number) => void,
	): SourceCounts & {sourceId: number} {
		const run = this.db.transaction(() => {
			const sourceId = Number(
				this.statements.insertSource.run(
					this.runId,
					info.path,
					info.member,
					info.format,
					info.byteSize,
					info.sha256,
					info.contentSize,
					info.contentSha256,
					new Date().toISOString(),
					status,
					info.notes && info.notes.length > 0 ? JSON.stringify(info.notes) : null,
				).lastInsertRowid,
			);
			const counts: SourceCounts = {records: rejected.length, inserted: 0, duplicates: 0, conflicts: 0, rejected: rejected.length};
			let first: string | null = null;
			let last: string | null = null;
			for (const event of events) {
				counts.records++;
				const outcome = this.insertEvent(event, sourceId);
				if (outcome === 'inserted') counts.inserted++;
				else if (outcome === 'duplicate') counts.duplicates++;
				else {
					counts.conflicts++;
					counts.inserted++;
				}
				if (first === null || event.eventTime < first) first = event.eventTime;
				if (last === null || event.eventTime > last) last = event.eventTime;
			}
			for (const r of rejected) this.reject(info.path, info.member, r.position, r.reason);
			extra?.(sourceId);
			this.statements.finishSource.run(
				counts.records,
				counts.inserted,
				counts.duplicates,
				counts.conflicts,
				counts.rejected,
				first,
				last,
				status,
				sourceId,
			);
			return {...counts, sourceId};
		});
		return run.immediate();
	}

	private insertEvent(event: NormalisedEvent, sourceId: number): InsertOutcome {
		const existing = this.statements.byEventId.all(event.eventId) as {id: number; rawSha256: Buffer; raw: Buffer}[];
		let conflict = 0;
		if (existing.length > 0) {
			const same =
				existing.find(row => row.rawSha256.equals(event.rawSha256)) ??
				existing.find(row => sameContent(unpackRaw(row.raw), event.raw));
			if (same) {
				this.statements.insertSighting.run(same.id, sourceId, event.position);
				return 'duplicate';
			}
			this.statements.markConflict.run(event.eventId);
			conflict = 1;
		}
		this.statements.insertEvent.run(
			event.eventId,
			event.eventIdDerived ? 1 : 0,
			event.rawSha256,
			conflict,
			event.partial ? 1 : 0,
			event.eventTime,
			event.eventVersion,
			event.eventSource,
			event.eventName,
			event.eventType,
			event.recipientAccountId,
			event.awsRegion,
			event.identityType,
			event.identityArn,
			event.identityUserName,
			event.identityPrincipalId,
			event.identityAccountId,
			event.accessKeyId,
			event.mfaAuthenticated,
			event.invokedBy,
			event.sourceIp,
			event.userAgent,
			event.errorCode,
			event.errorMessage,
			event.readOnly,
			event.facts,
			event.flags,
			sourceId,
			event.position,
			packRaw(event.raw),
		);
		return conflict ? 'conflict' : 'inserted';
	}

	/** Records an input or record that could not be imported. */
	reject(path: string, member: string | null, position: string | null, reason: string): void {
		this.statements.insertRejection.run(this.runId, path, member, position, reason);
	}

	finishRun(status: 'done' | 'interrupted', summary: unknown): void {
		this.db
			.prepare(`UPDATE import_run SET finished_at = ?, status = ?, summary = ? WHERE id = ?`)
			.run(new Date().toISOString(), status, JSON.stringify(summary), this.runId);
	}
}

/** Two serialisations of one record (S3 file vs lookup-events string) are the same event. */
function sameContent(a: string, b: string): boolean {
	try {
		return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
	} catch {
		return false;
	}
}

function safeUser(): string | null {
	try {
		return os.userInfo().username;
	} catch {
		return null;
	}
}
