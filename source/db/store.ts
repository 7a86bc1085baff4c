import os from 'node:os';
import zlib from 'node:zlib';
import type {CaseFile} from './open.js';
import {RawBlockBuilder, RawReader, rawCodec, type RawRef} from './raw.js';
import type {NormalisedEvent} from '../import/normalise.js';
import {canonicalJson} from '../import/normalise.js';
import type {DigestRow} from '../import/parse.js';

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
 * An event to store: the original text as it was (raw), or a reference into the source's raw
 * blocks (rawRef, when a reader already packed the texts).
 */
export type StoredEvent = Omit<NormalisedEvent, 'raw' | 'rawSha256'> & {rawSha256: Uint8Array; raw?: string; rawRef?: RawRef};

interface ExistingEvent {
	id: number;
	rawSha256: Buffer;
	partial: number;
	eventTime: string;
	eventName: string | null;
	sourceId: number;
	position: number;
}

/**
 * Writes evidence into a case file. Every source goes in within one transaction
 * (storeSource), so an interrupted import leaves whole sources in or out.
 */
export class EventStore {
	readonly runId: number;
	private readonly db: CaseFile;
	private readonly statements;
	private readonly rawReader: RawReader;
	/** raw_block ids of the source being stored, and its blocks (for the rare content comparison). */
	private blockIds: number[] = [];
	private blocks: Uint8Array[] = [];
	/** Bulk mode: eventID → row id(s), replacing the event_event_id index while it is dropped. */
	private eventIds: Map<string, number | number[]> | undefined;
	/** eventIDs added to the map by the open transaction, taken out again if it rolls back. */
	private added: string[] = [];
	private depth = 0;

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
			byEventId: db.prepare(`SELECT id, raw_sha256 AS rawSha256, partial, event_time AS eventTime, event_name AS eventName,
				source_id AS sourceId, position FROM event WHERE event_id = ?`),
			byId: db.prepare(`SELECT id, raw_sha256 AS rawSha256, partial, event_time AS eventTime, event_name AS eventName,
				source_id AS sourceId, position FROM event WHERE id = ?`),
			rawOf: db.prepare(`SELECT raw_block AS block, raw_offset AS offset, raw_length AS length FROM event WHERE id = ?`),
			insertBlock: db.prepare(`INSERT INTO raw_block(data) VALUES (?)`),
			replaceEvent: db.prepare(`UPDATE event SET
				event_id_derived = ?, raw_sha256 = ?, partial = 0, event_time = ?, event_version = ?, event_source = ?, event_name = ?,
				event_type = ?, recipient_account_id = ?, aws_region = ?, identity_type = ?, identity_arn = ?, identity_user_name = ?,
				identity_principal_id = ?, identity_account_id = ?, access_key_id = ?, mfa_authenticated = ?, invoked_by = ?, source_ip = ?,
				user_agent = ?, error_code = ?, error_message = ?, read_only = ?, facts = ?, flags = ?, source_id = ?, position = ?,
				raw_block = ?, raw_offset = ?, raw_length = ? WHERE id = ?`),
			insertDigest: db.prepare(`INSERT INTO digest(source_id, account_id, region, digest_start_time, digest_end_time, s3_bucket,
				s3_object, previous_hash, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			insertEvent: db.prepare(`INSERT INTO event (
				event_id, event_id_derived, raw_sha256, conflict, partial, event_time, event_version, event_source, event_name,
				event_type, recipient_account_id, aws_region, identity_type, identity_arn, identity_user_name,
				identity_principal_id, identity_account_id, access_key_id, mfa_authenticated, invoked_by, source_ip,
				user_agent, error_code, error_message, read_only, facts, flags, source_id, position, raw_block, raw_offset, raw_length
			) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			markConflict: db.prepare(`UPDATE event SET conflict = 1 WHERE id = ?`),
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
		this.rawReader = new RawReader(db);
	}

	/**
	 * Bulk mode (the event indexes are dropped, source/db/event-indexes.ts): duplicates are found
	 * through a map of every stored eventID, seeded here from the rows already in the case file.
	 */
	useMemoryLookup(): void {
		const ids = new Map<string, number | number[]>();
		for (const [eventId, id] of this.db.prepare(`SELECT event_id, id FROM event`).raw().iterate() as IterableIterator<[string, number]>) {
			remember(ids, eventId, id);
		}
		this.eventIds = ids;
	}

	/** Back to the event_event_id index (after the indexes are rebuilt); frees the map. */
	useIndexLookup(): void {
		this.eventIds = undefined;
	}

	/** The stored rows with this eventID (more than one only for conflicting versions). */
	private rowsOf(eventId: string): ExistingEvent[] {
		if (!this.eventIds) return this.statements.byEventId.all(eventId) as ExistingEvent[];
		const ids = this.eventIds.get(eventId);
		if (ids === undefined) return [];
		return (typeof ids === 'number' ? [ids] : ids).map(id => this.statements.byId.get(id) as ExistingEvent);
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
		events: Iterable<StoredEvent>,
		rejected: {position: string; reason: string}[],
		rawBlocks: Uint8Array[] = [],
		extra?: (sourceId: number) => void,
	): SourceCounts & {sourceId: number} {
		const run = this.db.transaction(() => {
			let list = events;
			let blocks = rawBlocks;
			if (blocks.length === 0) {
				// Events that bring their text (direct callers): pack it here, one block for the source.
				const builder = new RawBlockBuilder();
				list = [...events].map(event => (event.rawRef || event.raw === undefined ? event : {...event, rawRef: builder.add(event.raw)}));
				blocks = builder.finish();
			}
			this.blocks = blocks;
			this.blockIds = blocks.map(data => Number(this.statements.insertBlock.run(data).lastInsertRowid));
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
			for (const event of list) {
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
		return this.undoable(() => run.immediate());
	}

	/** Runs a transaction; if it fails, the map forgets the rows it rolled back. */
	private undoable<T>(write: () => T): T {
		const mark = this.added.length;
		this.depth++;
		try {
			return write();
		} catch (error) {
			if (this.eventIds) for (const eventId of this.added.splice(mark)) forget(this.eventIds, eventId);
			throw error;
		} finally {
			if (--this.depth === 0) this.added = [];
		}
	}

	/** Stores a CloudTrail digest file: a source with status 'digest', never records. */
	storeDigest(info: SourceInfo, digest: DigestRow): number {
		return this.storeSource(info, 'digest', [], [], [], sourceId => {
			this.statements.insertDigest.run(
				sourceId,
				digest.accountId,
				digest.region,
				digest.digestStartTime,
				digest.digestEndTime,
				digest.s3Bucket,
				digest.s3Object,
				digest.previousHash,
				digest.body,
			);
		}).sourceId;
	}

	/** Runs `write` in one transaction: several small sources commit together, each still whole. */
	batch<T>(write: () => T): T {
		return this.undoable(() => this.db.transaction(write).immediate());
	}

	private insertEvent(event: StoredEvent, sourceId: number): InsertOutcome {
		const existing = this.rowsOf(event.eventId);
		const sha = Buffer.from(event.rawSha256.buffer, event.rawSha256.byteOffset, event.rawSha256.byteLength);
		let conflict = 0;
		if (existing.length > 0) {
			const same = existing.find(row => row.rawSha256.equals(sha)) ?? this.sameEvent(existing, event);
			if (same) {
				this.statements.insertSighting.run(same.id, sourceId, event.position);
				return 'duplicate';
			}
			if (!event.partial) {
				// A full record for an event known only from a CSV export: the full text replaces the
				// partial row, and the partial copy stays on record as a sighting.
				const partial = existing.find(row => row.partial === 1 && consistent(row, event));
				if (partial) {
					this.statements.insertSighting.run(partial.id, partial.sourceId, partial.position);
					const values = this.columns(event, sha, 0, sourceId);
					this.statements.replaceEvent.run(...values.slice(1, 3), ...values.slice(5), partial.id);
					return 'inserted';
				}
			}
			for (const row of existing) this.statements.markConflict.run(row.id);
			conflict = 1;
		}
		const id = Number(this.statements.insertEvent.run(...this.columns(event, sha, conflict, sourceId)).lastInsertRowid);
		if (this.eventIds) {
			remember(this.eventIds, event.eventId, id);
			this.added.push(event.eventId);
		}
		return conflict ? 'conflict' : 'inserted';
	}

	/**
	 * The stored row that holds the same event in other words: the same record serialised
	 * differently (S3 file vs lookup-events string), or a partial CSV copy consistent with it.
	 */
	private sameEvent(existing: ExistingEvent[], event: StoredEvent): ExistingEvent | undefined {
		if (event.partial) return existing.find(row => consistent(row, event));
		const text = event.raw ?? blockText(this.blocks, event.rawRef!);
		return existing.find(row => row.partial === 0 && sameContent(this.storedText(row.id), text));
	}

	/** The original text of a stored event. */
	private storedText(id: number): string {
		const {block, offset, length} = this.statements.rawOf.get(id) as {block: number; offset: number; length: number};
		return this.rawReader.text(block, offset, length);
	}

	/** Column values in the order of insertEvent (replaceEvent uses the same list without id, conflict, partial). */
	private columns(event: StoredEvent, sha: Buffer, conflict = 0, sourceId = 0): unknown[] {
		const ref = event.rawRef!;
		return [
			event.eventId,
			event.eventIdDerived ? 1 : 0,
			sha,
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
			this.blockIds[ref.block],
			ref.offset,
			ref.length,
		];
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

function remember(ids: Map<string, number | number[]>, eventId: string, id: number): void {
	const known = ids.get(eventId);
	if (known === undefined) ids.set(eventId, id);
	else if (typeof known === 'number') ids.set(eventId, [known, id]);
	else known.push(id);
}

/** Takes back the newest id remembered for an eventID. */
function forget(ids: Map<string, number | number[]>, eventId: string): void {
	const known = ids.get(eventId);
	if (typeof known === 'number') ids.delete(eventId);
	else if (known) {
		known.pop();
		if (known.length === 1) ids.set(eventId, known[0]);
	}
}

function blockText(blocks: Uint8Array[], ref: RawRef): string {
	return zlib.inflateRawSync(blocks[ref.block]).toString('utf8', ref.offset, ref.offset + ref.length);
}

/** A partial (CSV) copy agrees with a stored row on what it holds: the same time and name. */
function consistent(row: {eventTime: string; eventName: string | null}, event: {eventTime: string; eventName: string | null}): boolean {
	return row.eventTime === event.eventTime && (row.eventName === null || event.eventName === null || row.eventName === event.eventName);
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
