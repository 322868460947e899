// What `seaworthy init` writes: a starter configuration and the nightly GitHub Actions workflow
// (one job, or a matrix of shards and a merge). tests/init.test.ts parses the workflows with GitHub's
// own workflow parser and checks every action input against the actions' action.yml.

export interface InitOptions {
  org: string;
  /** The repository the workflow runs in (for the Pages base path); undefined: served at "/". */
  repo?: string;
  /** 1: one job crawls everything; more: a matrix of shards and a merge job. */
  shards: number;
  database: string;
  outDir: string;
}

export const DATA_RELEASE = 'seaworthy-data';
export const KEEP_BACKUPS = 7;

function pagesBase(org: string, repo: string | undefined): string {
  if (!repo || repo.toLowerCase() === `${org.toLowerCase()}.github.io`) return '/';
  return `/${repo}/`;
}

export function configTemplate(o: InitOptions): string {
  return `# yaml-language-server: $schema=./seaworthy.config.schema.json
# Seaworthy configuration, written by "seaworthy init". Every key: README "Configuration reference".
database: ${o.database}            # the nightly workflow restores this file before the crawl and saves it after
site:
  title: ${o.org} · Seaworthy
  base: ${pagesBase(o.org, o.repo)}${' '.repeat(Math.max(1, 24 - pagesBase(o.org, o.repo).length))}# GitHub Pages serves a project site under /<repository>/
  outDir: ${o.outDir}
sources:
  - type: github
    org: ${o.org}
    auth:
      # A GitHub App installed on the organisation with read-only Contents, Metadata, Pull requests
      # and Members permissions (README "Token or GitHub App?"). Seaworthy renews its tokens itself,
      # so crawls longer than an hour keep working.
      app:
        appIdEnv: SEAWORTHY_APP_ID
        privateKeyEnv: SEAWORTHY_APP_PRIVATE_KEY
    exclude: ['*-sandbox']
    # topics: [production]           # only repositories with one of these topics
    budget:
      maxMinutes: 60                 # stop asking GitHub after an hour: what was not reached stays, marked stale
teams:
  # A repository belongs to the first team whose "repos" globs match it; otherwise to the owner named
  # in its catalog-info.yaml, its CODEOWNERS, or the GitHub team that administers it.
  - name: payments
    displayName: Payments
    repos: ['payments-*', ledger]
    githubTeams: [payments-backend]  # GitHub team slugs that mean this team
    contact: https://chat.example.com/channels/payments
  - name: platform
    displayName: Platform
    repos: ['terraform-*', 'k8s-*']
crawl:
  concurrency: 4
  carryForwardDays: 7                # unchanged repositories keep their results this long without being read
  resumeWithinHours: 24              # an interrupted run is resumed by the next crawl within this time
retention:
  dailyDays: 90                      # every run keeps its findings 90 days
  weeklyDays: 0                      # then one run a week keeps them (0: for ever); scores are kept for ever
# checks:
#   runbooks: {weight: 3}
# exemptions:
#   - {repo: legacy-batch, check: runbooks, reason: 'Decommissioned in Q1; no production traffic.', expires: '2027-03-31'}
`;
}

/** A configuration for clones on this machine: no GitHub, no workflow; every folder under DIR is a repository. */
export function localConfigTemplate(o: { clonesGlob: string; database: string; outDir: string }): string {
  return `# yaml-language-server: $schema=./seaworthy.config.schema.json
# Seaworthy configuration for local clones, written by "seaworthy init --local". Every key: README
# "Configuration reference". Only committed content of each clone's default branch is read.
database: ${o.database}
site:
  title: Seaworthy
  outDir: ${o.outDir}
sources:
  - type: local
    paths: [${JSON.stringify(o.clonesGlob)}]   # every folder here is crawled, or named in the crawl summary with the reason
    # webUrl: https://github.com/your-org/{name}   # where file:line links should point, when the clones have a web home
teams:
  # A repository belongs to the first team whose "repos" globs match its folder name.
  - name: platform
    displayName: Platform
    repos: ['*']
# checks:
#   runbooks: {weight: 3}
`;
}

const HEADER = (o: InitOptions) => `# Seaworthy: crawl the organisation every night, keep every result, publish the scorecards on
# GitHub Pages. Written by "seaworthy init"${o.shards > 1 ? ` --shards ${o.shards}` : ''}; README "Nightly in GitHub Actions" explains each step.
#
# Set up once:
#   1. A GitHub App with read-only Contents, Metadata, Pull requests and Members permissions,
#      installed on the organisation: its id in the repository variable SEAWORTHY_APP_ID, its private
#      key (.pem) in the secret SEAWORTHY_APP_PRIVATE_KEY.${o.shards > 1 ? `
#      Shards share the App's hourly budget; to give shard N a budget of its own, install another App
#      and set SEAWORTHY_APP_ID_N and SEAWORTHY_APP_PRIVATE_KEY_N.` : ''}
#   2. Settings → Pages → Build and deployment → Source: GitHub Actions.
#   3. Actions → Seaworthy → Run workflow, once, to start the history.
#
# The database is kept as assets of the draft release "${DATA_RELEASE}" of this repository: not in the
# Actions cache, which GitHub evicts. A draft is seen only by people with write access and stays
# writable where the organisation enforces immutable releases. Each good night uploads a new,
# verified copy and the newest ${KEEP_BACKUPS} are kept, so a bad night can be rolled back by deleting the
# newest asset. The database is saved only when the ${o.shards > 1 ? 'merge' : 'crawl'} finished: exit 0 (ok) or 1 (partial:
# some repositories keep their last good result, marked stale). Exit 2 and above, a crash or a
# timeout never replace the good database.
name: Seaworthy

on:
  schedule:
    - cron: '17 3 * * *'   # 03:17 UTC every night (scheduled runs on the hour are delayed the most)
  workflow_dispatch:${o.shards > 1 ? '' : `
    inputs:
      restart:
        description: Start a new run instead of resuming an unfinished one
        type: boolean
        default: false`}

permissions:
  contents: read

# One nightly at a time: a second run waits instead of racing the first for the database.
concurrency:
  group: seaworthy
  cancel-in-progress: false

env:
  SEAWORTHY_DB: ${o.database}   # "database" in seaworthy.config.yaml
  DATA_RELEASE: ${DATA_RELEASE}
  GH_REPO: \${{ github.repository }}   # the repository whose release holds the database (for gh)
`;

const SETUP = `      - uses: actions/checkout@v5
        with:
          persist-credentials: false
      - uses: actions/setup-node@v5
        with:
          node-version: 24
          cache: npm
      - run: npm ci
      # Renovate's schema (pinned, integrity-checked) for dependency-freshness; without it that part is reported as skipped.
      - run: npm run fetch:renovate-schema
`;

// A missing release is the first night; any other failure to read it stops the job, so a
// transient error never starts an empty database that would then be saved over the history.
const RESTORE = `      - name: Restore the database
        env:
          GH_TOKEN: \${{ github.token }}
        run: |
          mkdir -p "$(dirname "$SEAWORTHY_DB")"
          # Only completely uploaded copies: an upload cut short leaves an asset in another state.
          if ! newest=$(gh release view "$DATA_RELEASE" --json assets --jq '[.assets[] | select(.state == "uploaded" and (.name | startswith("seaworthy-") and endswith(".db.gz")))] | sort_by(.createdAt) | last | .name // ""' 2>&1); then
            if grep -q 'release not found' <<< "$newest"; then
              echo "No $DATA_RELEASE release yet: this first crawl starts the database." | tee -a "$GITHUB_STEP_SUMMARY"
              exit 0
            fi
            echo "::error::cannot read the $DATA_RELEASE release: $newest"
            exit 1
          fi
          if [ -z "$newest" ]; then
            echo "::error::the $DATA_RELEASE release holds no database; delete the release to start a new history"
            exit 1
          fi
          gh release download "$DATA_RELEASE" --pattern "$newest" --dir "$RUNNER_TEMP" --clobber
          gunzip -c "$RUNNER_TEMP/$newest" > "$SEAWORTHY_DB"
          echo "Restored the database from $newest."
`;

// "seaworthy backup" writes a compact single-file copy and verifies it before anything is uploaded.
const SAVE = (condition: string) => `      - name: Save the database
        if: ${condition}
        env:
          GH_TOKEN: \${{ github.token }}
        run: |
          npx seaworthy backup --db "$SEAWORTHY_DB" --out "$RUNNER_TEMP/seaworthy.db"
          asset="seaworthy-$GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT.db.gz"
          gzip -9 -c "$RUNNER_TEMP/seaworthy.db" > "$RUNNER_TEMP/$asset"
          if ! gh release view "$DATA_RELEASE" > /dev/null 2>&1; then
            gh release create "$DATA_RELEASE" --draft --title 'Seaworthy data' \\
              --notes 'The Seaworthy database: one asset per good night, the newest is restored. Do not publish or delete.'
          fi
          gh release upload "$DATA_RELEASE" "$RUNNER_TEMP/$asset"
          # Older copies beyond the newest ${KEEP_BACKUPS} go, and so do uploads that were cut short.
          gh release view "$DATA_RELEASE" --json assets \\
            --jq '[.assets[] | select(.name | startswith("seaworthy-") and endswith(".db.gz"))] | sort_by(.createdAt) | reverse | (map(select(.state == "uploaded"))[${KEEP_BACKUPS}:] + map(select(.state != "uploaded")))[] | .name' |
            while read -r old; do gh release delete-asset "$DATA_RELEASE" "$old" --yes; done
`;

const PUBLISH = (o: InitOptions) => `      - name: Build the site
        run: npx seaworthy build --db "$SEAWORTHY_DB"
      - uses: actions/upload-pages-artifact@v4
        with:
          path: ${o.outDir}
`;

/** The job summary line, whatever happened; `kind` is the job: one crawl, one shard, or the merge. */
const EXPLAIN = (step: string, kind: 'crawl' | 'shard' | 'merge') => {
  const what = kind === 'merge' ? 'merged' : 'crawled';
  const done =
    kind === 'shard'
      ? `            0) note="shard $SHARD ok: its database goes to the merge." ;;
            1) note="shard $SHARD partial: some repositories could not be crawled and keep their last good result, marked stale. Its database goes to the merge." ;;`
      : `            0|1) if [ "$JOB_STATUS" != success ]; then
                 note="the ${kind} ended $([ "$CODE" = 0 ] && echo ok || echo partial), but a later step (saving the database, building or uploading the site) **failed**: see the log. The site keeps its last deploy."
               elif [ "$CODE" = 0 ]; then note="ok: published, database saved."
               else note="partial: some repositories could not be crawled${kind === 'merge' ? ' or their shard did not finish' : ''}; they keep their last good result, marked stale. Published, database saved."; fi ;;`;
  const lost = kind === 'shard' ? "Nothing uploaded: the merge keeps this shard's repositories' last good result, marked stale." : 'Nothing saved or published; the site keeps the last good scorecard.';
  return `      - name: Explain the outcome
        if: always()
        env:
          CODE: \${{ steps.${step}.outputs.exit-code }}
          JOB_STATUS: \${{ job.status }}${kind === 'shard' ? `
          SHARD: \${{ matrix.shard }}` : ''}
        run: |
          case "$CODE" in
${done}
            2) note="**broken**: bad usage, configuration or database (exit 2). ${lost}" ;;
            3) note="**interrupted** (exit 3): stopped by a signal after the repositories in flight. ${lost}" ;;
            4) note="**failed** (exit 4): nothing usable was ${what}. ${lost}" ;;
            5) note="**busy** (exit 5): another process held the database. ${lost}" ;;
            "") note="**did not finish**: the job failed or timed out before or during the ${kind === 'merge' ? 'merge' : 'crawl'}. ${lost}" ;;
            *) note="**crashed** (exit $CODE). ${lost}" ;;
          esac
          echo "**Seaworthy${kind === 'shard' ? ' shard $SHARD' : ''}:** $note" >> "$GITHUB_STEP_SUMMARY"
`;
};

// A job whose grandparent failed is skipped unless its condition says otherwise: with a failed shard
// the merge still publishes a partial night, so the sharded deploy asks for the merge's result alone.
const DEPLOY = (needs: string, condition?: string) => `  deploy:
    needs: ${needs}${condition ? `
    if: ${condition}` : ''}
    runs-on: ubuntu-latest
    timeout-minutes: 15
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: \${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
`;

export function workflowTemplate(o: InitOptions): string {
  if (o.shards > 1) return shardedWorkflow(o);
  return `${HEADER(o)}
jobs:
  crawl:
    runs-on: ubuntu-latest
    timeout-minutes: 120
    permissions:
      contents: write   # upload the database to the ${DATA_RELEASE} release
    steps:
${SETUP}${RESTORE}      - name: Crawl
        id: crawl
        # Longer than budget.maxMinutes (60): the crawler stops asking GitHub first and ends partial.
        timeout-minutes: 90
        env:
          SEAWORTHY_APP_ID: \${{ vars.SEAWORTHY_APP_ID }}
          SEAWORTHY_APP_PRIVATE_KEY: \${{ secrets.SEAWORTHY_APP_PRIVATE_KEY }}
          RESTART: \${{ inputs.restart }}
        run: |
          set +e
          npx seaworthy crawl --db "$SEAWORTHY_DB" $([ "$RESTART" = true ] && echo --restart)
          code=$?
          echo "exit-code=$code" >> "$GITHUB_OUTPUT"
          # 0 ok and 1 partial go on to save and publish; anything else stops the job here.
          [ "$code" -le 1 ]
${SAVE("steps.crawl.outputs.exit-code == '0' || steps.crawl.outputs.exit-code == '1'")}${PUBLISH(o)}${EXPLAIN('crawl', 'crawl')}
${DEPLOY('crawl')}`;
}

function shardedWorkflow(o: InitOptions): string {
  const shards = Array.from({ length: o.shards }, (_, i) => i + 1);
  return `${HEADER(o)}
jobs:
  crawl:
    name: crawl shard \${{ matrix.shard }}/${o.shards}
    runs-on: ubuntu-latest
    timeout-minutes: 120
    permissions:
      contents: write   # read the draft ${DATA_RELEASE} release (drafts need write access to be seen)
    strategy:
      fail-fast: false   # a broken shard must not stop the others: merge marks its repositories stale
      matrix:
        shard: [${shards.join(', ')}]
    steps:
${SETUP}${RESTORE}      - name: Crawl the shard
        id: crawl
        timeout-minutes: 90
        env:
          # Each shard may use an App of its own (its own hourly budget), else the shared one.
          SEAWORTHY_APP_ID: \${{ vars[format('SEAWORTHY_APP_ID_{0}', matrix.shard)] || vars.SEAWORTHY_APP_ID }}
          SEAWORTHY_APP_PRIVATE_KEY: \${{ secrets[format('SEAWORTHY_APP_PRIVATE_KEY_{0}', matrix.shard)] || secrets.SEAWORTHY_APP_PRIVATE_KEY }}
          SHARD: \${{ matrix.shard }}
        run: |
          set +e
          # A shard starts from a copy of the main database: last results to carry forward or keep stale.
          if [ -f "$SEAWORTHY_DB" ]; then cp "$SEAWORTHY_DB" "shard-$SHARD.db"; fi
          npx seaworthy crawl --db "shard-$SHARD.db" --shard "$SHARD/${o.shards}" --group "$GITHUB_RUN_ID"
          code=$?
          echo "exit-code=$code" >> "$GITHUB_OUTPUT"
          [ "$code" -le 1 ]
      - uses: actions/upload-artifact@v4
        with:
          name: seaworthy-shard-\${{ matrix.shard }}
          path: shard-\${{ matrix.shard }}.db
          if-no-files-found: error
          retention-days: 3
          overwrite: true
${EXPLAIN('crawl', 'shard')}
  merge:
    needs: crawl
    # Merge whatever shards finished: a missing shard's repositories keep their last good result, marked stale.
    if: \${{ !cancelled() }}
    runs-on: ubuntu-latest
    timeout-minutes: 60
    permissions:
      contents: write   # upload the database to the ${DATA_RELEASE} release
    steps:
${SETUP}${RESTORE}      - uses: actions/download-artifact@v4
        continue-on-error: true   # no shard finished: merge then says so and exits 4
        with:
          pattern: seaworthy-shard-*
          path: shards
          merge-multiple: true
      - name: Merge the shards
        id: merge
        timeout-minutes: 30
        run: |
          set +e
          shopt -s nullglob
          npx seaworthy merge --db "$SEAWORTHY_DB" --shards ${o.shards} shards/*.db
          code=$?
          echo "exit-code=$code" >> "$GITHUB_OUTPUT"
          [ "$code" -le 1 ]
${SAVE("steps.merge.outputs.exit-code == '0' || steps.merge.outputs.exit-code == '1'")}${PUBLISH(o)}${EXPLAIN('merge', 'merge')}
${DEPLOY('merge', "${{ !cancelled() && needs.merge.result == 'success' }}")}`;
}
