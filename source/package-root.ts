import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/**
 * The package's root folder (package.json, db/): one level above this module, whether it runs as
 * source/package-root.ts, as dist/package-root.js or inside the portable bundle's lib/app.mjs.
 */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** mfatrail's version, from its package.json. */
export function toolVersion(): string {
	return (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {version: string}).version;
}
