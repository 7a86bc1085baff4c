/**
 * A row of block characters for a series of counts (the overview's sign-in chart): one character
 * per value, its height relative to the largest. Zero is blank and any count above zero draws at
 * least '▁', so a single failure in a busy month still shows.
 */
const blocks = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One character per value: ' ' for zero, '▁'…'█' for the rest, scaled to `max` (default the largest). */
export function sparkline(values: readonly number[], max = Math.max(0, ...values)): string {
	if (max <= 0) return ' '.repeat(values.length);
	return values.map(v => (v <= 0 ? ' ' : blocks[Math.min(blocks.length - 1, Math.floor((v / max) * (blocks.length - 1) + 0.5))])).join('');
}

/** Values summed into `width` groups of neighbours (a 60-slice series drawn in 40 columns). */
export function resample(values: readonly number[], width: number): number[] {
	const n = Math.max(1, Math.floor(width));
	if (values.length <= n) return [...values];
	const out = new Array<number>(n).fill(0);
	values.forEach((v, i) => (out[Math.min(n - 1, Math.floor((i * n) / values.length))] += v));
	return out;
}
