/** Tables the console shows on several pages: incidents and locks. */
import type { Incident, StaffLock } from '../api/api-types.ts';
import { LockStateBadge } from '../components/badges.tsx';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router/router.tsx';
import { formatRate } from './chart-scale.ts';

const LOCALES = { en: 'en-GB', de: 'de-DE' } as const;

/** Units of detection's rate metrics (technical, the same in every language). */
const METRIC_UNITS: Record<string, string> = {
  packetsPerSecond: 'pps',
  bitsPerSecond: 'bit/s',
  flowsPerSecond: 'flows/s',
  synPerSecond: 'SYN/s',
  udpPerSecond: 'UDP pps',
  icmpPerSecond: 'ICMP pps',
  fragmentsPerSecond: 'fragments/s',
};

/** What made the incident: the thresholds exceeded, or the scan's extent. */
function Evidence({ incident }: { incident: Incident }) {
  const i18n = useI18n();
  const locale = LOCALES[i18n.language];
  const scan = incident.netscan;
  if (scan !== null) {
    return (
      <>
        {scan.type === 'horizontal'
          ? i18n.t('incidents.scanHorizontal', { port: scan.port, targets: i18n.number(scan.distinctTargets) })
          : i18n.t('incidents.scanVertical', { target: scan.target ?? '', targets: i18n.number(scan.distinctTargets) })}
      </>
    );
  }
  return (
    <>
      {incident.exceeded
        .map((e) => {
          const unit = METRIC_UNITS[e.metric] ?? e.metric;
          return `${formatRate(e.peak, unit, locale)} > ${formatRate(e.threshold, unit, locale)}`;
        })
        .join(', ')}
    </>
  );
}

export function IncidentTable({ incidents }: { incidents: Incident[] }) {
  const i18n = useI18n();
  const { t } = i18n;
  const locale = LOCALES[i18n.language];
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">{t('incidents.server')}</th>
            <th scope="col">{t('incidents.customer')}</th>
            <th scope="col">{t('incidents.address')}</th>
            <th scope="col">{t('incidents.kind')}</th>
            <th scope="col">{t('incidents.peak')}</th>
            <th scope="col">{t('incidents.evidence')}</th>
            <th scope="col">{t('incidents.firstSeen')}</th>
            <th scope="col">{t('incidents.lastSeen')}</th>
          </tr>
        </thead>
        <tbody>
          {incidents.map((inc) => (
            <tr key={inc.id} data-incident-id={inc.id}>
              <td>
                <Link to={`/console/servers/${encodeURIComponent(inc.serverId)}`}>{inc.serverId}</Link>
              </td>
              <td>{inc.customerId}</td>
              <td className="mono">{inc.address}</td>
              <td>
                {t(`kind.${inc.kind}` as MessageKey)} · {t(`direction.${inc.direction}` as MessageKey)}
              </td>
              <td className="num">
                {inc.peak.packetsPerSecond === 0 && inc.peak.bitsPerSecond === 0 ? (
                  '—'
                ) : (
                  <>
                    {formatRate(inc.peak.packetsPerSecond, 'pps', locale)}
                    <br />
                    {formatRate(inc.peak.bitsPerSecond, 'bit/s', locale)}
                  </>
                )}
              </td>
              <td>
                <Evidence incident={inc} />
              </td>
              <td>{i18n.dateTime(inc.firstSeen)}</td>
              <td>{i18n.time(inc.lastSeen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function StaffLockTable({ locks }: { locks: StaffLock[] }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">{t('lock.blockingId')}</th>
            <th scope="col">{t('lock.server')}</th>
            <th scope="col">{t('locksConsole.customer')}</th>
            <th scope="col">{t('lock.reason')}</th>
            <th scope="col">{t('lock.scope')}</th>
            <th scope="col">{t('lock.state')}</th>
            <th scope="col">{t('locksConsole.source')}</th>
            <th scope="col">{t('locksConsole.created')}</th>
          </tr>
        </thead>
        <tbody>
          {locks.map((l) => (
            <tr key={l.blockingId} data-blocking-id={l.blockingId}>
              <td>
                <Link className="mono" to={`/console/locks/${l.blockingId}`}>
                  {l.blockingId}
                </Link>
              </td>
              <td>
                <Link to={`/console/servers/${encodeURIComponent(l.serverId)}`}>{l.serverId}</Link>
              </td>
              <td>{l.customerId}</td>
              <td>{t(`reason.${l.reason}` as MessageKey)}</td>
              <td>{l.scope === 'server' ? t('scope.server') : l.addresses.join(', ')}</td>
              <td>
                <LockStateBadge state={l.state} /> {l.dryRun ? <span className="badge neutral">{t('locksConsole.dryRun')}</span> : null}
              </td>
              <td>{l.source}</td>
              <td>{i18n.dateTime(l.created)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
