/**
 * The explorer shows times in UTC (CloudTrail's own) or in the responder's local zone (`u`). Cells
 * keep the ISO UTC string; only the frame formats it, so exports and copies stay UTC.
 */

export type Zone = 'utc' | 'local';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** '2024-03-01T10:00:00Z' → '2024-03-01 10:00:00' (UTC) or the local wall time; seconds optional. */
export function formatTime(iso: string | null | undefined, zone: Zone, seconds = true): string {
	if (!iso) return '';
	if (zone === 'utc') {
		const text = iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '');
		return seconds ? text : text.slice(0, 16);
	}
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return iso;
	const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
	const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ''}`;
	return `${day} ${clock}`;
}

/** The zone as the header shows it: 'UTC', or 'local UTC+01:00' (the offset now; rows use their own date's). */
export function zoneLabel(zone: Zone, now = new Date()): string {
	if (zone === 'utc') return 'UTC';
	const offset = -now.getTimezoneOffset();
	const sign = offset < 0 ? '-' : '+';
	const abs = Math.abs(offset);
	return `local UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A time typed by the user in the shown zone ('2024-03-01 10:00') → ISO UTC; undefined when not a time. */
export function parseShownTime(text: string, zone: Zone): string | undefined {
	const m = /^\s*(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?)?\s*(Z)?\s*$/.exec(text);
	if (!m) return undefined;
	const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7).map(v => v ?? undefined) as string[];
	const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
	const ms = zone === 'utc' || m[7] ? Date.UTC(...parts) : new Date(...parts).getTime();
	if (Number.isNaN(ms)) return undefined;
	return new Date(ms).toISOString().replace('.000Z', 'Z');
}
