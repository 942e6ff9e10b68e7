/** Response shapes of the abuse-desk console routes (OpenAPI document, serialisation). */
import { Type } from '@sinclair/typebox';

const DateTime = Type.String({ format: 'date-time' });
const Rates = Type.Object({ packetsPerSecond: Type.Number(), bitsPerSecond: Type.Number() });

export const AuditPageSchema = Type.Object({
  entries: Type.Array(
    Type.Object({
      id: Type.Integer(),
      at: DateTime,
      actor: Type.Object({ type: Type.String(), id: Type.String() }),
      action: Type.String(),
      subjectType: Type.String(),
      subjectId: Type.String(),
      details: Type.Object({}, { additionalProperties: true }),
    }),
  ),
  nextBeforeId: Type.Union([Type.Integer(), Type.Null()], { description: 'pass as beforeId for the next (older) page; null at the end' }),
});

export const TrafficSeriesSchema = Type.Object({
  serverId: Type.String(),
  from: DateTime,
  to: DateTime,
  samples: Type.Array(
    Type.Object({ at: DateTime, packetsIn: Type.Number(), packetsOut: Type.Number(), bitsIn: Type.Number(), bitsOut: Type.Number() }, { description: 'the highest rates (per second) within the bucket starting at `at`' }),
  ),
  thresholds: Type.Object({ outbound: Rates, inbound: Rates }, { description: 'the thresholds detection applies to the server (0: off)' }),
  incidents: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      direction: Type.String(),
      status: Type.String(),
      start: DateTime,
      end: Type.Union([DateTime, Type.Null()]),
      lastSeen: DateTime,
    }),
  ),
});
