import { deleteDomainAction, toggleDomainAction } from '@/server/actions/domains';
import { ActionForm } from '../forms/action-form';

/** Disable/enable and delete, for a domain's row and its detail page alike. */
export const DomainActions = ({ domain, className }: { domain: { id: number; name: string; active: boolean }; className?: string }) => (
  <div className={className}>
    <ActionForm action={toggleDomainAction} submit={domain.active ? 'Disable' : 'Enable'} variant="secondary">
      <input type="hidden" name="id" value={domain.id} />
      <input type="hidden" name="active" value={String(!domain.active)} />
    </ActionForm>
    <ActionForm action={deleteDomainAction} submit="Delete" variant="danger" confirm={`Delete ${domain.name}? Mail for it will be refused.`}>
      <input type="hidden" name="id" value={domain.id} />
    </ActionForm>
  </div>
);
