'use client';
import { useState } from 'react';
import { deleteUserAction, endSessionsAction, resetPasswordAction, updateUserAction } from '@/server/actions/users';
import { resetSecondFactorsAction } from '@/server/actions/security';
import { ActionForm, Input, Select } from '../forms/action-form';
import { ROLE_OPTIONS } from './roles';

export type UserRow = { address: string; role: string; quotaMb: string; hasMailbox: boolean; active: boolean; sessions: number; lastSeen: string; secondFactors: number };

/**
 * The actions of one row of the users table. Its props are plain values, so the page's
 * payload carries five fields a row rather than four serialised form trees; the edit and
 * password forms are rendered only once their disclosure is opened (a page shows 50 rows).
 */
export const UserRowActions = ({ user: u }: { user: UserRow }) => {
  const [editing, setEditing] = useState(false);
  return (
    <div className="flex flex-wrap items-start gap-x-2">
      <details className="basis-full" onToggle={(e) => setEditing(e.currentTarget.open)}>
        <summary className="cursor-pointer text-sm text-brand-700">Edit</summary>
        {editing ? (
          <>
            <ActionForm action={updateUserAction} submit="Save" variant="secondary">
              <input type="hidden" name="address" value={u.address} />
              <input type="hidden" name="mailboxSent" value="1" />
              <Select label={`Role of ${u.address}`} name="role" defaultValue={u.role} options={ROLE_OPTIONS} />
              <Input label="Quota (MB, 0 = none)" name="quotaMb" type="number" min={0} defaultValue={u.quotaMb} />
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="hasMailbox" defaultChecked={u.hasMailbox} /> Has a mailbox
              </label>
            </ActionForm>
            <ActionForm action={resetPasswordAction} submit="Reset password" variant="secondary">
              <input type="hidden" name="address" value={u.address} />
              <Input label={`New password for ${u.address}`} name="password" type="password" autoComplete="new-password" />
            </ActionForm>
          </>
        ) : null}
      </details>
      <ActionForm action={updateUserAction} submit={u.active ? 'Disable' : 'Enable'} variant="secondary" confirm={u.active ? `Disable ${u.address}? They can no longer sign in or log in over SMTP, and mail to them is refused.` : undefined}>
        <input type="hidden" name="address" value={u.address} />
        <input type="hidden" name="active" value={String(!u.active)} />
      </ActionForm>
      {u.sessions > 0 ? (
        <ActionForm action={endSessionsAction} submit={`End ${u.sessions} session${u.sessions === 1 ? '' : 's'}`} variant="secondary" confirm={`Sign ${u.address} out of the console everywhere (last seen ${u.lastSeen})?`}>
          <input type="hidden" name="address" value={u.address} />
        </ActionForm>
      ) : null}
      {u.secondFactors > 0 ? (
        <ActionForm action={resetSecondFactorsAction} submit={`Remove ${u.secondFactors} second factor${u.secondFactors === 1 ? '' : 's'}`} variant="secondary" confirm={`Remove every second factor of ${u.address} (a lost phone or key)? They sign in with their password alone and set up a new one.`}>
          <input type="hidden" name="address" value={u.address} />
        </ActionForm>
      ) : null}
      <ActionForm action={deleteUserAction} submit="Delete" variant="danger" confirm={`Delete ${u.address}?`}>
        <input type="hidden" name="address" value={u.address} />
      </ActionForm>
    </div>
  );
};
