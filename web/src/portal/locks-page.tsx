/** Every lock of my servers, in force and past. */
import type { PortalLock } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { Loaded } from '../components/loaded.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { PortalLockTable } from './lock-facts.tsx';

export function LocksPage() {
  const { t } = useI18n();
  const locks = useApi<PortalLock[]>('/api/v1/portal/locks');
  return (
    <>
      <h1>{t('locks.title')}</h1>
      <p className="lead">{t('locks.intro')}</p>
      <Loaded resource={locks}>{(list) => (list.length === 0 ? <p>{t('locks.empty')}</p> : <PortalLockTable locks={list} showServer />)}</Loaded>
    </>
  );
}
