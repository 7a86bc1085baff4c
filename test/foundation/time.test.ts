import {describe, expect, it} from 'vitest';
import {parseEventTime, parseTimeArgument} from '../../source/lib/time.js';

describe('parseEventTime', () => {
	it('keeps CloudTrail UTC times as they are', () => {
		expect(parseEventTime('2023-07-10T12:27:31Z')).toEqual({utc: '2023-07-10T12:27:31Z', note: undefined});
	});
	it('converts a local offset to UTC (lookup-events, plaso)', () => {
		expect(parseEventTime('2022-02-08 09:23:37+11:00')).toEqual({utc: '2022-02-07T22:23:37Z', note: 'offset'});
		expect(parseEventTime('2021-11-18T09:41:02-08:00')?.utc).toBe('2021-11-18T17:41:02Z');
	});
	it('reads zone-less times as UTC and says so (Panther fixtures)', () => {
		expect(parseEventTime('2022-03-16 19:17:41')).toEqual({utc: '2022-03-16T19:17:41Z', note: 'no-zone'});
	});
	it('reads epoch seconds and milliseconds', () => {
		expect(parseEventTime(1424476529.0)?.utc).toBe('2015-02-20T23:55:29Z');
		expect(parseEventTime(1424476529000)?.utc).toBe('2015-02-20T23:55:29Z');
	});
	it('drops sub-second digits so string order stays time order', () => {
		expect(parseEventTime('2023-07-10T12:27:31.999Z')?.utc).toBe('2023-07-10T12:27:31Z');
	});
	it('refuses dates that do not exist and things that are not times', () => {
		expect(parseEventTime('2024-02-30T00:00:00Z')).toBeUndefined();
		expect(parseEventTime('yesterday')).toBeUndefined();
		expect(parseEventTime(null)).toBeUndefined();
		expect(parseEventTime({})).toBeUndefined();
	});
});

describe('parseTimeArgument', () => {
	const now = Date.UTC(2024, 2, 10, 12, 0, 0);
	it('accepts dates, date-times and relative ages', () => {
		expect(parseTimeArgument('2024-03-01', now)).toBe('2024-03-01T00:00:00Z');
		expect(parseTimeArgument('2024-03-01T10:00Z', now)).toBe('2024-03-01T10:00:00Z');
		expect(parseTimeArgument('7d', now)).toBe('2024-03-03T12:00:00Z');
		expect(parseTimeArgument('90m', now)).toBe('2024-03-10T10:30:00Z');
	});
	it('explains what it accepts when it cannot read the value', () => {
		expect(() => parseTimeArgument('last tuesday', now)).toThrow(/ISO 8601/);
	});
});

describe('parseTimeArgument with endOfDay (--until)', () => {
	const now = Date.UTC(2024, 2, 10, 12, 0, 0);
	it('reads a bare date as the end of that day, so the whole day is included', () => {
		expect(parseTimeArgument('2023-01-09', now, {endOfDay: true})).toBe('2023-01-09T23:59:59Z');
		expect(parseTimeArgument('2023-01-09Z', now, {endOfDay: true})).toBe('2023-01-09T23:59:59Z');
		expect(parseTimeArgument('2024-02-29', now, {endOfDay: true})).toBe('2024-02-29T23:59:59Z');
		expect(parseTimeArgument('2023-12-31', now, {endOfDay: true})).toBe('2023-12-31T23:59:59Z');
	});
	it('ends the day in the zone given', () => {
		expect(parseTimeArgument('2023-01-09+02:00', now, {endOfDay: true})).toBe('2023-01-09T21:59:59Z');
	});
	it('leaves times of day, ages and epochs as they are', () => {
		expect(parseTimeArgument('2023-01-09T00:00Z', now, {endOfDay: true})).toBe('2023-01-09T00:00:00Z');
		expect(parseTimeArgument('2023-01-09 10:30', now, {endOfDay: true})).toBe('2023-01-09T10:30:00Z');
		expect(parseTimeArgument('1d', now, {endOfDay: true})).toBe('2024-03-09T12:00:00Z');
		expect(parseTimeArgument('1673222400', now, {endOfDay: true})).toBe('2023-01-09T00:00:00Z');
	});
	it('without the option a bare date is midnight (the start of a range)', () => {
		expect(parseTimeArgument('2023-01-09', now)).toBe('2023-01-09T00:00:00Z');
	});
});
