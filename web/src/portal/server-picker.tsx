/** Choosing one of my servers for a per-server page; the choice is kept in the URL (?serverId=). */
import type { PortalServer } from '../api/api-types.ts';
import { SelectField } from '../components/fields.tsx';
import { navigate, useLocation } from '../router/router.tsx';

export function useChosenServer(servers: PortalServer[] | undefined): PortalServer | undefined {
  const { query } = useLocation();
  const wanted = query.get('serverId');
  return servers?.find((s) => s.id === wanted) ?? servers?.[0];
}

export function ServerPicker({ id, label, servers, chosen }: { id: string; label: string; servers: PortalServer[]; chosen: PortalServer | undefined }) {
  const { path } = useLocation();
  if (servers.length < 2) return null;
  return (
    <SelectField id={id} label={label} value={chosen?.id ?? ''} onChange={(serverId) => navigate(`${path}?serverId=${encodeURIComponent(serverId)}`, { replace: true })}>
      {servers.map((s) => (
        <option key={s.id} value={s.id}>
          {s.name} ({s.id})
        </option>
      ))}
    </SelectField>
  );
}
