// The published entry point `seaworthy/check` (package.json "exports"): what an organisation's own
// check imports. The contract, plus the zod that Seaworthy composes option schemas with, so a
// plugin's options join the configuration schema through the same library instance.
export * from './contract.ts';
export { z } from 'zod';
