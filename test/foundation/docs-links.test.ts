/**
 * The README is the front door and docs/ holds the reference: every relative link in README.md and
 * docs/*.md points at a file that exists (and, with #anchor into Markdown, at a heading there, as
 * GitHub spells anchors), and every page of docs/ is reachable from the README.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {repoRoot} from '../import/helpers.js';

const pages = ['README.md', ...fs.readdirSync(path.join(repoRoot, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)];

/** Markdown outside fenced code blocks and inline code spans. */
function prose(text: string): string {
	return text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

function links(text: string): string[] {
	return [...prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map(m => m[1]);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
	return heading
		.replace(/`/g, '')
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
	const text = fs.readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
	return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map(m => slug(m[1])));
}

describe('documentation links', () => {
	for (const page of pages) {
		it(`${page}: every relative link resolves`, () => {
			const broken: string[] = [];
			for (const link of links(fs.readFileSync(path.join(repoRoot, page), 'utf8'))) {
				if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue;
				const [target, anchor] = link.split('#');
				const file = target === '' ? path.join(repoRoot, page) : path.resolve(repoRoot, path.dirname(page), decodeURIComponent(target));
				if (!fs.existsSync(file)) broken.push(`${link}: no such file`);
				else if (anchor && file.endsWith('.md') && !anchors(file).has(anchor)) broken.push(`${link}: no such heading`);
			}
			expect(broken).toEqual([]);
		});
	}

	it('README.md links every page of docs/', () => {
		const linked = new Set(links(fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8')).map(l => l.split('#')[0]));
		expect(pages.filter(p => p !== 'README.md' && !linked.has(p))).toEqual([]);
	});

	it('README.md stays the front door: at most 300 lines', () => {
		expect(fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(300);
	});
});
