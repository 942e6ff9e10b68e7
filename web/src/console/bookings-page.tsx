/** Remote-console appointments by start time; confirm, or decline with a message. */
import { useState } from 'react';
import type { ConsoleBooking } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { Badge } from '../components/badges.tsx';
import { Notice } from '../components/form-messages.tsx';
import { Loaded } from '../components/loaded.tsx';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router/router.tsx';
import { DecisionForm } from './decision-form.tsx';

export function BookingsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const bookings = useApi<ConsoleBooking[]>('/api/v1/console/remote-console-bookings', { pollMs: 30_000 });
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <h1>{t('bookings.title')}</h1>
      <p className="lead">{t('bookings.intro')}</p>
      <Notice text={notice} />
      <Loaded resource={bookings}>
        {(list) =>
          list.length === 0 ? (
            <p>{t('bookings.empty')}</p>
          ) : (
            list.map((b) => (
              <article key={b.id} className="card" data-booking-id={b.id}>
                <h2>
                  {i18n.dateTime(b.start)} – {i18n.clock(b.end)} · <Link to={`/console/servers/${encodeURIComponent(b.serverId)}`}>{b.serverId}</Link>{' '}
                  <Badge tone={b.state === 'confirmed' ? 'good' : 'warn'}>{t(`booking.${b.state}` as MessageKey)}</Badge>
                </h2>
                <p className="muted">
                  {b.customerId} · {b.createdBy} · {i18n.dateTime(b.created)}
                </p>
                {b.note !== '' ? <p className="pre-line">{b.note}</p> : null}
                <DecisionForm<ConsoleBooking>
                  id={`booking-${b.id}`}
                  path={`/api/v1/console/remote-console-bookings/${b.id}/decision`}
                  messageLabel={t('bookings.message')}
                  choices={[
                    ...(b.state === 'requested' ? [{ decision: 'confirm', label: t('bookings.confirm'), tone: 'primary' as const }] : []),
                    { decision: 'decline', label: t('bookings.decline'), tone: 'danger' },
                  ]}
                  onDone={(_result, choice) => {
                    setNotice(t(choice.decision === 'confirm' ? 'bookings.confirmedOk' : 'bookings.declinedOk', { id: b.id }));
                    bookings.reload();
                  }}
                />
              </article>
            ))
          )
        }
      </Loaded>
    </>
  );
}
