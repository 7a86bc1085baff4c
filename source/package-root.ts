import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/**
 * The package's root folder (package.json, db/): one level above this module, whether it runs as
 * source/package-root.ts, as dist/package-root.js or inside the portable bundle's lib/app.mjs.
 */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type PackageJson = {version: string; engines?: {node?: string}};

let read: PackageJson | undefined;
/** Read once: the start-up check and --version both ask. */
const packageJson = (): PackageJson => (read ??= JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as PackageJson);

/** mfatrail's version, from its package.json. */
export function toolVersion(): string {
	return packageJson().version;
}

/**
 * Why this Node cannot run mfatrail, or undefined: package.json's engines (">=MAJOR.MINOR") is the
 * one statement of the oldest Node (zstd in node:zlib, module.enableCompileCache). The portable
 * bundle's package.json states none: it carries its own Node.
 */
export function unsupportedNode(version = process.versions.node): string | undefined {
	const wanted = /^>=\s*(\d+)\.(\d+)/.exec(packageJson().engines?.node ?? '');
	if (!wanted) return undefined;
	const [major, minor] = version.split('.').map(Number);
	const [needMajor, needMinor] = [Number(wanted[1]), Number(wanted[2])];
	if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
	return `mfatrail needs Node.js ${needMajor}.${needMinor} or newer (this is ${version}): install a current LTS, or use the portable bundle, which carries its own`;
}
