import v8 from 'node:v8';
import {describe, expect, it} from 'vitest';
import {packEvents, unpackEvents} from '../../source/import/packed.js';
import {parseContent, type ReadEvent} from '../../source/import/parse.js';
import {record} from './helpers.js';

describe('events packed for the trip from a worker', () => {
	it('come back field for field, nulls, flags and repeated strings included', () => {
		const records = [
			record('p1', {errorCode: 'AccessDeniedException', errorMessage: 'no', readOnly: false}),
			record('p2', {userIdentity: {type: 'Root', sessionContext: {attributes: {mfaAuthenticated: 'true'}}}, eventName: 'EnableMFADevice'}),
			{...record('p3'), eventID: undefined},
		];
		const parsed = parseContent(Buffer.from(JSON.stringify({Records: records})), 'x.json');
		if (parsed.kind !== 'records') throw new Error(parsed.kind);
		const events: ReadEvent[] = parsed.events;
		expect(events).toHaveLength(3);
		// Through the same serialisation postMessage uses.
		const back = unpackEvents(v8.deserialize(v8.serialize(packEvents(events))));
		expect(back).toEqual(events);
		expect(back[1].mfaAuthenticated).toBe(1);
		expect(back[0].readOnly).toBe(0);
		expect(back[0].errorCode).toBe('AccessDenied');
		expect(back[2].eventIdDerived).toBe(true);
	});
});
