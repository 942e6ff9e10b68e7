/**
 * Locks for the abuse desk: the list by state and the manual lock — non-payment, abuse
 * (with the written statement the customer will read) and every other reason.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { apiSend, withQuery } from '../api/api-client.ts';
import { LOCK_REASONS, type StaffLock } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { SelectField, TextArea, TextField } from '../components/fields.tsx';
import { ErrorSummary, Notice } from '../components/form-messages.tsx';
import { Loaded } from '../components/loaded.tsx';
import { problemOf, useForm } from '../components/use-form.ts';
import { localizeProblems } from '../i18n/field-messages.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { Link, navigate, useLocation } from '../router/router.tsx';
import { StaffLockTable } from './console-tables.tsx';

const FILTERS = {
  enforced: ['active', 'unblock_requested'],
  review: ['review'],
  released: ['released'],
  all: [],
} as const;
type Filter = keyof typeof FILTERS;

function ManualLockForm({ initialServerId, onLocked }: { initialServerId: string; onLocked(lock: StaffLock): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [serverId, setServerId] = useState(initialServerId);
  const [reason, setReason] = useState('');
  const [statement, setStatement] = useState('');
  const [addresses, setAddresses] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const form = useForm();
  const problems = localizeProblems(i18n, form.problems);
  const labels = { serverId: t('locksConsole.serverId'), reason: t('locksConsole.reason'), statement: t('locksConsole.statement'), addresses: t('locksConsole.addresses') };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    const list = addresses.split(/[\s,]+/).filter(Boolean);
    const lock = await form.submit(() => apiSend<StaffLock>('POST', '/api/v1/locks', { serverId, reason, statement, ...(list.length > 0 ? { addresses: list } : {}) }));
    if (lock !== undefined) {
      setNotice(t('locksConsole.locked', { serverId: lock.serverId, blockingId: lock.blockingId }));
      setStatement('');
      setAddresses('');
      onLocked(lock);
    }
  };

  return (
    <form id="manual-lock" className="card" onSubmit={(e) => void onSubmit(e)} noValidate aria-labelledby="manual-lock-title">
      <h2 id="manual-lock-title">{t('locksConsole.manual')}</h2>
      <p className="muted">{t('locksConsole.manualIntro')}</p>
      <Notice text={notice} />
      <ErrorSummary problems={problems} error={form.error} labels={labels} />
      <div className="row">
        <TextField id="serverId" label={t('locksConsole.serverId')} value={serverId} onChange={setServerId} required error={problemOf(problems, 'serverId')} />
        <SelectField id="reason" label={t('locksConsole.reason')} value={reason} onChange={setReason} required error={problemOf(problems, 'reason')}>
          <option value="" />
          {LOCK_REASONS.map((r) => (
            <option key={r} value={r}>
              {t(`reason.${r}` as MessageKey)}
            </option>
          ))}
        </SelectField>
      </div>
      <TextArea id="statement" label={t('locksConsole.statement')} rows={3} value={statement} onChange={setStatement} error={problemOf(problems, 'statement')} />
      <TextField id="addresses" label={t('locksConsole.addresses')} help={t('locksConsole.addressesHelp')} value={addresses} onChange={setAddresses} error={problemOf(problems, 'addresses')} />
      <button type="submit" className="danger" disabled={form.busy}>
        {t('locksConsole.submit')}
      </button>
    </form>
  );
}

export function LocksPage() {
  const { t } = useI18n();
  const { path, query } = useLocation();
  const filter: Filter = (query.get('filter') as Filter | null) ?? 'enforced';
  const serverId = query.get('serverId') ?? '';
  const states = FILTERS[filter] ?? FILTERS.enforced;
  const params = new URLSearchParams({ limit: '200' });
  if (serverId !== '') params.set('serverId', serverId);
  for (const state of states) params.append('state', state);
  const locks = useApi<StaffLock[]>(`/api/v1/locks?${params}`);
  useEffect(() => {
    if (window.location.hash === '#manual-lock') document.getElementById('manual-lock')?.scrollIntoView();
  }, []);
  const labels: Record<Filter, MessageKey> = { enforced: 'locksConsole.enforced', review: 'state.review', released: 'state.released', all: 'locksConsole.all' };
  return (
    <>
      <h1>{t('locksConsole.title')}</h1>
      <div className="range" role="group" aria-label={t('locksConsole.filter')}>
        {(Object.keys(FILTERS) as Filter[]).map((f) => (
          <button key={f} type="button" aria-pressed={f === filter} onClick={() => navigate(withQuery(path, { filter: f, serverId }), { replace: true })}>
            {t(labels[f])}
          </button>
        ))}
        {serverId !== '' ? <Link to={withQuery(path, { filter })}>× {serverId}</Link> : null}
      </div>
      <Loaded resource={locks}>{(list) => (list.length === 0 ? <p>{t('locksConsole.empty')}</p> : <StaffLockTable locks={list} />)}</Loaded>
      <ManualLockForm initialServerId={serverId} onLocked={() => locks.reload()} />
    </>
  );
}
