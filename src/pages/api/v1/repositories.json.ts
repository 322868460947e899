import { repositoriesDocument } from '../../../../data/api.ts';
import { href, scorecard } from '../../../lib/site.ts';

export function GET(): Response {
  return Response.json(repositoriesDocument(scorecard(), href));
}
