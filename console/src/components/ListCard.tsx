import { useNavigate } from 'react-router';
import { Button, Card, Table, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import type { Action } from '../auth/access';
import { RoleGate } from './RoleGate';

/**
 * A list page's card: its title, a button to make a new one (for the roles that may),
 * a line saying what the list is, and the table with its empty text and count. The
 * locations registry and the rewards catalogue are lists of this shape.
 */
export function ListCard<T extends object>(props: {
  title: string;
  intro: string;
  /** Who may make a new one, the button's words and where it leads. */
  create: { action: Action; label: string; to: string };
  rowKey: keyof T & string;
  columns: TableColumnsType<T>;
  items: T[];
  loading: boolean;
  empty: string;
  count: string;
}) {
  const navigate = useNavigate();
  return (
    <Card
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{props.title}</h2>}
      extra={
        <RoleGate action={props.create.action}>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate(props.create.to)}>
            {props.create.label}
          </Button>
        </RoleGate>
      }
    >
      <Typography.Paragraph type="secondary">{props.intro}</Typography.Paragraph>
      <Table<T>
        rowKey={props.rowKey}
        columns={props.columns}
        dataSource={props.items}
        loading={props.loading}
        pagination={false}
        size="middle"
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: props.empty }}
        footer={() => props.count}
      />
    </Card>
  );
}
