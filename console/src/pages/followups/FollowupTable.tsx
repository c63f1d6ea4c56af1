import { Button, Table, type TableColumnsType } from 'antd';
import type { UseInfiniteQueryResult } from '@tanstack/react-query';
import followups from '../../i18n/followups';
import { useT } from '../../i18n';
import type { Followup } from './model';

/** A page-by-page list of follow-ups, with "show older" while the query has more. */
export function FollowupTable({
  columns,
  items,
  query,
  emptyText,
}: {
  columns: TableColumnsType<Followup>;
  items: Followup[];
  query: Pick<UseInfiniteQueryResult, 'isPending' | 'hasNextPage' | 'isFetchingNextPage' | 'fetchNextPage'>;
  emptyText: string;
}) {
  const t = useT(followups);
  return (
    <Table<Followup>
      rowKey="followupId"
      columns={columns}
      dataSource={items}
      loading={query.isPending}
      pagination={false}
      size="small"
      scroll={{ x: 'max-content' }}
      locale={{ emptyText }}
      footer={
        query.hasNextPage
          ? () => (
              <Button onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
                {t('list.more')}
              </Button>
            )
          : undefined
      }
    />
  );
}
