/**
 * "Unblock requests": pick the Blocking ID and fill the form completely — the cause found,
 * the measures taken, the confirmation that the problem is solved. The API refuses an
 * incomplete form naming every missing field; each problem shows at its field and in the
 * summary at the top.
 */
import { type FormEvent, useState } from 'react';
import { ApiError, apiSend } from '../api/api-client.ts';
import type { PortalLock, PortalUnblockRequest } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { CheckboxField, SelectField, TextArea } from '../components/fields.tsx';
import { ErrorSummary, Notice } from '../components/form-messages.tsx';
import { Loaded } from '../components/loaded.tsx';
import { problemOf, useForm } from '../components/use-form.ts';
import { localizeProblems } from '../i18n/field-messages.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useLocation } from '../router/router.tsx';
import { reasonText } from './lock-facts.tsx';

const HINTS = { cause: 'unblock.hint.cause', measures: 'unblock.hint.measures', confirmed: 'unblock.hint.confirmed' } as const;

export function UnblockPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { query } = useLocation();
  const locks = useApi<PortalLock[]>('/api/v1/portal/locks');
  const [blockingId, setBlockingId] = useState(query.get('blockingId') ?? '');
  const [cause, setCause] = useState('');
  const [measures, setMeasures] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [sent, setSent] = useState<{ lock: PortalLock; request: PortalUnblockRequest } | null>(null);
  const form = useForm();
  const problems = localizeProblems(i18n, form.problems, HINTS);
  const labels = { blockingId: t('unblock.blockingId'), cause: t('unblock.cause'), measures: t('unblock.measures'), confirmed: t('unblock.confirmation') };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setSent(null);
    const result = await form.submit(async () => {
      // The Blocking ID is part of the URL, so the API cannot name it missing.
      if (blockingId === '') throw new ApiError(400, 'VALIDATION_FAILED', 'the unblock request is incomplete', [{ field: 'blockingId', message: 'is required' }]);
      return apiSend<{ lock: PortalLock; request: PortalUnblockRequest }>('POST', `/api/v1/portal/locks/${encodeURIComponent(blockingId)}/unblock-requests`, { cause, measures, confirmed });
    });
    if (result !== undefined) {
      setSent(result);
      setCause('');
      setMeasures('');
      setConfirmed(false);
      locks.reload();
    }
  };

  return (
    <>
      <h1>{t('unblock.title')}</h1>
      <p className="lead">{t('unblock.intro')}</p>
      {sent !== null ? (
        <div className="card">
          <Notice text={`${t('unblock.sent', { blockingId: sent.lock.blockingId })}${sent.lock.state === 'released' ? ` ${t('unblock.released')}` : ''}`} />
          <p>
            <Link to={`/portal/locks/${sent.lock.blockingId}`}>{t('lock.title', { blockingId: sent.lock.blockingId })}</Link>
          </p>
        </div>
      ) : null}
      <Loaded resource={locks}>
        {(list) => {
          const open = list.filter((l) => l.canRequestUnblock);
          if (open.length === 0 && sent === null) return <p>{t('unblock.none')}</p>;
          if (open.length === 0) return null;
          return (
            <form className="card" onSubmit={(e) => void onSubmit(e)} noValidate aria-labelledby="unblock-form-title">
              <h2 id="unblock-form-title" className="visually-hidden">
                {t('unblock.title')}
              </h2>
              <ErrorSummary problems={problems} error={form.error} labels={labels} />
              <SelectField id="blockingId" label={t('unblock.blockingId')} value={blockingId} onChange={setBlockingId} required error={problemOf(problems, 'blockingId')}>
                <option value="">{t('unblock.pick')}</option>
                {open.map((l) => (
                  <option key={l.blockingId} value={l.blockingId}>
                    {l.blockingId} — {l.serverId}, {reasonText(t, l.reason)}, {i18n.dateTime(l.since)}
                  </option>
                ))}
              </SelectField>
              <TextArea id="cause" label={t('unblock.cause')} help={t('unblock.causeHelp')} value={cause} onChange={setCause} required error={problemOf(problems, 'cause')} />
              <TextArea id="measures" label={t('unblock.measures')} help={t('unblock.measuresHelp')} value={measures} onChange={setMeasures} required error={problemOf(problems, 'measures')} />
              <CheckboxField id="confirmed" label={t('unblock.confirmed')} checked={confirmed} onChange={setConfirmed} required error={problemOf(problems, 'confirmed')} />
              <button type="submit" className="primary" disabled={form.busy}>
                {form.busy ? t('form.sending') : t('unblock.submit')}
              </button>
              <p className="muted">
                {t('unblock.lara')} <Link to="/portal/remote-console">{t('nav.remoteConsole')}</Link> · <Link to="/portal/server-locking">{t('nav.serverLocking')}</Link>
              </p>
            </form>
          );
        }}
      </Loaded>
    </>
  );
}
