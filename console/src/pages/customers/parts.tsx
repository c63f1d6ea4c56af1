import { Fragment, type ReactNode } from 'react';
import { Typography, type CardProps } from 'antd';
import customers from '../../i18n/customers';
import { useT } from '../../i18n';
import type { Customer } from './model';

/** Text that is data (names, numbers, ids): left as it is by translation tools. */
export function Data({ children, lang }: { children: ReactNode; lang?: string }) {
  return (
    <span translate="no" lang={lang}>
      {children}
    </span>
  );
}

/**
 * A translated message whose {placeholders} are filled with elements (data wrapped in
 * Data), so that the words are translated and the data is marked as data.
 */
export function fill(message: string, parts: Record<string, ReactNode>): ReactNode[] {
  return message.split(/(\{\w+\})/).map((piece, i) => {
    const name = /^\{(\w+)\}$/.exec(piece)?.[1];
    return name !== undefined && name in parts ? <Fragment key={i}>{parts[name]}</Fragment> : piece;
  });
}

/** A card whose title (a customer's name) wraps on a phone rather than being cut off. */
export const WRAP_TITLE: CardProps['styles'] = {
  header: { flexWrap: 'wrap', rowGap: 8, paddingBlock: 12 },
  title: { whiteSpace: 'normal', overflow: 'visible', flex: '1 1 200px' },
};

/** A customer's name, or words saying there is none. */
export function CustomerName({ c }: { c: Pick<Customer, 'name'> }) {
  const t = useT(customers);
  return c.name ? <Data>{c.name}</Data> : <Typography.Text type="secondary">{t('noName')}</Typography.Text>;
}
