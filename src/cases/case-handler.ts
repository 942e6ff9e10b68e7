/** Detection's incidents go to the lock layer: the detector calls this after storing them. */
import type { IncidentHandler } from '../detect/detector.ts';
import type { CaseContext } from './case-context.ts';
import { handleIncident } from './handle-incident.ts';

export function lockIncidents(ctx: CaseContext): IncidentHandler {
  return {
    async handle(event, incident) {
      await handleIncident(ctx, event, incident);
    },
  };
}
