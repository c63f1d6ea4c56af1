import { useEffect, type ReactNode } from 'react';
import { Flex, Typography } from 'antd';
import shell from '../i18n/shell';
import { useLocale } from '../i18n';

/**
 * A page's frame: its title as the one h1 (and the document's title), actions beside
 * it, then the content.
 */
export function Page({ title, extra, children }: { title: string; extra?: ReactNode; children: ReactNode }) {
  const locale = useLocale();
  useEffect(() => {
    document.title = `${title} · ${shell[locale].brand}`;
  }, [title, locale]);
  return (
    <section aria-labelledby="page-title">
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
        <Typography.Title id="page-title" level={1} style={{ fontSize: 22, margin: 0 }}>
          {title}
        </Typography.Title>
        {extra}
      </Flex>
      {children}
    </section>
  );
}
