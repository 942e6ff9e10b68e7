/**
 * A server as the abuse desk sees it: who owns it, its traffic chart, its locks, open
 * incidents, static access IPs and remote-console appointments.
 */
import { useMemo, useState } from 'react';
import { withQuery } from '../api/api-client.ts';
import type { ConsoleServerPage, TrafficSeries } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { Badge } from '../components/badges.tsx';
import { Loaded } from '../components/loaded.tsx';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { Link, navigate, useLocation } from '../router/router.tsx';
import { IncidentTable, StaffLockTable } from './console-tables.tsx';
import { TrafficChart } from './traffic-chart.tsx';

const RANGES = { '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 24 * 3_600_000, '7d': 7 * 24 * 3_600_000 } as const;
type Range = keyof typeof RANGES;

export function ServerPage({ serverId }: { serverId: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { path, query } = useLocation();
  const range: Range = (query.get('range') as Range | null) ?? '6h';
  const page = useApi<ConsoleServerPage>(`/api/v1/console/servers/${encodeURIComponent(serverId)}`);
  // The range ends now; recomputed when the range changes or the chart is refreshed.
  const [refreshed, setRefreshed] = useState(() => Date.now());
  const trafficPath = useMemo(() => {
    const to = Math.ceil(refreshed / 60_000) * 60_000;
    const span = RANGES[range] ?? RANGES['6h'];
    return withQuery(`/api/v1/console/servers/${encodeURIComponent(serverId)}/traffic`, { from: new Date(to - span).toISOString(), to: new Date(to).toISOString(), maxPoints: 720 });
  }, [serverId, range, refreshed]);
  const traffic = useApi<TrafficSeries>(trafficPath);

  return (
    <>
      <h1>{t('serverPage.title', { server: serverId })}</h1>
      <Loaded resource={page}>
        {(p) => (
          <section className="card">
            <dl className="facts">
              <dt>{t('search.name')}</dt>
              <dd>{p.server.name}</dd>
              <dt>{t('serverPage.customer')}</dt>
              <dd>{p.customer === null ? p.server.customerId : `${p.customer.name} (${p.customer.id}, ${p.customer.email})`}</dd>
              <dt>{t('servers.addresses')}</dt>
              <dd className="mono">{p.server.addresses.join(', ')}</dd>
              <dt>{t('serverPage.gateway')}</dt>
              <dd className="mono">{p.server.uplinkGateway}</dd>
              <dt>{t('serverPage.hostGroup')}</dt>
              <dd>{p.server.hostGroupId ?? '—'}</dd>
            </dl>
            <p>
              <Link className="button" to={`/console/locks?serverId=${encodeURIComponent(serverId)}#manual-lock`}>
                {t('serverPage.lockThis')}
              </Link>
            </p>
          </section>
        )}
      </Loaded>

      <section className="card" aria-labelledby="traffic-title">
        <div className="section-head">
          <h2 id="traffic-title">{t('serverPage.traffic')}</h2>
          <div className="range" role="group" aria-label={t('serverPage.range')}>
            {(Object.keys(RANGES) as Range[]).map((r) => (
              <button key={r} type="button" aria-pressed={r === range} onClick={() => navigate(`${path}?range=${r}`, { replace: true })}>
                {t(`range.${r}` as MessageKey)}
              </button>
            ))}
            <button type="button" onClick={() => setRefreshed(Date.now())}>
              {t('app.refresh')}
            </button>
          </div>
        </div>
        <Loaded resource={traffic}>{(series) => <TrafficChart series={series} />}</Loaded>
      </section>

      <Loaded resource={page}>
        {(p) => (
          <>
            <section aria-labelledby="server-incidents">
              <h2 id="server-incidents">{t('serverPage.openIncidents')}</h2>
              {p.openIncidents.length === 0 ? <p>{t('incidents.none')}</p> : <IncidentTable incidents={p.openIncidents} />}
            </section>
            <section aria-labelledby="server-locks">
              <h2 id="server-locks">{t('serverPage.locks')}</h2>
              {p.locks.length === 0 ? <p>{t('locksConsole.empty')}</p> : <StaffLockTable locks={p.locks} />}
            </section>
            <div className="two">
              <section className="card" aria-labelledby="server-static">
                <h2 id="server-static">{t('serverPage.staticIps')}</h2>
                {p.staticIps.length === 0 ? (
                  <p>{t('staticIps.empty')}</p>
                ) : (
                  <ul className="plain mono">
                    {p.staticIps.map((s) => (
                      <li key={s.prefix}>{s.prefix}</li>
                    ))}
                  </ul>
                )}
              </section>
              <section className="card" aria-labelledby="server-bookings">
                <h2 id="server-bookings">{t('serverPage.bookings')}</h2>
                {p.consoleBookings.length === 0 ? (
                  <p>{t('bookings.empty')}</p>
                ) : (
                  <ul className="plain">
                    {p.consoleBookings.map((b) => (
                      <li key={b.id}>
                        {i18n.dateTime(b.start)} <Badge tone={b.state === 'confirmed' ? 'good' : 'warn'}>{t(`booking.${b.state}` as MessageKey)}</Badge>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            </div>
          </>
        )}
      </Loaded>
    </>
  );
}
