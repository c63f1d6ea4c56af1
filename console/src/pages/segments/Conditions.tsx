import { Flex, Tag } from 'antd';
import segments from '../../i18n/segments';
import { useT } from '../../i18n';
import { conditions, type Filter } from './segment';

/** A filter's conditions as tags; data values (classes, tags) are kept from translation. */
export function Conditions({ filter }: { filter: Filter }) {
  const t = useT(segments);
  const list = conditions(filter);
  if (list.length === 0) return <span>{t('cond.none')}</span>;
  return (
    <Flex wrap gap={4}>
      {list.map((c) => (
        <Tag key={c.key} style={{ marginInlineEnd: 0 }}>
          {c.n !== undefined && t(c.key as 'cond.minR', { n: c.n })}
          {c.values && (
            <>
              {t(c.key as 'cond.abc')} <span translate="no">{c.values.join(', ')}</span>
            </>
          )}
          {c.tiers && (
            <>
              {t('cond.tiers')} {c.tiers.map((x) => t(`tier.${x}`)).join(t('list.sep'))}
            </>
          )}
        </Tag>
      ))}
    </Flex>
  );
}
