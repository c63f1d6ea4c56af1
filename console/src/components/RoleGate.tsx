import type { ReactNode } from 'react';
import { can, type Action } from '../auth/access';
import { useAuth } from '../auth/AuthProvider';
import common from '../i18n/common';
import { useT } from '../i18n';
import { Notice } from './Notice';

export { can };

/**
 * Shows children only to a role that may take action; others get fallback (nothing by
 * default: what a role may not do is not offered).
 */
export function RoleGate({ action, children, fallback = null }: { action: Action; children: ReactNode; fallback?: ReactNode }) {
  const { principal } = useAuth();
  return <>{can(principal, action) ? children : fallback}</>;
}

/** A page a role may not open (reached by a typed or an old link), said in words. */
export function Forbidden() {
  const t = useT(common);
  return <Notice tone="forbidden" title={t('error.403')} text={t('error.403.text')} />;
}
