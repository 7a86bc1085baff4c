import {describe, expect, it} from 'vitest';
import {unsupportedNode} from '../../source/package-root.js';

/** package.json's engines says ">=22.15": an older Node gets one line saying so, not a SyntaxError. */
describe('the oldest Node mfatrail runs on', () => {
	it('refuses 20 and 22.14 in words, accepts 22.15, 22.20 and 24', () => {
		expect(unsupportedNode('20.20.2')).toBe('mfatrail needs Node.js 22.15 or newer (this is 20.20.2): install a current LTS, or use the portable bundle, which carries its own');
		expect(unsupportedNode('22.14.0')).toMatch(/^mfatrail needs Node\.js 22\.15 or newer \(this is 22\.14\.0\)/);
		for (const ok of ['22.15.0', '22.20.1', '24.0.0', '25.2.1']) expect(unsupportedNode(ok)).toBeUndefined();
	});
});
