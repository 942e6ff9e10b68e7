/** Search results: an IP address's server and customer, a Blocking ID's lock, or servers and customers by text. */
import type { SearchResult, Server } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { Loaded } from '../components/loaded.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useLocation } from '../router/router.tsx';
import { StaffLockTable } from './console-tables.tsx';

/** A customer's servers, under the customer in the results. */
function CustomerServers({ customerId }: { customerId: string }) {
  const servers = useApi<Server[]>(`/api/v1/servers?customerId=${encodeURIComponent(customerId)}&limit=50`);
  if (servers.data === undefined || servers.data.length === 0) return null;
  return (
    <ul>
      {servers.data.map((s) => (
        <li key={s.id}>
          <Link to={`/console/servers/${encodeURIComponent(s.id)}`}>
            {s.id} · {s.name}
          </Link>
        </li>
      ))}
    </ul>
  );
}

export function SearchPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const result = useApi<SearchResult>(q === '' ? null : `/api/v1/console/search?q=${encodeURIComponent(q)}`);
  return (
    <>
      <h1>{q === '' ? t('search.title') : t('search.results', { query: q })}</h1>
      {q === '' ? (
        <p>{t('search.label')}</p>
      ) : (
        <Loaded resource={result}>
          {(r) => (
            <>
              {r.address !== null ? (
                <section className="card">
                  <h2>{t('search.address', { ip: r.address.ip })}</h2>
                  <p>
                    {r.address.owner !== null ? t('search.belongsTo', { server: r.address.owner.serverId, customer: r.address.owner.customerId }) : t('search.notOurs')}
                    {r.address.protected ? ` · ${t('search.protected')}` : ''}
                  </p>
                </section>
              ) : null}
              {r.servers.length === 0 && r.customers.length === 0 && r.locks.length === 0 ? <p>{t('search.nothing')}</p> : null}
              {r.servers.length > 0 ? (
                <section>
                  <h2>{t('search.servers')}</h2>
                  <ul className="plain">
                    {r.servers.map((s) => (
                      <li key={s.id}>
                        <Link to={`/console/servers/${encodeURIComponent(s.id)}`}>
                          {s.id} · {s.name}
                        </Link>{' '}
                        <span className="muted mono">
                          {s.customerId} · {s.addresses.join(', ')}
                        </span>
                      </li>
                    ))}
                  </ul>
                </section>
              ) : null}
              {r.customers.length > 0 ? (
                <section>
                  <h2>{t('search.customers')}</h2>
                  <ul className="plain">
                    {r.customers.map((c) => (
                      <li key={c.id}>
                        <strong>{c.id}</strong> · {c.name} · <span className="mono">{c.email}</span>
                        <CustomerServers customerId={c.id} />
                      </li>
                    ))}
                  </ul>
                </section>
              ) : null}
              {r.locks.length > 0 ? (
                <section>
                  <h2>{t('search.locks')}</h2>
                  <StaffLockTable locks={r.locks} />
                </section>
              ) : null}
            </>
          )}
        </Loaded>
      )}
    </>
  );
}
