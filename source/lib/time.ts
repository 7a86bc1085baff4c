/**
 * Times in the case file are UTC strings 'YYYY-MM-DDTHH:MM:SSZ' (CloudTrail's own precision), so
 * string order is time order.
 */
import {UsageError} from './errors.js';

const isoLike = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

export interface ParsedTime {
	/** Canonical UTC time, second precision. */
	utc: string;
	/** The input had no zone and was read as UTC, or was an epoch number, or carried an offset. */
	note?: 'no-zone' | 'epoch' | 'offset';
}

export function formatUtc(ms: number): string {
	return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const canonical = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z$/;
const daysIn = (year: number, month: number) => (month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);

/** Parses the time shapes seen in CloudTrail exports; undefined when it is not a real time. */
export function parseEventTime(value: unknown): ParsedTime | undefined {
	// CloudTrail's own spelling, already canonical (nearly every record): checked, not rebuilt.
	if (typeof value === 'string' && value.length === 20) {
		const c = canonical.exec(value);
		if (c) {
			const year = Number(c[1]);
			const month = Number(c[2]);
			const day = Number(c[3]);
			if (year >= 1990 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && Number(c[4]) < 24 && Number(c[5]) < 60 && Number(c[6]) < 60) return {utc: value};
		}
	}
	if (typeof value === 'number' && Number.isFinite(value)) {
		// Epoch seconds (lookup-events CLI v1) or milliseconds.
		const ms = value > 1e11 ? value : value * 1000;
		return inRange(ms) ? {utc: formatUtc(ms), note: 'epoch'} : undefined;
	}
	if (typeof value !== 'string') return undefined;
	const text = value.trim();
	if (/^\d{9,13}(\.\d+)?$/.test(text)) return parseEventTime(Number(text));
	const m = isoLike.exec(text);
	if (!m) return undefined;
	const [, y, mo, d, h = '00', mi = '00', s = '00', , zone] = m;
	const year = Number(y);
	const month = Number(mo);
	const day = Number(d);
	const hour = Number(h);
	const minute = Number(mi);
	const second = Number(s);
	if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
	let ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59));
	// Date.UTC rolls 2024-02-30 over to March: that is not a real date.
	if (new Date(ms).getUTCDate() !== day) return undefined;
	let note: ParsedTime['note'];
	if (!zone) note = 'no-zone';
	else if (zone !== 'Z' && zone !== 'z' && zone !== 'UTC') {
		const sign = zone.startsWith('-') ? -1 : 1;
		const digits = zone.slice(1).replace(':', '');
		const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
		ms -= sign * offset * 60_000;
		if (offset !== 0) note = 'offset';
	}
	return inRange(ms) ? {utc: formatUtc(ms), note} : undefined;
}

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** 'Jul 18, 2014 4:07:39 PM' (AssumeRole) and 'Oct 25, 2024, 9:07:11 PM' (AssumeRoot: a comma after the year). */
const stsMonthName = /^([A-Za-z]{3})[a-z]*\.? (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2}) ?([AP]M)$/i;
/** ISO basic, as in the userIdentity reference's creationDate '20131102T010628Z'. */
const isoBasic = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * STS times that are not ISO: credentials.expiration in both month-name forms, and ISO-basic
 * session creation dates; ISO text goes through parseEventTime. No zone is stated: UTC is presumed
 * (unverified), so the result carries note 'no-zone' for the month-name forms.
 */
export function parseStsTime(value: unknown): ParsedTime | undefined {
	if (typeof value !== 'string') return parseEventTime(value);
	const text = value.trim();
	const basic = isoBasic.exec(text);
	if (basic) return parseEventTime(`${basic[1]}-${basic[2]}-${basic[3]}T${basic[4]}:${basic[5]}:${basic[6]}Z`);
	const m = stsMonthName.exec(text);
	if (!m) return parseEventTime(text);
	const month = months.indexOf(m[1].toLowerCase());
	let hour = Number(m[4]);
	if (month < 0 || hour < 1 || hour > 12) return undefined;
	if (m[7].toUpperCase() === 'PM' && hour !== 12) hour += 12;
	if (m[7].toUpperCase() === 'AM' && hour === 12) hour = 0;
	const pad = (n: number | string) => String(n).padStart(2, '0');
	const parsed = parseEventTime(`${m[3]}-${pad(month + 1)}-${pad(m[2])}T${pad(hour)}:${m[5]}:${m[6]}`);
	return parsed && {utc: parsed.utc, note: 'no-zone'};
}

function inRange(ms: number): boolean {
	return ms >= Date.UTC(1990, 0, 1) && ms < Date.UTC(10000, 0, 1);
}

const relative = /^(\d+)\s*(s|m|h|d|w)$/i;
const unitMs: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000};

/** A length of time on the command line ('90s', '10m', '1h', '2d') in milliseconds; throws when it is none. */
export function parseDuration(value: string): number {
	const m = relative.exec(value.trim());
	if (!m || Number(m[1]) === 0) throw new UsageError(`not a duration: ${JSON.stringify(value)} (use for example 90s, 10m, 1h)`);
	return Number(m[1]) * unitMs[m[2].toLowerCase()];
}

export interface TimeArgumentOptions {
	/**
	 * For the end of a range (--until): a bare date (2024-03-01, no time of day) means the end of
	 * that day (23:59:59 in its zone, UTC without one), so the whole day is included.
	 */
	endOfDay?: boolean;
}

/**
 * Parses a time given on the command line: ISO 8601 ('2024-03-01', '2024-03-01T10:00Z') or a
 * relative age ('7d', '12h', '30m') counted back from now. Throws with a clear message otherwise.
 */
export function parseTimeArgument(value: string, now: number = Date.now(), options: TimeArgumentOptions = {}): string {
	if (relative.test(value.trim())) return formatUtc(now - parseDuration(value));
	const parsed = parseEventTime(value);
	if (!parsed) throw new UsageError(`not a time: ${JSON.stringify(value)} (use ISO 8601 such as 2024-03-01 or 2024-03-01T10:00Z, or an age such as 7d, 12h, 30m)`);
	const bareDate = isoLike.exec(value.trim())?.[4] === undefined && parsed.note !== 'epoch';
	if (options.endOfDay && bareDate) return formatUtc(Date.parse(parsed.utc) + 86_399_000);
	return parsed.utc;
}
