import {describe, expect, it} from 'vitest';
import {resample, sparkline} from '../../source/lib/sparkline.js';

describe('sparkline', () => {
	it('scales to the largest value; zero is blank and any count shows', () => {
		expect(sparkline([0, 1, 4, 8])).toBe(' ▂▅█');
		expect(sparkline([0, 1, 1000])).toBe(' ▁█');
		expect(sparkline([0, 0])).toBe('  ');
		expect(sparkline([2, 2], 4)).toBe('▅▅');
	});

	it('resamples by summing neighbours, keeping the total', () => {
		const values = Array.from({length: 60}, (_, i) => i % 7);
		const narrow = resample(values, 40);
		expect(narrow).toHaveLength(40);
		expect(narrow.reduce((a, b) => a + b, 0)).toBe(values.reduce((a, b) => a + b, 0));
		expect(resample([1, 2, 3], 10)).toEqual([1, 2, 3]);
	});
});
