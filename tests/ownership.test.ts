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

  it('reads spec.owner of catalog-info.yaml in every Backstage spelling, and survives bad YAML', () => {
    expect(catalogOwner('spec:\n  owner: group:default/payments\n')).toBe('payments');
    expect(catalogOwner('spec:\n  owner: group:payments\n')).toBe('payments');
    expect(catalogOwner('spec:\n  owner: payments\n')).toBe('payments');
    expect(catalogOwner('spec: [unclosed\n')).toBeUndefined();
    expect(catalogOwner('spec:\n  owner: 42\n')).toBeUndefined();
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const team = codeownersTeam(text);
        expect(team === undefined || !team.includes('/')).toBe(true);
        catalogOwner(text);
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
