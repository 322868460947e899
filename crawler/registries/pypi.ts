// PyPI JSON API (https://docs.pypi.org/api/json/): /pypi/<name>/json, one list of files per release.
import { z } from 'zod';
import type { PackageRelease } from '../../checks/contract.ts';
import { RegistryError, byPublication, describeIssues, isoDate, parseJson, type RegistryClient, shownName } from './types.ts';

const project = z.object({
  releases: z.record(
    z.string(),
    z.array(z.object({ upload_time_iso_8601: z.string().nullish(), upload_time: z.string().nullish(), yanked: z.boolean().optional() })),
  ),
});

/** PEP 503: lower case, runs of -, _ and . become one -. */
export function normalisePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const PYPI_NAME = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/i;

export const pypiClient: RegistryClient = async (name, ctx) => {
  if (name.length > 200 || !PYPI_NAME.test(name)) throw new RegistryError('invalid-name', `"${shownName(name)}" is not a valid Python package name`);
  const { endpoint } = ctx;
  const url = `${endpoint.url}/pypi/${encodeURIComponent(normalisePypiName(name))}/json`;
  const res = await ctx.http.get(url, { policy: endpoint.policy, authorization: endpoint.authorization, authOrigin: new URL(endpoint.url).origin }, ctx.budget);
  const parsed = project.safeParse(parseJson(res.text(), 'the PyPI project document'));
  if (!parsed.success) throw new RegistryError('malformed', `malformed PyPI project document: ${describeIssues(parsed.error.issues)}`);
  const releases: PackageRelease[] = Object.entries(parsed.data.releases).map(([version, files]) => {
    const dates = files.map((f) => isoDate(f.upload_time_iso_8601 ?? f.upload_time)).filter((d): d is string => d !== null).sort();
    return {
      version,
      // A release is published when its first file is; one without files has no date.
      publishedAt: dates[0] ?? null,
      // PEP 592 yanks files; a release counts as yanked when every file is.
      yanked: files.length > 0 && files.every((f) => f.yanked === true),
      deprecated: false,
    };
  });
  return byPublication(releases);
};
