// GitHub's own workflow parser (@actions/workflow-parser, the one behind the Actions VS Code
// extension). It imports its schema JSON without an import attribute, which Node refuses, so the
// attribute is added for that package's JSON files before it is loaded.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    if (result.url.includes('/@actions/workflow-parser/') && result.url.endsWith('.json')) return { ...result, importAttributes: { ...context.importAttributes, type: 'json' } };
    return result;
  },
});

const parser = await import('@actions/workflow-parser');

/** Errors GitHub would report for this workflow file (schema, expressions, structure); empty when valid. */
export async function workflowErrors(name: string, content: string): Promise<string[]> {
  const parsed = parser.parseWorkflow({ name, content }, new parser.NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length > 0 || !parsed.value) return errors;
  const template = await parser.convertWorkflowTemplate(parsed.context, parsed.value);
  return [...errors, ...(template.errors ?? []).map((e) => e.Message)];
}
