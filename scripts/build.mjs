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

/**
 * meow without its package.json lookup (source/lib/meow.ts says why). meow's build ships its
 * dependencies as one module whose top level evaluates all of them: the calls there are marked
 * pure so that esbuild drops what nothing uses, and options.js's import of the package.json
 * reader and normaliser is replaced by stubs (mfatrail passes `pkg`). A meow whose files no longer
 * read as expected fails the build here rather than starting slowly or differently.
 */
export const meowWithoutPackageLookup = {
	name: 'meow-without-package-lookup',
	setup(b) {
		const patch = (file, from, to) => {
			const text = fs.readFileSync(file, 'utf8');
			const patched = text.replace(from, to);
			if (patched === text) throw new Error(`meow-without-package-lookup: ${file} no longer reads as expected (meow upgraded?): look again at source/lib/meow.ts`);
			return patched;
		};
		b.onLoad({filter: /[\\/]meow[\\/]build[\\/]dependencies\.js$/}, args => ({
			loader: 'js',
			contents: patch(args.path, /^(var|const) ([\w$]+) = ([\w$]+)\(/gm, '$1 $2 = /* @__PURE__ */ $3(').replace(/^promisify\(/m, '/* @__PURE__ */ promisify('),
		}));
		b.onLoad({filter: /[\\/]meow[\\/]build[\\/]options\.js$/}, args => ({
			loader: 'js',
			contents: patch(
				args.path,
				"import { a as readPackageUpSync, n as normalizePackageData } from './dependencies.js';",
				"const readPackageUpSync = () => { throw new Error('mfatrail passes pkg to meow'); }; const normalizePackageData = () => {};",
			),
		}));
	},
};

export async function buildDist() {
	await build({
		...common,
		entryPoints: modules(path.join(root, 'source')),
		outbase: path.join(root, 'source'),
		outdir: path.join(root, 'dist'),
		bundle: false,
	});
	// Over the file-for-file copy of source/lib/meow.ts: meow itself, bundled without its package.json lookup.
	await build({
		...common,
		absWorkingDir: root,
		entryPoints: ['meow'],
		outfile: path.join(root, 'dist', 'lib', 'meow.js'),
		bundle: true,
		plugins: [meowWithoutPackageLookup],
	});
	fs.chmodSync(path.join(root, 'dist', 'cli.js'), 0o755);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildDist();
