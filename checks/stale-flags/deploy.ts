// Toggles set per environment in deployment files: environment variables in Helm values, Flux
// HelmReleases, Kubernetes manifests and .env files (`FF_NEW_UI: "true"`, `- name: ENABLE_X` /
// `value: "false"`), and boolean Terraform variables with their values in *.tfvars. Read line by
// line, not parsed: these files can be large and many. See README, "Deployment toggles".

export interface DeploymentValue {
  name: string;
  value: 'on' | 'off';
  /** From the path: production, staging, development, test (`production:prod` when spelled differently), or `default`. */
  environment: string;
  path: string;
  line: number;
}

export interface TerraformVariable {
  name: string;
  path: string;
  line: number;
  defaultServed?: 'on' | 'off';
}

/** Where deployment values live: Helm values, Flux/Argo apps, manifests, env files, tfvars. */
export const DEPLOYMENT_FILE = /(^|\/)(?:[^/]*\.env|\.env\.[^/]+|[^/]+\.tfvars|[^/]+\.tf)$|(^|\/)(charts?|helm[^/]*|deploy[^/]*|k8s|kubernetes|kube|apps|environments?|envs|overlays|clusters|flux[^/]*|argo[^/]*|manifests|config|configs|overrides|values|infra[^/]*)\/(.*\/)?[^/]*\.ya?ml$|(^|\/)values[^/]*\.ya?ml$/i;
/** Examples, templates, CI and local set-ups set values for nobody's production. */
const NOT_DEPLOYED = /(^|\/)(\.github|\.gitlab|\.circleci|\.buildkite|\.devcontainer|tests?|spec|fixtures|examples?|samples?|docs?|templates?)\/|\.(example|sample|template|dist|tpl|test|local|ci)(\.[^/]*)?$|(^|\/)[^/]*(example|sample|docker-compose|compose|skaffold|tilt|devcontainer|e2e)[^/]*$/i;

function served(raw: string): 'on' | 'off' | undefined {
  const v = raw.trim().replace(/^["']|["']$/g, '');
  if (!/^(true|false|yes|no|on|off|enabled|disabled)$/i.test(v)) return undefined;
  return /^(true|yes|on|enabled)$/i.test(v) ? 'on' : 'off';
}

export function isDeploymentFile(path: string): boolean {
  return DEPLOYMENT_FILE.test(path) && !NOT_DEPLOYED.test(path);
}

/** An env file counts only when its name says which environment it deploys (`production.env`, `.env.staging`): `.env` alone is a developer's. */
export function isEnvFile(path: string): boolean {
  return /(^|\/)[^/]*\.env$|(^|\/)\.env\./i.test(path);
}

/** Values of toggles (names `accept` takes) set in one deployment file. */
export function deploymentValues(path: string, text: string, environment: string, accept: (name: string) => boolean): DeploymentValue[] {
  const out: DeploymentValue[] = [];
  const lines = text.split('\n');
  const tf = /\.tfvars$/i.test(path);
  const envFile = /(^|\/)[^/]*\.env$|(^|\/)\.env\./i.test(path);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > 400) continue;
    let m: RegExpExecArray | null;
    if (tf) {
      // Top-level assignments only: a nested `cache_enabled = true` is an attribute of one of many objects.
      m = /^([A-Za-z_][\w-]*)\s*=\s*("?)(true|false)\2\s*(?:#.*|\/\/.*)?$/.exec(line);
      if (m && accept(m[1]!)) out.push({ name: m[1]!, value: m[3] === 'true' ? 'on' : 'off', environment, path, line: i + 1 });
      continue;
    }
    if (envFile) {
      m = /^\s*(?:export\s+)?([A-Za-z_][\w]*)\s*[=:]\s*(["']?)([A-Za-z0-9]+)\2\s*(?:#.*)?$/.exec(line);
      const v = m ? served(m[3]!) : undefined;
      if (m && v && accept(m[1]!)) out.push({ name: m[1]!, value: v, environment, path, line: i + 1 });
      continue;
    }
    // YAML map entry `KEY: "true"`, or a Kubernetes env entry `- name: KEY` with `value: "true"` next. A lower_snake key
    // is the tool's own configuration schema (`ssl_enabled`), not an environment variable or a template parameter.
    m = /^\s*(?:-\s+)?["']?([A-Za-z_][\w]*)["']?\s*:\s*(["']?)([A-Za-z0-9]+)\2\s*(?:#.*)?$/.exec(line);
    if (m && /^[a-z][a-z0-9]*_/.test(m[1]!)) continue;
    if (m) {
      const v = served(m[3]!);
      if (v && accept(m[1]!)) out.push({ name: m[1]!, value: v, environment, path, line: i + 1 });
      continue;
    }
    m = /^\s*-\s+name:\s*["']?([A-Za-z_][\w]*)["']?\s*$/.exec(line);
    if (m && accept(m[1]!)) {
      for (let j = i + 1; j < Math.min(lines.length, i + 3); j++) {
        const vm = /^\s*value:\s*(["']?)([A-Za-z0-9]+)\1\s*(?:#.*)?$/.exec(lines[j]!);
        const v = vm ? served(vm[2]!) : undefined;
        if (v) {
          out.push({ name: m[1]!, value: v, environment, path, line: i + 1 });
          break;
        }
      }
    }
  }
  return out;
}

/** Boolean variables a Terraform file declares, and the variables it uses (`var.name`). */
export function terraformFile(path: string, text: string): { variables: TerraformVariable[]; uses: { name: string; line: number }[] } {
  const variables: TerraformVariable[] = [];
  const uses: { name: string; line: number }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const decl = /^\s*variable\s+"([A-Za-z_][\w-]*)"\s*\{/.exec(line);
    if (decl) {
      // The block, to its closing brace at the start of a line (or the end of the file).
      let end = i;
      let depth = 0;
      for (let j = i; j < lines.length && j < i + 200; j++) {
        for (const c of lines[j]!.replace(/"[^"]*"/g, '""')) {
          if (c === '{') depth++;
          else if (c === '}') depth--;
        }
        end = j;
        if (depth <= 0) break;
      }
      const body = lines.slice(i, end + 1).join('\n');
      const boolType = /\btype\s*=\s*bool\b/.test(body);
      const def = /\bdefault\s*=\s*(true|false)\b/.exec(body);
      if (boolType || def) variables.push({ name: decl[1]!, path, line: i + 1, defaultServed: def ? (def[1] === 'true' ? 'on' : 'off') : undefined });
      i = end;
      continue;
    }
    for (const m of line.matchAll(/\bvar\.([A-Za-z_][\w-]*)/g)) uses.push({ name: m[1]!, line: i + 1 });
  }
  return { variables, uses };
}

/** Whether the environments that set a toggle set it differently (both on and off among named environments). */
export function differsByEnvironment(values: readonly { environment: string; value: string }[]): boolean {
  const served = new Set(values.filter((v) => v.environment !== 'default').map((v) => v.value));
  return served.has('on') && served.has('off');
}

export interface FeatureGate {
  name: string;
  value: 'on' | 'off';
  line: number;
}

/**
 * Feature gates a deployment sets on a component it runs (Kubernetes and its ecosystem): a
 * `featureGates:` mapping of `GateName: true|false`, or `--feature-gates=A=true,B=false` /
 * `featureGates: "A=true,B=false"`. The gate is the component's own flag; this repository only
 * chooses its value. See README, "Feature gates of the components a deployment runs".
 */
export function featureGates(text: string): FeatureGate[] {
  const out: FeatureGate[] = [];
  const lines = text.split('\n');
  const fromList = (list: string, line: number) => {
    for (const m of list.matchAll(/\b([A-Z][A-Za-z0-9]+)=(true|false)\b/g)) out.push({ name: m[1]!, value: m[2] === 'true' ? 'on' : 'off', line });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > 2000) continue;
    const flagForm = /--feature-gates[= ]["']?([^"'\s]+)/.exec(line);
    if (flagForm) {
      fromList(flagForm[1]!, i + 1);
      continue;
    }
    const block = /^(\s*)(?:-\s+)?["']?(?:featureGates|feature-gates|feature_gates)["']?\s*:\s*(.*)$/.exec(line);
    if (!block) continue;
    const inline = block[2]!.replace(/\s+#.*$/, '').trim();
    if (inline !== '' && inline !== '|' && inline !== '>') {
      fromList(inline, i + 1);
      continue;
    }
    const indent = block[1]!.length;
    for (let j = i + 1; j < lines.length; j++) {
      const inner = lines[j]!;
      if (/^\s*(#.*)?$/.test(inner)) continue;
      if (inner.length - inner.trimStart().length <= indent) break;
      const gate = /^\s*["']?([A-Z][A-Za-z0-9]+)["']?\s*:\s*["']?(true|false)["']?\s*(?:#.*)?$/.exec(inner);
      if (gate) out.push({ name: gate[1]!, value: gate[2] === 'true' ? 'on' : 'off', line: j + 1 });
      else fromList(inner, j + 1);
    }
  }
  return out;
}
