// Every check Seaworthy runs. A contract test fails when a folder under checks/ is missing here.
import runbooks from './runbooks/index.ts';

export const CHECKS = [runbooks] as const;
