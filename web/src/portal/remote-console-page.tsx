/**
 * Remote console (KVM/LARA): pick a date and a free time slot of the server and book it;
 * the abuse desk confirms or declines. My bookings below, with cancelling.
 */
import { type FormEvent, useMemo, useState } from 'react';
import { apiSend } from '../api/api-client.ts';
import type { ConsoleBooking, PortalServer } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { Badge } from '../components/badges.tsx';
import { SelectField, TextArea } from '../components/fields.tsx';
import { ErrorSummary, Notice } from '../components/form-messages.tsx';
import { Loaded } from '../components/loaded.tsx';
import { problemOf, useForm } from '../components/use-form.ts';
import { localizeProblems } from '../i18n/field-messages.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { ServerPicker, useChosenServer } from './server-picker.tsx';

const BOOKING_TONE = { requested: 'warn', confirmed: 'good', declined: 'bad', cancelled: 'neutral' } as const;

/** Local calendar day of a time, as YYYY-MM-DD (for grouping slots by the customer's day). */
function localDay(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function BookingForm({ server, onBooked }: { server: PortalServer; onBooked(): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const slots = useApi<{ slotMinutes: number; free: string[] }>(`/api/v1/portal/servers/${encodeURIComponent(server.id)}/remote-console-slots`);
  const [day, setDay] = useState('');
  const [start, setStart] = useState('');
  const [note, setNote] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const form = useForm();
  const problems = localizeProblems(i18n, form.problems);
  const days = useMemo(() => {
    const byDay = new Map<string, string[]>();
    for (const s of slots.data?.free ?? []) {
      const key = localDay(s);
      byDay.set(key, [...(byDay.get(key) ?? []), s]);
    }
    return byDay;
  }, [slots.data]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    const booking = await form.submit(() => apiSend<ConsoleBooking>('POST', `/api/v1/portal/servers/${encodeURIComponent(server.id)}/remote-console-bookings`, { start, note }));
    if (booking !== undefined) {
      setNotice(t('console.booked', { time: i18n.dateTime(booking.start) }));
      setStart('');
      setNote('');
      slots.reload();
      onBooked();
    }
  };

  return (
    <form className="card" onSubmit={(e) => void onSubmit(e)} noValidate>
      <Notice text={notice} />
      <ErrorSummary problems={problems} error={form.error} labels={{ start: t('console.slot'), note: t('console.note') }} />
      <Loaded resource={slots}>
        {(data) =>
          data.free.length === 0 ? (
            <p>{t('console.noSlots')}</p>
          ) : (
            <div className="row">
              <SelectField
                id="day"
                label={t('console.date')}
                value={day}
                required
                onChange={(d) => {
                  setDay(d);
                  setStart('');
                }}
              >
                <option value="">{t('console.pickDate')}</option>
                {[...days.entries()].map(([key, list]) => (
                  <option key={key} value={key}>
                    {i18n.date(list[0])}
                  </option>
                ))}
              </SelectField>
              <SelectField id="start" label={t('console.slot')} value={start} onChange={setStart} required error={problemOf(problems, 'start')}>
                <option value="">{t('console.pickSlot')}</option>
                {(days.get(day) ?? []).map((s) => (
                  <option key={s} value={s}>
                    {i18n.clock(s)}–{i18n.clock(Date.parse(s) + data.slotMinutes * 60_000)}
                  </option>
                ))}
              </SelectField>
            </div>
          )
        }
      </Loaded>
      <TextArea id="note" label={`${t('console.note')} ${t('app.optional')}`} rows={2} value={note} onChange={setNote} error={problemOf(problems, 'note')} />
      <button type="submit" className="primary" disabled={form.busy}>
        {t('console.submit')}
      </button>
    </form>
  );
}

function Bookings({ bookings, onChange }: { bookings: ConsoleBooking[]; onChange(): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const form = useForm();
  if (bookings.length === 0) return <p>{t('console.noBookings')}</p>;
  const cancel = async (id: number) => {
    if ((await form.submit(() => apiSend('POST', `/api/v1/portal/remote-console-bookings/${id}/cancel`))) !== undefined) onChange();
  };
  return (
    <>
      <ErrorSummary problems={[]} error={form.error} labels={{}} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('console.server')}</th>
              <th scope="col">{t('console.when')}</th>
              <th scope="col">{t('console.state')}</th>
              <th scope="col">{t('console.staffMessage')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {bookings.map((b) => (
              <tr key={b.id}>
                <td>{b.serverId}</td>
                <td>
                  {i18n.dateTime(b.start)} – {i18n.clock(b.end)}
                </td>
                <td>
                  <Badge tone={BOOKING_TONE[b.state]}>{t(`booking.${b.state}` as MessageKey)}</Badge>
                </td>
                <td>{b.staffMessage}</td>
                <td>
                  {(b.state === 'requested' || b.state === 'confirmed') && Date.parse(b.start) > Date.now() ? (
                    <button type="button" className="link-button" disabled={form.busy} onClick={() => void cancel(b.id)}>
                      {t('console.cancelBooking')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function RemoteConsolePage() {
  const { t } = useI18n();
  const servers = useApi<PortalServer[]>('/api/v1/portal/servers');
  const chosen = useChosenServer(servers.data);
  const bookings = useApi<ConsoleBooking[]>('/api/v1/portal/remote-console-bookings');
  return (
    <>
      <h1>{t('console.title')}</h1>
      <p className="lead">{t('console.intro')}</p>
      <Loaded resource={servers}>
        {(list) =>
          chosen === undefined ? (
            <p>{t('servers.empty')}</p>
          ) : (
            <>
              <ServerPicker id="console-server" label={t('console.server')} servers={list} chosen={chosen} />
              <BookingForm key={chosen.id} server={chosen} onBooked={bookings.reload} />
            </>
          )
        }
      </Loaded>
      <h2>{t('console.bookings')}</h2>
      <Loaded resource={bookings}>{(list) => <Bookings bookings={list} onChange={bookings.reload} />}</Loaded>
    </>
  );
}
