import type { ReactNode } from 'react';
import { Flex, theme } from 'antd';
import { CloseCircleOutlined, ExclamationCircleOutlined, InfoCircleOutlined, StopOutlined } from '@ant-design/icons';

export type NoticeTone = 'info' | 'warning' | 'error' | 'forbidden';

const ICONS: Record<NoticeTone, ReactNode> = {
  info: <InfoCircleOutlined />,
  warning: <ExclamationCircleOutlined />,
  error: <CloseCircleOutlined />,
  forbidden: <StopOutlined />,
};

/**
 * A message in place of content: what happened, what to do, and the actions that help.
 * Lighter than antd's Result (no illustrations), so the first load can use it.
 */
export function Notice({
  tone,
  title,
  text,
  actions,
  children,
  alert = true,
}: {
  tone: NoticeTone;
  title: ReactNode;
  text?: ReactNode;
  actions?: ReactNode;
  children?: ReactNode;
  /** Announced to screen readers at once (a failure); false for a plain message. */
  alert?: boolean;
}) {
  const { token } = theme.useToken();
  const color = { info: token.colorInfo, warning: token.colorWarning, error: token.colorError, forbidden: token.colorError }[tone];
  return (
    <Flex vertical align="center" gap={12} role={alert ? 'alert' : undefined} style={{ padding: '48px 16px', textAlign: 'center' }}>
      <span aria-hidden style={{ fontSize: 48, color }}>
        {ICONS[tone]}
      </span>
      <h2 style={{ margin: 0, fontSize: 20, fontWeight: 600, color: token.colorTextHeading }}>{title}</h2>
      {text && <p style={{ margin: 0, color: token.colorTextSecondary, maxWidth: 560 }}>{text}</p>}
      {children}
      {actions && (
        <Flex gap={8} wrap justify="center">
          {actions}
        </Flex>
      )}
    </Flex>
  );
}
