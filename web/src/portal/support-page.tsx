/** Support requests: subject and message, optionally about a server and a Blocking ID; my requests and the answers. */
import { type FormEvent, useState } from 'react';
import { apiSend } from '../api/api-client.ts';
import type { PortalLock, PortalServer, SupportRequest } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { Badge } from '../components/badges.tsx';
import { SelectField, TextArea, TextField } from '../components/fields.tsx';
import { ErrorSummary, Notice } from '../components/form-messages.tsx';
import { Loaded } from '../components/loaded.tsx';
import { problemOf, useForm } from '../components/use-form.ts';
import { localizeProblems } from '../i18n/field-messages.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useLocation } from '../router/router.tsx';

export function SupportPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { query } = useLocation();
  const servers = useApi<PortalServer[]>('/api/v1/portal/servers');
  const locks = useApi<PortalLock[]>('/api/v1/portal/locks');
  const requests = useApi<SupportRequest[]>('/api/v1/portal/support-requests');
  const [subject, setSubject] = useState('');
  const [message, setMessage] = useState('');
  const [serverId, setServerId] = useState(query.get('serverId') ?? '');
  const [blockingId, setBlockingId] = useState(query.get('blockingId') ?? '');
  const [notice, setNotice] = useState<string | null>(null);
  const form = useForm();
  const problems = localizeProblems(i18n, form.problems);
  const labels = { subject: t('support.subject'), message: t('support.message'), serverId: t('support.server'), blockingId: t('support.blockingId') };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    const created = await form.submit(() =>
      apiSend<SupportRequest>('POST', '/api/v1/portal/support-requests', { subject, message, serverId: serverId === '' ? null : serverId, blockingId: blockingId === '' ? null : blockingId }),
    );
    if (created !== undefined) {
      setNotice(t('support.sent'));
      setSubject('');
      setMessage('');
      requests.reload();
    }
  };

  return (
    <>
      <h1>{t('support.title')}</h1>
      <p className="lead">{t('support.intro')}</p>
      <form className="card" onSubmit={(e) => void onSubmit(e)} noValidate>
        <Notice text={notice} />
        <ErrorSummary problems={problems} error={form.error} labels={labels} />
        <div className="row">
          <SelectField id="serverId" label={t('support.server')} value={serverId} onChange={setServerId} error={problemOf(problems, 'serverId')}>
            <option value="">{t('support.noServer')}</option>
            {(servers.data ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.id})
              </option>
            ))}
          </SelectField>
          <SelectField id="blockingId" label={t('support.blockingId')} value={blockingId} onChange={setBlockingId} error={problemOf(problems, 'blockingId')}>
            <option value="">{t('support.noLock')}</option>
            {(locks.data ?? [])
              .filter((l) => serverId === '' || l.serverId === serverId)
              .map((l) => (
                <option key={l.blockingId} value={l.blockingId}>
                  {l.blockingId} ({l.serverId})
                </option>
              ))}
          </SelectField>
        </div>
        <TextField id="subject" label={t('support.subject')} value={subject} onChange={setSubject} required error={problemOf(problems, 'subject')} />
        <TextArea id="message" label={t('support.message')} rows={6} value={message} onChange={setMessage} required error={problemOf(problems, 'message')} />
        <button type="submit" className="primary" disabled={form.busy}>
          {t('support.submit')}
        </button>
      </form>
      <h2>{t('support.list')}</h2>
      <Loaded resource={requests}>
        {(list) =>
          list.length === 0 ? (
            <p>{t('support.empty')}</p>
          ) : (
            list.map((r) => (
              <article key={r.id} className="card request">
                <h3>
                  {r.subject} <Badge tone={r.state === 'open' ? 'warn' : 'good'}>{t(r.state === 'open' ? 'support.open' : 'support.closed')}</Badge>
                </h3>
                <p className="muted">
                  {i18n.dateTime(r.created)}
                  {r.serverId !== null ? ` · ${r.serverId}` : ''}
                  {r.blockingId !== null ? ` · ${r.blockingId}` : ''}
                </p>
                <p className="pre-line">{r.message}</p>
                {r.staffMessage !== '' ? (
                  <p className="pre-line">
                    <strong>{t('support.answer')}:</strong> {r.staffMessage}
                  </p>
                ) : null}
              </article>
            ))
          )
        }
      </Loaded>
    </>
  );
}
