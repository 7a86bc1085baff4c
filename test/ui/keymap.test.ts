import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {keymap, keyTableMarkdown, screenNames} from '../../source/ui/keymap.js';
import {repoRoot} from './helpers.js';

describe('keymap', () => {
	it('the key table of docs/explorer.md is the one generated from the keymap', () => {
		const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'explorer.md'), 'utf8');
		expect(doc).toContain(keyTableMarkdown());
	});

	it('no key means two things on one screen', () => {
		for (const screen of screenNames) {
			const seen = new Map<string, string>();
			for (const b of keymap.filter(k => k.screens === 'all' || k.screens.includes(screen))) {
				for (const key of b.keys.split(' ')) {
					expect(seen.get(key), `${key} on ${screen}`).toBeUndefined();
					seen.set(key, b.action);
				}
			}
		}
	});
});
