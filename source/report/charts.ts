/**
 * The report's charts as inline SVG: no script, no external reference, every evidence string
 * through html(). Colours and shapes come from classes in the report's one style block, so no
 * style attribute is needed (the page's CSP allows only that block). Coordinates are rounded to
 * one decimal so the output is the same on every run.
 */
import {html} from '../lib/markup.js';
import type {DeviceLane, ReportPrincipal, SignInMark} from './model.js';

const width = 860;
const labelHeight = 14;
const laneHeight = 16;
const laneGap = 10;
const marginX = 12;
const axisHeight = 30;
/** A chart draws at most this many sign-in marks per lane (the tables hold every one). */
const maxMarks = 1000;

const r = (n: number) => String(Math.round(n * 10) / 10);

/** A label is cut only in the chart; the table beside it shows the whole value. */
function label(text: string, max = 90): string {
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

interface Axis {
	x(time: string): number;
	ticks: {x: number; text: string}[];
}

function axis(from: string, to: string): Axis {
	let start = Date.parse(from);
	let end = Date.parse(to);
	if (!Number.isFinite(start) || !Number.isFinite(end)) {
		start = 0;
		end = 1;
	}
	if (end - start < 60_000) {
		start -= 30 * 60_000;
		end += 30 * 60_000;
	}
	const pad = (end - start) * 0.02;
	start -= pad;
	end += pad;
	const span = end - start;
	const x = (time: string) => {
		const t = Date.parse(time);
		const at = Number.isFinite(t) ? t : start;
		return marginX + ((at - start) / span) * (width - 2 * marginX);
	};
	const ticks = Array.from({length: 5}, (_, i) => {
		const t = start + (span * (i + 0.5)) / 5;
		const iso = new Date(t).toISOString();
		return {x: marginX + ((t - start) / span) * (width - 2 * marginX), text: span > 3 * 86_400_000 ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`};
	});
	return {x, ticks};
}

function marks(list: SignInMark[], a: Axis, y: number): string {
	return list
		.slice(0, maxMarks)
		.map(m => `<circle class="${m.ok ? 'ok' : 'fail'}" cx="${r(a.x(m.eventTime))}" cy="${r(y + laneHeight / 2)}" r="4"><title>${html(`${m.eventName} ${m.ok ? 'Success' : 'Failure'} ${m.eventTime} ${m.eventId}`)}</title></circle>`)
		.join('');
}

/** Segments of a device's life: created → enabled → deactivated → deleted (open-ended while it lives). */
function segments(lane: DeviceLane, a: Axis, to: string, y: number): string {
	const out: string[] = [];
	const start = lane.createdAt ?? lane.enabledAt ?? lane.firstSeen;
	const stops: [string | null, string][] = [
		[lane.createdAt, 'created'],
		[lane.enabledAt, 'enabled'],
		[lane.deactivatedAt, 'deactivated'],
		[lane.deletedAt, 'deleted'],
	];
	const known = stops.filter((s): s is [string, string] => s[0] !== null).sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0));
	if (!start) return '';
	if (!lane.createdAt && !lane.enabledAt) {
		// Seen only in use: its start is not in the evidence.
		out.push(`<rect class="seg unknown" x="${r(a.x(start))}" y="${r(y)}" width="${r(Math.max(1, a.x(to) - a.x(start)))}" height="${laneHeight}"><title>in use, start not in the evidence</title></rect>`);
	}
	for (let i = 0; i < known.length; i++) {
		const [time, state] = known[i];
		if (state === 'deleted') break;
		const end = known[i + 1]?.[0] ?? to;
		out.push(`<rect class="seg ${state}" x="${r(a.x(time))}" y="${r(y)}" width="${r(Math.max(1, a.x(end) - a.x(time)))}" height="${laneHeight}"><title>${html(`${state} ${time}`)}</title></rect>`);
	}
	for (const [time, state] of known) {
		const x = a.x(time);
		out.push(`<path class="tick ${state}" d="M${r(x)} ${r(y - 3)}V${r(y + laneHeight + 3)}"><title>${html(`${state} ${time}`)}</title></path>`);
	}
	return out.join('');
}

function axisSvg(a: Axis, y: number): string {
	return `<path class="axis" d="M${marginX} ${r(y)}H${width - marginX}"/>${a.ticks
		.map(t => `<path class="axis" d="M${r(t.x)} ${r(y)}v4"/><text class="tick-label" x="${r(t.x)}" y="${r(y + 16)}" text-anchor="middle">${html(t.text)}</text>`)
		.join('')}`;
}

/** One lane per device incarnation, and one for sign-ins that named no known device. */
export function swimlaneSvg(p: ReportPrincipal): string {
	if (!p.from || !p.to) return '';
	const a = axis(p.from, p.to);
	const rows: string[] = [];
	let y = 6;
	const lane = (title: string, body: string) => {
		rows.push(`<text class="lane-label" x="${marginX}" y="${r(y + 10)}">${html(label(title))}</text>`);
		y += labelHeight;
		rows.push(`<rect class="lane" x="${marginX}" y="${r(y)}" width="${width - 2 * marginX}" height="${laneHeight}"/>`, body);
		y += laneHeight + laneGap;
	};
	for (const l of p.lanes) {
		const title = `${l.serialNumber}${l.incarnation > 1 ? ` (incarnation ${l.incarnation})` : ''} — ${l.state}`;
		lane(title, segments(l, a, p.to, y + labelHeight) + marks(l.signIns, a, y + labelHeight));
	}
	if (p.otherSignIns.length > 0) lane('sign-ins naming no known MFA device', marks(p.otherSignIns, a, y + labelHeight));
	rows.push(axisSvg(a, y));
	const height = y + axisHeight;
	return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${r(height)}" width="${width}" height="${r(height)}" role="img" aria-label="MFA devices over time">${rows.join('')}</svg>`;
}

/** Sign-in outcomes per period: successes and failures as stacked bars. */
export function outcomesSvg(p: ReportPrincipal): string {
	if (p.outcomes.length === 0) return '';
	const height = 150;
	const top = 10;
	const bottom = height - 34;
	const max = Math.max(...p.outcomes.map(o => o.success + o.failure));
	const slot = (width - 2 * marginX) / p.outcomes.length;
	const barWidth = Math.max(2, Math.min(40, slot * 0.7));
	const scale = (n: number) => ((bottom - top) * n) / max;
	const bars = p.outcomes.map((o, i) => {
		const x = marginX + slot * i + (slot - barWidth) / 2;
		const ok = scale(o.success);
		const fail = scale(o.failure);
		const tip = `<title>${html(`${o.period}: ${o.success} success, ${o.failure} failure`)}</title>`;
		const labelEvery = Math.ceil(p.outcomes.length / 8);
		const text = i % labelEvery === 0 ? `<text class="tick-label" x="${r(x + barWidth / 2)}" y="${bottom + 16}" text-anchor="middle">${html(o.period)}</text>` : '';
		return (
			(o.success > 0 ? `<rect class="bar ok" x="${r(x)}" y="${r(bottom - ok)}" width="${r(barWidth)}" height="${r(ok)}">${tip}</rect>` : '') +
			(o.failure > 0 ? `<rect class="bar fail" x="${r(x)}" y="${r(bottom - ok - fail)}" width="${r(barWidth)}" height="${r(fail)}">${tip}</rect>` : '') +
			text
		);
	});
	return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="sign-in outcomes per ${p.bucket}"><path class="axis" d="M${marginX} ${bottom}H${width - marginX}"/><text class="tick-label" x="${marginX}" y="${top + 2}">${max}</text>${bars.join('')}</svg>`;
}
