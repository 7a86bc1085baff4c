/**
 * The build `npm install` runs (prepare) and `npm test` starts with: esbuild turns each module of
 * source/ into one of dist/ (same layout, so paths taken from import.meta.url and the worker file
 * still resolve, and commands still load on demand). dist/ is not emptied first: test files that
 * build while others run the CLI must not pull files away from under them. It takes well under a second; type checking
 * is not its job: `npm test` runs tsc -p tsconfig.test.json after it (the portable bundle is
 * scripts/pack.mjs).
 */
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function modules(dir) {
	return fs.readdirSync(dir, {withFileTypes: true}).flatMap(entry => {
		const file = path.join(dir, entry.name);
		if (entry.isDirectory()) return modules(file);
		return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [file] : [];
	});
}

/** What every esbuild run of the project shares (scripts/pack.mjs too). */
export const common = {
	platform: 'node',
	// The oldest Node the package supports (engines).
	target: 'node22.15',
	format: 'esm',
	jsx: 'automatic',
	logLevel: 'warning',
};

export async function buildDist() {
	await build({
		...common,
		entryPoints: modules(path.join(root, 'source')),
		outbase: path.join(root, 'source'),
		outdir: path.join(root, 'dist'),
		bundle: false,
	});
	fs.chmodSync(path.join(root, 'dist', 'cli.js'), 0o755);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildDist();
