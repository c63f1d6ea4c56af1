import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Notice } from './components/Notice';
import { App } from './App';
import { loadConfig } from './config';
import { createUserManager } from './auth/manager';
import shell from './i18n/shell';
import { getLocale, t } from './i18n';
import './index.css';

const root = createRoot(document.getElementById('root')!);

loadConfig().then(
  (config) => {
    const manager = createUserManager(config, window.location.origin);
    root.render(
      <StrictMode>
        <App config={config} manager={manager} />
      </StrictMode>,
    );
  },
  (err: unknown) => {
    const locale = getLocale();
    document.documentElement.lang = locale;
    root.render(
      <Notice
        tone="error"
        title={t(shell, locale, 'config.failed')}
        text={t(shell, locale, 'config.failedText', { reason: err instanceof Error ? err.message : String(err) })}
      />,
    );
  },
);
