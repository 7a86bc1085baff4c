/**
 * A clone needs nothing beside it: the tests carry their fixtures (test/fixtures) and the research
 * notes live in docs/research. No tracked file outside test/fixtures (whose SOURCES say where the
 * records came from) names the old sibling folder.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {repoRoot} from '../import/helpers.js';

// Spelled in two parts so that this file does not name it either.
const sibling = ['..', 'shared'].join('/');

describe('self-contained clone', () => {
	it(`no tracked file outside test/fixtures mentions ${sibling}`, () => {
		const files = execFileSync('git', ['ls-files', '-z'], {cwd: repoRoot, encoding: 'utf8'}).split('\0').filter(f => f !== '' && !f.startsWith('test/fixtures/'));
		expect(files.length).toBeGreaterThan(100);
		const naming = files.filter(f => fs.existsSync(path.join(repoRoot, f)) && fs.readFileSync(path.join(repoRoot, f)).includes(sibling));
		expect(naming).toEqual([]);
	});
});
