import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../checks/registry.ts';
import { ROOT, tempDir } from '../tests/helpers.ts';
import { LABELLED_CHECKS, LabelError, loadLabels, parseLabel } from './labels.ts';

// Line numbers in the assertions below refer to this text.
const VALID = `repo: acme/payments
commit: 0123456789abcdef0123456789abcdef01234567
commit_date: "2026-08-21T15:08:06+02:00"
default_branch: main
kind: service
kind_notes: "Rails app deployed with Helm (charts/app)"
checks:
  runbooks:
    status: warn
    score: 6
    evidence:
      - "docs/runbooks/payments.md:1-40 diagnosis and mitigation steps"
    notes: "a runbook, no alert links to it"
  rollback-plan:
    status: fail
    score: 3
    evidence: []
    notes: ""
  separated-migrations: {status: not-applicable, score: null, evidence: [], notes: "no database"}
  dependency-freshness: {status: unknown, score: null, evidence: ["renovate.json:1"], notes: "drift needs registries"}
  stale-flags: {status: pass, score: 8.5, evidence: [], notes: ""}
  cost-tags: {status: not-applicable, score: null, evidence: [], notes: ""}
traps:
  - "spec/fixtures/deploy.yaml looks like a production manifest"
labelled_by: "tester (never saw check code), 2026-12-07"
`;

const FILE = 'acme__payments.yaml';

function replaceLine(line: number, text: string): string {
  const lines = VALID.split('\n');
  lines[line - 1] = text;
  return lines.join('\n');
}

function problemsOf(text: string, file = FILE): string[] {
  try {
    parseLabel(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(LabelError);
    // The first line of each problem says where and what; the example under it is checked once below.
    return (error as LabelError).problems.map((p) => p.split('\n')[0]!);
  }
  throw new Error('expected a LabelError');
}

describe('label files', () => {
  it('parse with every field of the rubric', () => {
    const label = parseLabel(VALID, FILE);
    expect(label.repo).toBe('acme/payments');
    expect(label.commit).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(label.kind).toBe('service');
    expect(label.checks.runbooks).toEqual({ status: 'warn', score: 6, evidence: ['docs/runbooks/payments.md:1-40 diagnosis and mitigation steps'], notes: 'a runbook, no alert links to it' });
    expect(label.checks['dependency-freshness'].status).toBe('unknown');
    expect(label.checks['stale-flags'].score).toBe(8.5);
    expect(label.traps).toEqual(['spec/fixtures/deploy.yaml looks like a production manifest']);
  });

  it('name the file, the line and the path of a status that is not one of the rubric', () => {
    const text = replaceLine(9, '    status: passed');
    expect(problemsOf(text)).toEqual(['acme__payments.yaml:9: checks.runbooks.status: expected one of "pass", "warn", "fail", "not-applicable", got string "passed"']);
    expect(() => parseLabel(text, FILE)).toThrow(/example for checks\.runbooks\.status:\n\s+status: warn/);
  });

  it('allow unknown only for dependency-freshness', () => {
    const [problem] = problemsOf(replaceLine(9, '    status: unknown'));
    expect(problem).toContain('acme__payments.yaml:9: checks.runbooks.status: expected one of "pass", "warn", "fail", "not-applicable", got string "unknown"');
  });

  it('refuse scores outside 0–10 and with more than one decimal', () => {
    expect(problemsOf(replaceLine(10, '    score: 12'))[0]).toMatch(/^acme__payments\.yaml:10: checks\.runbooks\.score: .*10/);
    expect(problemsOf(replaceLine(10, '    score: 6.66'))[0]).toContain('acme__payments.yaml:10: checks.runbooks.score: must be a whole number or have one decimal');
  });

  it('tie a null score to not-applicable or unknown, both ways', () => {
    expect(problemsOf(replaceLine(10, '    score: null'))).toEqual(['acme__payments.yaml:10: checks.runbooks.score: score null means not-applicable; give a warn practice a score from 0 to 10']);
    const scoredNa = problemsOf(replaceLine(19, '  separated-migrations: {status: not-applicable, score: 4, evidence: [], notes: ""}'));
    expect(scoredNa).toEqual(['acme__payments.yaml:19: checks.separated-migrations.score: a not-applicable practice has no score: write "score: null"']);
    const scoredUnknown = problemsOf(replaceLine(20, '  dependency-freshness: {status: unknown, score: 5, evidence: [], notes: ""}'));
    expect(scoredUnknown[0]).toContain('acme__payments.yaml:20: checks.dependency-freshness.score: a unknown practice has no score');
  });

  it('want the full 40-hex commit and a committer date with its offset', () => {
    expect(problemsOf(replaceLine(2, 'commit: 0123abc'))[0]).toContain('acme__payments.yaml:2: commit: must be the full 40-character lower-case commit sha');
    expect(problemsOf(replaceLine(3, 'commit_date: "2026-08-21 15:08"'))[0]).toContain('acme__payments.yaml:3: commit_date: must be the committer date with its offset');
  });

  it('report a missing check, an unknown key and a wrong kind', () => {
    const missing = problemsOf(replaceLine(22, ''));
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatch(/^acme__payments\.yaml:\d+: checks\.cost-tags: expected object, got nothing/);
    expect(problemsOf(replaceLine(13, '    note: "typo"')).sort()).toEqual(['acme__payments.yaml:13: checks.runbooks: unknown key "note"', 'acme__payments.yaml:9: checks.runbooks.notes: expected string, got nothing']);
    expect(problemsOf(replaceLine(5, 'kind: app'))[0]).toContain('acme__payments.yaml:5: kind: expected one of "service", "infrastructure", "library", "other", got string "app"');
  });

  it('report YAML syntax errors with the line', () => {
    expect(problemsOf(replaceLine(12, '      - "unterminated'))[0]).toMatch(/^acme__payments\.yaml:1\d: YAML syntax error/);
  });

  it('must be named after the repository they describe', () => {
    expect(problemsOf(VALID, 'acme__billing.yaml')).toEqual(['acme__billing.yaml:1: repo: the file is named for "acme__billing" but describes acme/payments; name it acme__payments.yaml']);
  });

  describe('a folder of labels', () => {
    const tmp = tempDir('sw-labels-');
    afterAll(tmp.cleanup);

    it('loads the good ones and returns the others with their problems', () => {
      const dir = path.join(tmp.dir, 'labels');
      mkdirSync(dir);
      writeFileSync(path.join(dir, FILE), VALID);
      writeFileSync(path.join(dir, 'acme__payments.yml'), VALID);
      writeFileSync(path.join(dir, 'acme__broken.yaml'), VALID.replace('acme/payments', 'acme/broken').replace('kind: service', 'kind: app'));
      writeFileSync(path.join(dir, 'NOTES.md'), '# not a label\n');
      const { labels, unreadable } = loadLabels(dir);
      expect(labels.map((l) => [path.basename(l.file), l.label.repo])).toEqual([[FILE, 'acme/payments']]);
      expect(unreadable.map((u) => path.basename(u.file))).toEqual(['acme__broken.yaml', 'acme__payments.yml']);
      expect(unreadable[0]!.problems[0]).toContain('acme__broken.yaml:5: kind');
      expect(unreadable[1]!.problems).toEqual(['acme__payments.yml: acme/payments is already labelled in acme__payments.yaml; keep one file per repository']);
    });
  });
});

describe('the committed corpus', () => {
  it('every label in calibration/labels/ parses, so a labeller’s mistake fails CI', () => {
    const { unreadable } = loadLabels(path.join(ROOT, 'calibration', 'labels'));
    expect(unreadable.flatMap((u) => u.problems)).toEqual([]);
  });

  it('labels exactly the checks Seaworthy has: a new check needs the rubric and the labels to cover it', () => {
    expect([...LABELLED_CHECKS].sort()).toEqual(CHECKS.map((c) => c.id).sort());
  });
});
