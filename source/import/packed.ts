import type {ReadEvent} from './parse.js';

/**
 * A source's events as they cross from a worker to the main thread. Structured clone of many small
 * objects is slow on both sides (every object writes and reads back its property names, every
 * string is copied however often it repeats); this form is a few typed arrays plus one table of
 * distinct strings, so account ids, regions, event names, ARNs and user agents cross once per source.
 */
export interface PackedEvents {
	count: number;
	/** Distinct string values of the source. */
	strings: string[];
	/** Per event, the index in `strings` of each of `sharedFields` (-1: null). */
	text: Int32Array<ArrayBuffer>;
	/** Per event, each of `ownFields`: values that rarely repeat, not worth a table lookup. */
	own: (string | null)[];
	/** Per event, each of `numberFields` (-1: null). */
	numbers: Int32Array<ArrayBuffer>;
}

/** Mostly unique per event. */
const ownFields = ['eventId', 'eventTime', 'identityPrincipalId', 'sourceIp', 'errorMessage', 'facts', 'flags', 'mintedAccessKeyId'] as const satisfies readonly (keyof ReadEvent)[];

/** Shared by many events of a source (account, region, service, caller). */
const sharedFields = [
	'eventVersion',
	'eventSource',
	'eventName',
	'eventType',
	'recipientAccountId',
	'awsRegion',
	'identityType',
	'identityArn',
	'identityUserName',
	'identityAccountId',
	'accessKeyId',
	'invokedBy',
	'userAgent',
	'errorCode',
] as const satisfies readonly (keyof ReadEvent)[];

const numberCount = 8;

export function packEvents(events: ReadEvent[]): PackedEvents {
	const n = events.length;
	const strings: string[] = [];
	const index = new Map<string, number>();
	const text = new Int32Array(n * sharedFields.length);
	const own: (string | null)[] = new Array(n * ownFields.length);
	let o = 0;
	const numbers = new Int32Array(n * numberCount);
	let t = 0;
	for (let i = 0; i < n; i++) {
		const e = events[i];
		for (const field of ownFields) own[o++] = e[field];
		for (const field of sharedFields) {
			const value = e[field] as string | null;
			if (value === null) {
				text[t++] = -1;
				continue;
			}
			let at = index.get(value);
			if (at === undefined) {
				at = strings.length;
				strings.push(value);
				index.set(value, at);
			}
			text[t++] = at;
		}
		const b = i * numberCount;
		numbers[b] = e.eventIdDerived ? 1 : 0;
		numbers[b + 1] = e.partial ? 1 : 0;
		numbers[b + 2] = e.mfaAuthenticated ?? -1;
		numbers[b + 3] = e.readOnly ?? -1;
		numbers[b + 4] = e.position;
		numbers[b + 5] = e.rawRef.block;
		numbers[b + 6] = e.rawRef.offset;
		numbers[b + 7] = e.rawRef.length;
	}
	return {count: n, strings, text, own, numbers};
}

const flagOf = (v: number) => (v === -1 ? null : (v as 0 | 1));

export function unpackEvents(packed: PackedEvents): ReadEvent[] {
	const {count, strings, text, own, numbers} = packed;
	const s = (i: number) => (i === -1 ? null : strings[i]);
	const events: ReadEvent[] = new Array(count);
	for (let i = 0; i < count; i++) {
		const t = i * sharedFields.length;
		const o = i * ownFields.length;
		const b = i * numberCount;
		events[i] = {
			eventId: own[o]!,
			eventTime: own[o + 1]!,
			identityPrincipalId: own[o + 2],
			sourceIp: own[o + 3],
			errorMessage: own[o + 4],
			facts: own[o + 5],
			flags: own[o + 6],
			mintedAccessKeyId: own[o + 7],
			eventVersion: s(text[t]),
			eventSource: s(text[t + 1]),
			eventName: s(text[t + 2]),
			eventType: s(text[t + 3]),
			recipientAccountId: s(text[t + 4]),
			awsRegion: s(text[t + 5]),
			identityType: s(text[t + 6]),
			identityArn: s(text[t + 7]),
			identityUserName: s(text[t + 8]),
			identityAccountId: s(text[t + 9]),
			accessKeyId: s(text[t + 10]),
			invokedBy: s(text[t + 11]),
			userAgent: s(text[t + 12]),
			errorCode: s(text[t + 13]),
			eventIdDerived: numbers[b] === 1,
			partial: numbers[b + 1] === 1,
			mfaAuthenticated: flagOf(numbers[b + 2]),
			readOnly: flagOf(numbers[b + 3]),
			position: numbers[b + 4],
			rawRef: {block: numbers[b + 5], offset: numbers[b + 6], length: numbers[b + 7]},
		};
	}
	return events;
}
