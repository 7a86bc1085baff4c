/**
 * meow, as the commands load it. In dist/ this file is replaced by meow bundled without what
 * mfatrail never asks of it (scripts/build.mjs, `meowWithoutPackageLookup`): finding, reading and
 * normalising a package.json. meow's own build evaluates normalize-package-data's licence and
 * host tables when it loads, 20–35 ms of every command's start; mfatrail gives meow `pkg` itself.
 */
export {default} from 'meow';
