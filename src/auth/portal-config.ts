/** The `portal` configuration section: sessions, sign-in limits, remote-console bookings. */
import { type Static, Type } from '@sinclair/typebox';

const closed = { additionalProperties: false } as const;

export const PortalSection = Type.Object(
  {
    sessionHours: Type.Number({ minimum: 0.1, maximum: 720, default: 12, description: 'a session ends this long after sign-in, however active it is' }),
    idleMinutes: Type.Number({ minimum: 1, maximum: 1440, default: 60, description: 'a session not used for this long ends' }),
    login: Type.Object(
      {
        maxFailuresPerAccount: Type.Integer({ minimum: 1, default: 5, description: 'failed sign-ins per account within the window before sign-in is refused (429)' }),
        maxFailuresPerAddress: Type.Integer({ minimum: 1, default: 20, description: 'failed sign-ins per client address (IPv6: per /64) within the window' }),
        windowMinutes: Type.Number({ minimum: 1, maximum: 1440, default: 15, description: 'the sliding window' }),
      },
      { ...closed, default: {}, description: 'Sign-in rate limits (kept in the API process\'s memory)' },
    ),
    consoleBookings: Type.Object(
      {
        slotMinutes: Type.Integer({ minimum: 15, maximum: 480, default: 60, description: 'length of a remote-console slot; slots start at multiples of it (UTC), so 1440 should be divisible by it' }),
        daysAhead: Type.Integer({ minimum: 1, maximum: 90, default: 14, description: 'how far ahead a slot may be booked' }),
        maxPerServer: Type.Integer({ minimum: 1, maximum: 50, default: 3, description: 'requested or confirmed bookings a server may hold at once' }),
      },
      { ...closed, default: {}, description: 'Remote-console (KVM/LARA) appointments' },
    ),
  },
  { ...closed, default: {}, description: 'Customer portal and abuse-desk console: sessions of people, sign-in limits, remote-console bookings.' },
);

export type PortalConfig = Static<typeof PortalSection>;
