/**
 * Entry of the portable bundle (scripts/pack.mjs): one file is both the CLI and the import's
 * worker thread (source/import/pool.ts starts this same file as the worker), so nothing else has
 * to sit beside it.
 */
import {isMainThread} from 'node:worker_threads';

if (isMainThread) await import('./cli.js');
else await import('./import/worker.js');
