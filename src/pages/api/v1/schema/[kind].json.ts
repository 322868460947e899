import type { APIContext } from 'astro';
import { apiJsonSchema, apiSchemas, type ApiKind } from '../../../../../data/api.ts';

export function getStaticPaths() {
  return Object.keys(apiSchemas).map((kind) => ({ params: { kind } }));
}

export function GET({ params }: APIContext): Response {
  return Response.json(apiJsonSchema(params.kind as ApiKind));
}
