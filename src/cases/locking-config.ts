/** The `locking` configuration section: policy, safety limits. */
import { Type } from '@sinclair/typebox';

const Mode = Type.Union([Type.Literal('auto'), Type.Literal('review'), Type.Literal('notify')], {
  description: 'auto: lock at once; review: queue for staff; notify: only e-mail the customer',
});

/** What detection does per reason unless configured otherwise. */
export const DEFAULT_POLICY = { attack_from_server: 'auto', attack_on_server: 'review', netscan: 'auto', network_configuration: 'review' } as const;

/** Detection's reasons, each with an optional mode. */
function ReasonModes(options: { default?: Record<string, string>; description?: string } = {}) {
  return Type.Object(
    {
      attack_from_server: Type.Optional(Mode),
      attack_on_server: Type.Optional(Mode),
      netscan: Type.Optional(Mode),
      network_configuration: Type.Optional(Mode),
    },
    { additionalProperties: false, ...options },
  );
}

export const LockingSection = Type.Object(
  {
    dryRun: Type.Boolean({ default: false, description: 'decide and record locks, but enforce nothing and e-mail nobody' }),
    killSwitch: Type.Boolean({ default: false, description: 'no automatic locks at all: incidents only (staff and billing locks still work)' }),
    policy: ReasonModes({
      default: DEFAULT_POLICY,
      description: 'what detection does per reason (a reason left out keeps its default)',
    }),
    hostGroupPolicy: Type.Record(Type.String(), ReasonModes(), { default: {}, description: 'host group id -> per-reason mode, overriding `policy`' }),
    blastRadius: Type.Object(
      {
        maxAutomaticLocks: Type.Integer({ minimum: 1, default: 20, description: 'automatic locks allowed within the window before further ones go to review' }),
        windowMinutes: Type.Number({ minimum: 1, default: 10, description: 'the window' }),
      },
      { additionalProperties: false, default: {}, description: 'a telemetry glitch must not lock a whole data centre' },
    ),
    repeatOffenderDays: Type.Number({ minimum: 0, default: 30, description: 'a second lock of a server within this many days needs staff approval to unlock' }),
    selfServiceUnblock: Type.Boolean({
      default: false,
      description: 'release a first-time lock (not a repeat offender, not abuse or non-payment) as soon as the customer sends a complete unblock request',
    }),
    blockingIdPrefix: Type.String({ default: 'BL', pattern: '^[A-Z]{1,6}$', description: 'prefix of Blocking IDs (BL-7K3F9Q2D)' }),
    timeZone: Type.String({ default: 'UTC', description: 'IANA time zone of the times in log files' }),
  },
  { additionalProperties: false, default: {}, description: 'Locking: policy per reason and host group, safety limits.' },
);
