/**
 * "Server locking": static access IPs, the home or office addresses from which a locked
 * server stays reachable, so the customer can repair it over the network.
 */
import { type FormEvent, useState } from 'react';
import { apiSend } from '../api/api-client.ts';
import type { PortalServer, StaticIp } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { LockAnswer } from '../components/badges.tsx';
import { TextField } from '../components/fields.tsx';
import { ErrorSummary, Notice } from '../components/form-messages.tsx';
import { Loaded } from '../components/loaded.tsx';
import { problemOf, useForm } from '../components/use-form.ts';
import { localizeProblems } from '../i18n/field-messages.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ServerPicker, useChosenServer } from './server-picker.tsx';

function StaticIps({ server }: { server: PortalServer }) {
  const i18n = useI18n();
  const { t } = i18n;
  const path = `/api/v1/portal/servers/${encodeURIComponent(server.id)}/static-ips`;
  const list = useApi<{ max: number; items: StaticIp[] }>(path);
  const [prefix, setPrefix] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const form = useForm();
  const problems = localizeProblems(i18n, form.problems);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    const added = await form.submit(() => apiSend<StaticIp>('POST', path, { prefix }));
    if (added !== undefined) {
      setNotice(t('staticIps.added', { prefix: added.prefix }));
      setPrefix('');
      list.reload();
    }
  };
  const remove = async (entry: StaticIp) => {
    setNotice(null);
    const done = await form.submit(() => apiSend('DELETE', `${path}/${encodeURIComponent(entry.prefix)}`).then(() => true));
    if (done === true) {
      setNotice(t('staticIps.removed', { prefix: entry.prefix }));
      list.reload();
    }
  };

  return (
    <Loaded resource={list}>
      {({ max, items }) => (
        <section className="card" aria-labelledby="static-ips-title">
          <LockAnswer serverName={`${server.name} (${server.id})`} status={server.lockStatus} addresses={server.locks.flatMap((l) => l.addresses)} />
          <h2 id="static-ips-title">{t('staticIps.list', { server: server.name, max })}</h2>
          <Notice text={notice} />
          {items.length === 0 ? (
            <p>{t('staticIps.empty')}</p>
          ) : (
            <ul className="plain">
              {items.map((entry) => (
                <li key={entry.prefix}>
                  <span className="mono">{entry.prefix}</span> <span className="muted">{i18n.dateTime(entry.created)}</span>{' '}
                  <button type="button" className="link-button" onClick={() => void remove(entry)}>
                    {t('staticIps.remove', { prefix: entry.prefix })}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <form onSubmit={(e) => void add(e)} noValidate>
            <ErrorSummary problems={problems} error={form.error} labels={{ prefix: t('staticIps.prefix') }} />
            <TextField id="prefix" label={t('staticIps.prefix')} help={t('staticIps.prefixHelp')} value={prefix} onChange={setPrefix} error={problemOf(problems, 'prefix')} />
            <button type="submit" className="primary" disabled={form.busy || items.length >= max}>
              {t('staticIps.add')}
            </button>
          </form>
        </section>
      )}
    </Loaded>
  );
}

export function ServerLockingPage() {
  const { t } = useI18n();
  const servers = useApi<PortalServer[]>('/api/v1/portal/servers');
  const chosen = useChosenServer(servers.data);
  return (
    <>
      <h1>{t('staticIps.title')}</h1>
      <p className="lead">{t('staticIps.intro')}</p>
      <Loaded resource={servers}>
        {(list) =>
          chosen === undefined ? (
            <p>{t('servers.empty')}</p>
          ) : (
            <>
              <ServerPicker id="static-ip-server" label={t('staticIps.server')} servers={list} chosen={chosen} />
              <StaticIps key={chosen.id} server={chosen} />
            </>
          )
        }
      </Loaded>
    </>
  );
}
