// Probe results: the seed's `/status?target_id=N` and `/results`, `/results/:id`.
import type { FastifyInstance } from 'fastify';
import type { HistoryQuery } from '../../store/store.js';
import type { ApiDeps } from '../server.js';
import { errors, historyQuery, idParams, resultSchema } from '../schemas.js';
import { validationError } from '../../errors.js';

const list = { type: 'array', items: resultSchema } as const;

export function resultRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { targets, store, live } = deps;
  const tag = { tags: ['results'] };
  const history = async (id: number, q: HistoryQuery) => {
    if (q.from && q.to && q.from > q.to) throw validationError('from', '"from" must not be after "to"');
    await targets.get(id);
    return store.results.history(id, q);
  };

  app.get<{ Querystring: HistoryQuery & { target_id: number } }>('/status', {
    schema: {
      ...tag,
      summary: 'Probe results of one target, newest first',
      querystring: { ...historyQuery, required: ['target_id'], properties: { ...historyQuery.properties, target_id: { type: 'integer', minimum: 1 } } },
      response: { 200: list, ...errors },
    },
  }, async (req) => {
    const { target_id, ...q } = req.query;
    return history(target_id, q);
  });

  app.get('/results', {
    schema: { ...tag, summary: 'The latest result of every target (one per region)', response: { 200: list } },
  }, async () => live.latestResults());

  app.get<{ Params: { id: number }; Querystring: HistoryQuery }>('/results/:id', {
    schema: { ...tag, summary: 'History of one target (by target id), newest first', params: idParams, querystring: historyQuery, response: { 200: list, ...errors } },
  }, async (req) => history(req.params.id, req.query));
}
