import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../crawler/config.ts';
import { makeRedactor } from '../crawler/github/client.ts';
import { carriedOwner, catalogOwner, codeownersTeam, resolveOwner, teamForName } from '../crawler/ownership.ts';
import { buildSnapshot } from '../crawler/sources/snapshot.ts';

const config = parseConfig(
  `sources:\n  - type: local\n    paths: ['r/*']\nteams:\n  - {name: payments, displayName: Payments, repos: [ledger], githubTeams: [payments-backend, Payments-Oncall]}\n  - {name: platform, displayName: Platform, repos: [infra-*]}\n`,
  '/tmp/seaworthy.config.yaml',
);

function snapshotWith(files: Record<string, string>) {
  const entries = Object.keys(files).map((p) => ({ path: p, size: files[p]!.length, oid: p, kind: 'file' as const }));
  const contents = new Map(Object.entries(files).map(([p, text]) => [p, { ok: true as const, text, truncated: false as const, encoding: 'utf-8' as const, invalidBytes: false }]));
  return buildSnapshot({ identity: { host: 'github.com', owner: 'acme', name: 'x', defaultBranch: 'main' }, head: { oid: 'abc', date: '2026-01-01T00:00:00Z' }, files: entries, contents, historyComplete: false, commits: [], problems: [] });
}

describe('ownership', () => {
  it('reads the first team of the last "*" rule in CODEOWNERS, ignoring users and comments', () => {
    expect(codeownersTeam('# top\n*  @alice @acme/payments-backend @acme/other\n/docs/ @acme/docs\n')).toBe('payments-backend');
    expect(codeownersTeam('* @acme/first\n* @acme/second # later rules win\n')).toBe('second');
    expect(codeownersTeam('*.js @acme/frontend\n')).toBeUndefined();
    expect(codeownersTeam('* @alice bob@example.com\n')).toBeUndefined();
  });

  it('reads CODEOWNERS as GitHub does: escapes, comments, root-only patterns, owner-less rules', () => {
    // "/*" owns only files at the root, not the repository.
    expect(codeownersTeam('/* @acme/root-files\n')).toBeUndefined();
    expect(codeownersTeam('** @acme/everything\n/* @acme/root-files\n')).toBe('everything');
    // A later "*" without owners takes ownership away.
    expect(codeownersTeam('* @acme/payments\n* \n')).toBeUndefined();
    // An escaped "#" is a pattern, not a comment; "\ " is a space inside a pattern, not a separator.
    expect(codeownersTeam('\\#notes @acme/notes\n*\\ x @acme/odd\n* @acme/real\n')).toBe('real');
    expect(codeownersTeam('docs/my\\ file.md @acme/docs\n')).toBeUndefined();
    expect(codeownersTeam('*\t@alice\t@acme/tabs # trailing comment @acme/not-this\n')).toBe('tabs');
    expect(codeownersTeam('* @acme/a/b @acme\n')).toBeUndefined(); // not team handles
    expect(codeownersTeam('*  @Acme/Payments-Backend\r\n')).toBe('Payments-Backend');
    expect(codeownersTeam('**/* @acme/all\n')).toBe('all');
    // Teams of another organisation are invalid owners to GitHub.
    expect(codeownersTeam('* @other/payments @ACME/platform\n', 'acme')).toBe('platform');
    expect(codeownersTeam('* @other/payments\n', 'acme')).toBeUndefined();
  });

  it('reads spec.owner of catalog-info.yaml in every Backstage spelling, and says why when it cannot', () => {
    expect(catalogOwner('spec:\n  owner: group:default/payments\n')).toEqual({ owner: 'payments' });
    expect(catalogOwner('spec:\n  owner: group:payments\n')).toEqual({ owner: 'payments' });
    expect(catalogOwner('spec:\n  owner: payments\n')).toEqual({ owner: 'payments' });
    expect(catalogOwner('spec:\n  owner: default/payments\n')).toEqual({ owner: 'payments' });
    expect(catalogOwner('spec: [unclosed\n').problem).toMatch(/^is not valid YAML/);
    expect(catalogOwner('spec:\n  owner: 42\n')).toEqual({});
    // A person is not a team.
    expect(catalogOwner('spec:\n  owner: user:default/jdoe\n')).toEqual({ problem: 'names owner "user:default/jdoe", a user rather than a group' });
  });

  it('reads a multi-document catalog, preferring the Component', () => {
    const catalog = ['apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: pay}\nspec: {owner: group:platform}', 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: ledger}\nspec: {type: service, owner: group:default/payments}', 'kind: API\nspec: {owner: group:api-guild}'].join('\n---\n');
    expect(catalogOwner(catalog)).toEqual({ owner: 'payments' });
    expect(catalogOwner('kind: System\nspec: {owner: platform}\n---\nkind: Group\nspec: {type: team}\n')).toEqual({ owner: 'platform' });
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const team = codeownersTeam(text);
        expect(team === undefined || !team.includes('/')).toBe(true);
        const catalog = catalogOwner(text);
        expect(catalog.owner === undefined || catalog.problem === undefined).toBe(true);
      }),
    );
  });

  it('maps GitHub team slugs to configured teams through githubTeams, else by name', () => {
    expect(teamForName(config.teams, 'payments-oncall')?.name).toBe('payments');
    expect(teamForName(config.teams, 'platform')?.name).toBe('platform');
    expect(teamForName(config.teams, 'payments')).toBeUndefined(); // payments lists its slugs explicitly
  });

  it('follows the configured order and reports owners that match no team', () => {
    const snapshot = snapshotWith({ '.github/CODEOWNERS': '* @acme/payments-backend\n', 'catalog-info.yaml': 'spec:\n  owner: group:default/ghosts\n' });
    const ref = { owner: 'acme', name: 'infra-dns' };
    expect(resolveOwner({ config, ref, snapshot, order: ['config', 'codeowners'] })).toEqual({ team: 'platform', source: 'config', unmatched: [] });
    expect(resolveOwner({ config, ref, snapshot, order: ['codeowners', 'config'] })).toMatchObject({ team: 'payments', source: 'codeowners' });
    const viaTeams = resolveOwner({ config, ref: { owner: 'acme', name: 'other' }, snapshot, order: ['catalog-info', 'github-team'], hostTeams: ['unknown', 'platform'] });
    expect(viaTeams).toMatchObject({ team: 'platform', source: 'github-team' });
    expect(viaTeams.unmatched[0]).toMatch(/catalog-info.yaml names owner "ghosts", which matches no configured team/);
  });

  it('names owners GitHub would ignore in CODEOWNERS, and host teams that match no configured team', () => {
    const snapshot = snapshotWith({ '.github/CODEOWNERS': '# owners\n* acme/payments-backend @other-org/payments @acme/payments-backend\n' });
    const ref = { owner: 'acme', name: 'other' };
    const verdict = resolveOwner({ config, ref, snapshot, order: ['codeowners'] });
    expect(verdict.team).toBe('payments');
    expect(verdict.unmatched).toEqual([
      '.github/CODEOWNERS:2 names owner "acme/payments-backend", which is not @user, @org/team or an e-mail address, so GitHub ignores it',
      '.github/CODEOWNERS:2 names team "@other-org/payments" of another organisation, which GitHub ignores',
    ]);
    const none = resolveOwner({ config, ref, snapshot: snapshotWith({}), order: ['github-team'], hostTeams: ['ghost-team'] });
    expect(none.team).toBeUndefined();
    expect(none.unmatched).toEqual(['GitHub team "ghost-team" administers or maintains this repository but matches no configured team (add it to a team\'s githubTeams)']);
  });

  it('uses the first CODEOWNERS GitHub would, even an unreadable one, and reports a broken catalog', () => {
    const ref = { owner: 'acme', name: 'other' };
    const entries = [
      { path: '.github/CODEOWNERS', size: 9_000_000, oid: 'a', kind: 'file' as const },
      { path: 'CODEOWNERS', size: 30, oid: 'b', kind: 'file' as const },
      { path: 'catalog-info.yaml', size: 20, oid: 'c', kind: 'file' as const },
    ];
    const contents = new Map([
      ['.github/CODEOWNERS', { ok: false as const, reason: 'too-large' as const }],
      ['CODEOWNERS', { ok: true as const, text: '* @acme/payments-backend\n', truncated: false as const, encoding: 'utf-8' as const, invalidBytes: false }],
      ['catalog-info.yaml', { ok: true as const, text: 'spec: [broken\n', truncated: false as const, encoding: 'utf-8' as const, invalidBytes: false }],
    ]);
    const snapshot = buildSnapshot({ identity: { host: 'github.com', owner: 'acme', name: 'other', defaultBranch: 'main' }, head: { oid: 'abc', date: '2026-01-01T00:00:00Z' }, files: entries, contents, historyComplete: false, commits: [], problems: [] });
    const verdict = resolveOwner({ config, ref, snapshot, order: ['catalog-info', 'codeowners'] });
    expect(verdict.team).toBeUndefined();
    expect(verdict.unmatched).toEqual([expect.stringMatching(/^catalog-info.yaml is not valid YAML/), '.github/CODEOWNERS could not be read (too-large), so it names no owner']);
  });

  it('knows a carried-forward owner without reading content, or says it cannot', () => {
    const ref = { owner: 'acme', name: 'other' };
    // Content sources before the previous winner gave nothing then, and the content is unchanged.
    expect(carriedOwner({ config, ref, order: ['codeowners', 'github-team'], hostTeams: ['platform'] }, { team: 'platform', source: 'github-team' })).toEqual({ known: true, verdict: { team: 'platform', source: 'github-team', unmatched: [] } });
    expect(carriedOwner({ config, ref, order: ['config', 'codeowners'] }, { team: 'payments', source: 'codeowners' })).toMatchObject({ known: true, verdict: { team: 'payments', source: 'codeowners' } });
    // The previous winner (a team) is gone now; a content source after it was never asked: read again.
    expect(carriedOwner({ config, ref, order: ['github-team', 'codeowners'], hostTeams: [] }, { team: 'platform', source: 'github-team' })).toEqual({ known: false });
    expect(carriedOwner({ config, ref, order: ['github-team'] }, { source: undefined })).toEqual({ known: false, needsHostTeams: true });
  });
});

describe('secret redaction', () => {
  const token = 'ghp_AbCdEf0123456789AbCdEf0123456789';
  const key = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq1w2e3r4t5y6u7i8o9p0\nabcdefghijklmnopqrstuvwxyz012345\n-----END RSA PRIVATE KEY-----\n';
  const redact = makeRedactor([token, key]);

  it('removes configured secrets, keys, JWTs and anything after an authorization scheme', () => {
    expect(redact(`request failed with token ${token}`)).toBe('request failed with token [REDACTED]');
    expect(redact(`oops ${key} done`)).not.toMatch(/MIIEow|abcdefghijklmnop/);
    expect(redact('authorization: bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxIn0.c2lnbmF0dXJlc2ln')).not.toContain('eyJ');
    expect(redact('ghs_0123456789abcdefghij leaked')).toBe('[REDACTED] leaked');
    expect(redact('GitHub answered 502 after 4 attempts')).toBe('GitHub answered 502 after 4 attempts');
  });

  it('leaves no configured secret in any text that embeds it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), fc.string({ maxLength: 50 }), (before, after) => {
        expect(redact(before + token + after)).not.toContain(token);
      }),
    );
  });
});
