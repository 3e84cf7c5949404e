import 'server-only';
import { loadPolicyRows } from '../../prisma/policy-rows';
import { defaultFor, compatLevelNumber, PARAMETERS, type ParamGroup } from '../../mail-engine/policy/parameters';
import { compilePolicy, RESTRICTION_LISTS } from '../../mail-engine/policy/compile-policy';
import { RESTRICTION_TABLE } from '../../mail-engine/policy/restriction-table';
import { getDb } from '../db';

/** The SMTP settings page: the parameters it groups, each with its postconf name, doc, default and values. */
export const SETTINGS_GROUPS: { id: string; title: string; params: string[] }[] = [
  { id: 'listeners', title: 'Listeners', params: ['myhostname', 'inet_interfaces', 'inet_protocols', 'postern_smtpd_port', 'postern_submission_port', 'postern_submissions_port', 'smtpd_banner'] },
  { id: 'tls', title: 'TLS', params: ['smtpd_tls_cert_file', 'smtpd_tls_key_file', 'smtpd_tls_security_level', 'smtp_tls_security_level'] },
  {
    id: 'sasl',
    title: 'SMTP AUTH (SASL)',
    params: ['smtpd_sasl_auth_enable', 'smtpd_sasl_security_options', 'smtpd_tls_auth_only', 'broken_sasl_auth_clients', 'smtpd_sasl_local_domain', 'postern_auth_failure_limit', 'postern_auth_failure_window'],
  },
  {
    id: 'limits',
    title: 'Size and rate limits',
    params: ['message_size_limit', 'smtpd_recipient_limit', 'smtpd_client_connection_count_limit', 'smtpd_client_connection_rate_limit', 'smtpd_soft_error_limit', 'smtpd_hard_error_limit', 'smtpd_error_sleep_time', 'smtpd_timeout', 'postern_greet_pause'],
  },
  { id: 'relay', title: 'Relaying and delivery', params: ['relayhost', 'smtp_tcp_port', 'default_destination_concurrency_limit', 'local_transport', 'minimal_backoff_time', 'maximal_backoff_time', 'maximal_queue_lifetime'] },
];

export type SettingField = { name: string; doc: string; type: string; values?: readonly string[]; defaultValue: string; value?: string; effective: string; group: ParamGroup };

const byName = new Map(PARAMETERS.map((p) => [p.name, p]));

/** The stored rows, their compiled policy, and each parameter's default at their compatibility_level. */
const loadPolicyView = async () => {
  const db = await getDb();
  const rows = await loadPolicyRows(db);
  const compiled = compilePolicy(rows);
  const level = compatLevelNumber(rows.settings.compatibility_level ?? '0');
  const defaultOf = (name: string) => defaultFor(byName.get(name)!, Number.isNaN(level) ? 0 : level);
  const effective = (name: string) => (compiled.ok ? (compiled.policy.params[name] ?? '') : undefined);
  return { db, rows, defaultOf, effective };
};

export const getSettingsPage = async () => {
  const { rows, defaultOf, effective } = await loadPolicyView();
  const field = (name: string): SettingField => {
    const def = byName.get(name)!;
    return {
      name,
      doc: def.doc,
      type: def.type,
      values: def.values,
      defaultValue: defaultOf(name),
      value: rows.settings[name],
      effective: effective(name) ?? '',
      group: def.group,
    };
  };
  return { revision: rows.revision, groups: SETTINGS_GROUPS.map((g) => ({ ...g, fields: g.params.filter((p) => byName.has(p)).map(field) })) };
};

export const getRestrictionsPage = async () => {
  const { db, rows, defaultOf, effective } = await loadPolicyView();
  return {
    lists: RESTRICTION_LISTS.map((name) => ({
      name,
      doc: byName.get(name)!.doc,
      explicit: rows.settings[name] !== undefined,
      value: effective(name) ?? rows.settings[name] ?? defaultOf(name),
    })),
    supported: Object.entries(RESTRICTION_TABLE).map(([name, spec]) => ({ name, doc: spec.doc, arg: spec.arg ?? null })),
    accessEntries: await db.accessEntry.findMany({ orderBy: [{ table: 'asc' }, { key: 'asc' }], take: 5000 }),
  };
};
