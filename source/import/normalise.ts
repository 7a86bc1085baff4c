import crypto from 'node:crypto';
import {parseEventTime} from '../lib/time.js';
import {canonicalJson, type NormalisedEvent} from '../db/record.js';
import {mintedAccessKeyId} from '../domain/credentials.js';
import {extractFacts} from '../model/facts.js';
import {encodeFacts} from '../db/facts-codec.js';

export type {NormalisedEvent} from '../db/record.js';
export {canonicalJson} from '../db/record.js';

/** Why one record cannot be imported; the import reports it with its position and goes on. */
export class RecordRejection extends Error {}

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Strings as they are; numbers and booleans as text (fixtures use both); everything else null. */
function text(value: unknown): string | null {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return null;
}

/** 'true' / true / 'True' → 1; 'false' / false → 0; anything else null. */
export function flag(value: unknown): 0 | 1 | null {
	if (value === true) return 1;
	if (value === false) return 0;
	if (typeof value === 'string') {
		const v = value.trim().toLowerCase();
		if (v === 'true' || v === 'yes') return 1;
		if (v === 'false' || v === 'no') return 0;
	}
	return null;
}

const eventTypes = ['AwsApiCall', 'AwsServiceEvent', 'AwsConsoleAction', 'AwsConsoleSignIn', 'AwsCloudTrailInsight', 'AwsVpceEvent'];
const eventTypeByLower = new Map(eventTypes.map(t => [t.toLowerCase(), t]));

export function normaliseEventType(value: unknown): string | null {
	const t = text(value);
	if (t === null) return null;
	return eventTypeByLower.get(t.toLowerCase()) ?? t;
}

/** 'NoSuchEntityException' and 'NoSuchEntity' are the same error. */
export function normaliseErrorCode(value: unknown): string | null {
	const t = text(value);
	if (t === null || t === '') return null;
	return t.length > 'Exception'.length && t.endsWith('Exception') ? t.slice(0, -'Exception'.length) : t;
}

/** One-shot crypto.hash (Node ≥ 20.12) is a third cheaper per record than a Hash object. */
const oneShot = typeof crypto.hash === 'function';

export function sha256(text: string | Buffer): Buffer {
	return oneShot ? crypto.hash('sha256', text, 'buffer') : crypto.createHash('sha256').update(text).digest();
}

export interface NormaliseOptions {
	/** The record comes from an export that holds only some of its fields. */
	partial?: boolean;
	/** The UTF-8 bytes of `raw`, when the caller has them already (hashed instead of encoding it again). */
	rawBytes?: Buffer;
	/** Notes the reader already knows (e.g. 'time-from-wrapper'). */
	flags?: string[];
}

/**
 * Turns one parsed record and its original text into a row. Throws RecordRejection for a record
 * that is not a CloudTrail event (not an object, no usable eventTime).
 */
export function normaliseRecord(record: unknown, raw: string, position: number, options: NormaliseOptions = {}): NormalisedEvent {
	const r = object(record);
	if (!r) {
		const kind = record === null ? 'null' : Array.isArray(record) ? 'an array' : `a ${typeof record}`;
		throw new RecordRejection(`record is ${kind}, not an object`);
	}
	const flags = [...(options.flags ?? [])];
	if (r.eventTime === undefined || r.eventTime === null || r.eventTime === '') {
		const hint = r['@timestamp'] !== undefined ? ' (it has @timestamp: a pipeline replaced eventTime)' : '';
		throw new RecordRejection(`record has no eventTime${hint}`);
	}
	const time = parseEventTime(r.eventTime);
	if (!time) throw new RecordRejection(`eventTime is not a valid time: ${JSON.stringify(r.eventTime).slice(0, 60)}`);
	if (time.note) flags.push(`time-${time.note}`);

	let eventId = text(r.eventID);
	let eventIdDerived = false;
	if (!eventId || eventId.trim() === '') {
		// Stable across serialisations of the same record, so re-imports still deduplicate.
		eventId = `derived:${sha256(canonicalJson(r)).toString('hex').slice(0, 32)}`;
		eventIdDerived = true;
		flags.push('derived-id');
	}

	const identity = object(r.userIdentity);
	const attributes = object(object(identity?.sessionContext)?.attributes);
	const facts = extractFacts(r);
	const identityArn = text(identity?.arn) || null;
	const identityUserName = text(identity?.userName);
	return {
		eventId,
		eventIdDerived,
		partial: Boolean(options.partial),
		eventTime: time.utc,
		eventVersion: text(r.eventVersion),
		eventSource: text(r.eventSource),
		eventName: text(r.eventName),
		eventType: normaliseEventType(r.eventType),
		recipientAccountId: text(r.recipientAccountId),
		awsRegion: text(r.awsRegion),
		identityType: text(identity?.type),
		identityArn,
		identityUserName,
		// Nearly one value per session (AROA…:name): as a dictionary entry on every event it cost
		// more than all the other names together; it is read only to name a caller that has nothing else.
		identityPrincipalId: identityArn === null && identityUserName === null ? text(identity?.principalId) : null,
		identityAccountId: text(identity?.accountId),
		accessKeyId: text(identity?.accessKeyId) || null,
		mfaAuthenticated: flag(attributes?.mfaAuthenticated),
		invokedBy: text(identity?.invokedBy),
		sourceIp: text(r.sourceIPAddress),
		userAgent: text(r.userAgent),
		errorCode: normaliseErrorCode(r.errorCode),
		errorMessage: text(r.errorMessage),
		readOnly: flag(r.readOnly),
		facts: encodeFacts(facts),
		mintedAccessKeyId: mintedAccessKeyId(r.responseElements),
		flags: flags.length > 0 ? flags.join(',') : null,
		raw,
		position,
	};
}
