// Ends the run with a plain "N passed, N failed" line that tools outside vitest can read.
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const count = (state: 'passed' | 'failed' | 'skipped') => testModules.reduce((n, m) => n + [...m.children.allTests(state)].length, 0);
    const skipped = count('skipped');
    process.stdout.write(`\n${count('passed')} passed, ${count('failed')} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
