/** STS time strings (mfa-2024-2026.md §3.6): both month-name forms and ISO basic, read as UTC. */
import {describe, expect, it} from 'vitest';
import {parseStsTime} from '../../source/lib/time.js';

describe('parseStsTime', () => {
	it('reads AssumeRole expirations (AWS IAM user guide examples)', () => {
		expect(parseStsTime('Jul 18, 2014 4:07:39 PM')).toEqual({utc: '2014-07-18T16:07:39Z', note: 'no-zone'});
		expect(parseStsTime('Jan 22, 2021 12:46:28 AM')).toEqual({utc: '2021-01-22T00:46:28Z', note: 'no-zone'});
	});

	it('reads the AssumeRoot form with a comma after the year (IAM user guide, privileged tasks)', () => {
		expect(parseStsTime('Oct 25, 2024, 9:07:11 PM')?.utc).toBe('2024-10-25T21:07:11Z');
		expect(parseStsTime('Dec 1, 2024, 12:00:05 PM')?.utc).toBe('2024-12-01T12:00:05Z');
	});

	it('reads ISO basic and ISO creation dates, and rejects what is not a time', () => {
		expect(parseStsTime('20131102T010628Z')?.utc).toBe('2013-11-02T01:06:28Z');
		expect(parseStsTime('2024-10-25T20:52:11Z')?.utc).toBe('2024-10-25T20:52:11Z');
		expect(parseStsTime('Foo 25, 2024, 9:07:11 PM')).toBeUndefined();
		expect(parseStsTime('Feb 30, 2024 1:00:00 PM')).toBeUndefined();
		expect(parseStsTime('Oct 25, 2024, 13:07:11 PM')).toBeUndefined();
		expect(parseStsTime(null)).toBeUndefined();
	});
});
