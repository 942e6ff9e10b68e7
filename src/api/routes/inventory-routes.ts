/** Inventory: customers, host groups, servers, protected and provider prefixes, address lookup. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parseInventoryFile } from '../../inventory/inventory-file.ts';
import type { InventoryService } from '../../inventory/inventory-service.ts';
import type { PrefixList } from '../../store/inventory-repository.ts';
import { AnyObject, CustomerSchema, HostGroupSchema, ListQuerySchema, PrefixNoteSchema, ServerSchema } from '../api-schemas.ts';
import { presentCustomer, presentPrefix, presentServer } from '../presenters.ts';
import { actorOf, requireScope } from '../request-auth.ts';

type ListQuery = { search?: string; customerId?: string; limit?: number; offset?: number };
const IdParams = Type.Object({ id: Type.String() });
const errors = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } };

export function registerInventoryRoutes(app: FastifyInstance, deps: { inventory: InventoryService }): void {
  const { inventory } = deps;
  const read = { preHandler: requireScope('read', 'inventory', 'abuse') };
  const write = { preHandler: requireScope('inventory') };
  const tags = ['inventory'];

  app.get('/api/v1/customers', { ...read, schema: { tags, querystring: ListQuerySchema, response: { 200: Type.Array(CustomerSchema), ...errors } } }, async (req) =>
    (await inventory.listCustomers(req.query as ListQuery)).map(presentCustomer),
  );
  app.get('/api/v1/customers/:id', { ...read, schema: { tags, params: IdParams, response: { 200: CustomerSchema, ...errors } } }, async (req) =>
    presentCustomer(await inventory.getCustomer((req.params as { id: string }).id)),
  );
  app.put('/api/v1/customers/:id', { ...write, schema: { tags, params: IdParams, body: AnyObject, response: { 200: CustomerSchema, ...errors } } }, async (req) =>
    presentCustomer(await inventory.putCustomer({ ...(req.body as object), id: (req.params as { id: string }).id }, actorOf(req))),
  );
  app.delete('/api/v1/customers/:id', { ...write, schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (req, reply) => {
    await inventory.deleteCustomer((req.params as { id: string }).id, actorOf(req));
    return reply.status(204).send();
  });

  app.get('/api/v1/host-groups', { ...read, schema: { tags, response: { 200: Type.Array(HostGroupSchema), ...errors } } }, async () => inventory.listHostGroups());
  app.put('/api/v1/host-groups/:id', { ...write, schema: { tags, params: IdParams, body: AnyObject, response: { 200: HostGroupSchema, ...errors } } }, async (req) =>
    inventory.putHostGroup({ ...(req.body as object), id: (req.params as { id: string }).id }, actorOf(req)),
  );
  app.delete('/api/v1/host-groups/:id', { ...write, schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (req, reply) => {
    await inventory.deleteHostGroup((req.params as { id: string }).id, actorOf(req));
    return reply.status(204).send();
  });

  app.get('/api/v1/servers', { ...read, schema: { tags, querystring: ListQuerySchema, response: { 200: Type.Array(ServerSchema), ...errors } } }, async (req) =>
    (await inventory.listServers(req.query as ListQuery)).map(presentServer),
  );
  app.get('/api/v1/servers/:id', { ...read, schema: { tags, params: IdParams, response: { 200: ServerSchema, ...errors } } }, async (req) =>
    presentServer(await inventory.getServer((req.params as { id: string }).id)),
  );
  app.put('/api/v1/servers/:id', { ...write, schema: { tags, params: IdParams, body: AnyObject, response: { 200: ServerSchema, ...errors } } }, async (req) =>
    presentServer(await inventory.putServer({ ...(req.body as object), id: (req.params as { id: string }).id }, actorOf(req))),
  );
  app.delete('/api/v1/servers/:id', { ...write, schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (req, reply) => {
    await inventory.deleteServer((req.params as { id: string }).id, actorOf(req));
    return reply.status(204).send();
  });

  for (const [path, list] of [
    ['protected-prefixes', 'protectedPrefixes'],
    ['provider-prefixes', 'providerPrefixes'],
  ] as Array<[string, PrefixList]>) {
    app.get(`/api/v1/${path}`, { ...read, schema: { tags, response: { 200: Type.Array(PrefixNoteSchema), ...errors } } }, async () =>
      (await inventory.listPrefixes(list)).map(presentPrefix),
    );
    app.post(`/api/v1/${path}`, { ...write, schema: { tags, body: AnyObject, response: { 201: PrefixNoteSchema, ...errors } } }, async (req, reply) =>
      reply.status(201).send(presentPrefix(await inventory.putPrefix(list, req.body as Record<string, unknown>, actorOf(req)))),
    );
    app.delete(`/api/v1/${path}/:prefix`, { ...write, schema: { tags, response: { 204: Type.Null(), ...errors } } }, async (req, reply) => {
      await inventory.deletePrefix(list, decodeURIComponent((req.params as { prefix: string }).prefix), actorOf(req));
      return reply.status(204).send();
    });
  }

  app.get(
    '/api/v1/lookup',
    {
      ...read,
      schema: {
        tags,
        description: 'Which server and customer an address belongs to (longest prefix match), and whether it is protected.',
        querystring: Type.Object({ ip: Type.String() }),
        response: { 200: AnyObject, ...errors },
      },
    },
    async (req) => {
      const ip = (req.query as { ip: string }).ip;
      const owner = inventory.lookup(ip);
      return {
        ip,
        server: owner ?? null,
        protected: inventory.index.isProtected(ip),
        providerSpace: inventory.index.isProviderSpace(ip),
      };
    },
  );

  app.post(
    '/api/v1/inventory/import',
    {
      ...write,
      schema: {
        tags,
        description: 'Imports a whole inventory (JSON snapshot, or CSV with Content-Type text/csv). All or nothing.',
        response: { 200: AnyObject, ...errors },
      },
    },
    async (req) => {
      const isCsv = (req.headers['content-type'] ?? '').startsWith('text/csv');
      const text = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      const snapshot = parseInventoryFile(isCsv ? 'upload.csv' : 'upload.json', text);
      return inventory.importSnapshot(snapshot, actorOf(req));
    },
  );
}
