import { Suspense, useEffect, useMemo } from 'react';
import { BrowserRouter, Route, Routes, useNavigate } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Button, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import type { UserManager } from 'oidc-client-ts';
import { AREAS } from './areas';
import { ApiContext, createApi } from './api/client';
import { ApiError } from './api/error';
import { AuthProvider, useAuth } from './auth/AuthProvider';
import { LocationProvider } from './components/LocationSwitcher';
import { Notice } from './components/Notice';
import { Forbidden, RoleGate } from './components/RoleGate';
import { Shell } from './components/Shell';
import type { ConsoleConfig } from './config';
import shell from './i18n/shell';
import { useLocale, useT } from './i18n';

/** Refusals (4xx) are answers, not outages: only 5xx and the network are retried. */
export function shouldRetry(failures: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status < 500) return false;
  return failures < 2;
}

function Loading() {
  const t = useT(shell);
  return (
    <div role="status" aria-live="polite" style={{ display: 'grid', placeItems: 'center', minHeight: 240 }}>
      <Spin description={t('page.loading')} />
    </div>
  );
}

function NotFound() {
  const t = useT(shell);
  const navigate = useNavigate();
  return (
    <Notice
      tone="info"
      alert={false}
      title={t('page.notFound')}
      text={t('page.notFoundText')}
      actions={
        <Button type="primary" onClick={() => navigate('/')}>
          {t('page.home')}
        </Button>
      }
    />
  );
}

/** The signed-in console: API client, location scope, menu and routes. */
function Console({ apiBase }: { apiBase: string }) {
  const auth = useAuth();
  const api = useMemo(() => createApi(apiBase, auth.idToken), [apiBase, auth.idToken]);
  return (
    <ApiContext.Provider value={api}>
      <LocationProvider>
        <BrowserRouter>
          <Shell>
            <Suspense fallback={<Loading />}>
              <Routes>
                {AREAS.map((a) => (
                  <Route
                    key={a.key}
                    path={a.path === '/' ? '/' : `${a.path}/*`}
                    element={
                      <RoleGate action={a.action} fallback={<Forbidden />}>
                        <a.page />
                      </RoleGate>
                    }
                  />
                ))}
                <Route path="*" element={<NotFound />} />
              </Routes>
            </Suspense>
          </Shell>
        </BrowserRouter>
      </LocationProvider>
    </ApiContext.Provider>
  );
}

export function App({ config, manager }: { config: ConsoleConfig; manager: UserManager }) {
  const locale = useLocale();
  const queryClient = useMemo(
    () => new QueryClient({ defaultOptions: { queries: { retry: shouldRetry, staleTime: 30_000 }, mutations: { retry: false } } }),
    [],
  );
  useEffect(() => {
    document.documentElement.lang = locale;
    dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
  }, [locale]);
  return (
    <ConfigProvider locale={locale === 'zh-CN' ? zhCN : enUS}>
      <QueryClientProvider client={queryClient}>
        <AuthProvider manager={manager} clientId={config.clientId}>
          <Console apiBase={config.apiBase} />
        </AuthProvider>
      </QueryClientProvider>
    </ConfigProvider>
  );
}
