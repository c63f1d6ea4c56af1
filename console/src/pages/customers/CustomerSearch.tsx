import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Alert, Button, Flex, Input, Table, Typography, type TableColumnsType } from 'antd';
import { call, useApi } from '../../api/client';
import { ApiError } from '../../api/error';
import { ErrorView } from '../../components/ErrorView';
import { useLocationScope } from '../../components/LocationSwitcher';
import customers from '../../i18n/customers';
import { useLocale, useT } from '../../i18n';
import { formatDate } from '../../lib/format';
import { queryKind, searchParams, type Customer } from './model';
import { CustomerName, Data } from './parts';

/**
 * Finds customers (GET /v1/customers): a phone, an email or an id anywhere the person
 * sees, a name at the picked location. Each result links to the customer's page, or,
 * with onPick, is chosen by a button; with autoPick a phone or email that finds exactly
 * one customer chooses them at once (the counter).
 */
export function CustomerSearch({
  label,
  initialQuery,
  onSearch,
  onPick,
  autoPick = false,
  autoFocus = false,
}: {
  label?: string;
  initialQuery?: string;
  onSearch?: (q: string) => void;
  onPick?: (c: Customer) => void;
  autoPick?: boolean;
  autoFocus?: boolean;
}) {
  const t = useT(customers);
  const locale = useLocale();
  const api = useApi();
  const { locationId, locations, zoneOf, loading } = useLocationScope();
  const [text, setText] = useState(initialQuery ?? '');
  const [submitted, setSubmitted] = useState<string | undefined>(initialQuery);
  // Until the locations are known, the picked one is not: wait rather than search twice.
  const params = submitted === undefined || loading ? 'empty' : searchParams(submitted, locationId);
  const q = useInfiniteQuery({
    queryKey: ['/v1/customers', params],
    enabled: typeof params === 'object',
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/v1/customers', {
          params: { query: { ...(params as { q: string; locationId?: string }), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = (q.data?.pages.flatMap((p) => p.items) ?? []) as Customer[];

  const picked = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!autoPick || !onPick || !submitted || q.isFetching || items.length !== 1) return;
    const kind = queryKind(submitted);
    if ((kind === 'phone' || kind === 'email') && picked.current !== submitted) {
      picked.current = submitted;
      onPick(items[0]!);
    }
  }, [autoPick, onPick, submitted, q.isFetching, items]);

  const search = (value: string) => {
    setSubmitted(value.trim());
    onSearch?.(value.trim());
  };

  const locationName = (id: string | undefined) => (id ? (locations.find((l) => l.locationId === id)?.name ?? id) : undefined);
  const columns: TableColumnsType<Customer> = [
    {
      title: t('col.name'),
      key: 'name',
      render: (_, c) => {
        const name = c.name || t('noName');
        return onPick ? (
          <Button type="link" style={{ padding: 0 }} onClick={() => onPick(c)} aria-label={t('search.pick', { name })}>
            <CustomerName c={c} />
          </Button>
        ) : (
          <Link to={`/customers/${encodeURIComponent(c.customerId)}`} aria-label={t('search.open', { name })}>
            <CustomerName c={c} />
          </Link>
        );
      },
    },
    { title: t('col.phone'), dataIndex: 'phone', key: 'phone', render: (v?: string) => (v ? <Data>{v}</Data> : t('none')) },
    { title: t('col.email'), dataIndex: 'email', key: 'email', responsive: ['md'], render: (v?: string) => (v ? <Data>{v}</Data> : t('none')) },
    {
      title: t('col.location'),
      dataIndex: 'locationId',
      key: 'locationId',
      responsive: ['lg'],
      render: (v?: string) => (v ? <Data>{locationName(v)}</Data> : t('none')),
    },
    { title: t('col.visits'), dataIndex: 'visits', key: 'visits', responsive: ['lg'], render: (v: number) => <Data>{v}</Data> },
    {
      title: t('col.lastVisit'),
      dataIndex: 'lastVisit',
      key: 'lastVisit',
      responsive: ['md'],
      render: (v: string | undefined, c) => (v ? formatDate(v, zoneOf(c.locationId), locale) : t('none')),
    },
  ];

  let body: React.ReactNode = null;
  if (params === 'needsLocation') {
    body = <Alert type="info" showIcon title={t('search.needsLocation')} />;
  } else if (q.isError) {
    const e = q.error;
    if (e instanceof ApiError && e.status === 400 && e.field === 'locationId') {
      body = <Alert type="info" showIcon title={t('search.needsLocation')} />;
    } else if (e instanceof ApiError && e.status === 400 && e.field === 'q') {
      body = <Alert type="warning" showIcon title={t('search.badEmail')} />;
    } else {
      body = <ErrorView error={e} onRetry={() => void q.refetch()} />;
    }
  } else if (params === 'empty') {
    body = <Typography.Paragraph type="secondary">{submitted !== undefined && loading ? t('search.searching') : t('search.start')}</Typography.Paragraph>;
  } else {
    body = (
      <Table<Customer>
        rowKey="customerId"
        columns={columns}
        dataSource={items}
        loading={q.isPending}
        pagination={false}
        size="middle"
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: q.isPending ? t('search.searching') : t('search.none', { q: submitted ?? '' }) }}
        footer={
          items.length > 0 || q.hasNextPage
            ? () => (
                <Flex justify="space-between" align="center" wrap gap={8}>
                  <span>{t('search.count', { count: items.length })}</span>
                  {q.hasNextPage && (
                    <Button onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
                      {t('search.more')}
                    </Button>
                  )}
                </Flex>
              )
            : undefined
        }
      />
    );
  }

  return (
    <Flex vertical gap={12}>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          search(text);
        }}
      >
        <label htmlFor="customer-search" style={{ display: 'block', marginBottom: 4, fontWeight: 500 }}>
          {label ?? t('search.label')}
        </label>
        <Input.Search
          id="customer-search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onSearch={search}
          placeholder={t('search.placeholder')}
          enterButton={t('search.button')}
          inputMode="search"
          autoComplete="off"
          autoFocus={autoFocus}
          allowClear
          size="large"
          loading={q.isFetching && !q.isFetchingNextPage}
        />
        <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0', fontSize: 12 }}>
          {t('search.hint')}
        </Typography.Paragraph>
      </form>
      {body}
    </Flex>
  );
}
