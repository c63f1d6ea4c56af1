import { useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { Button, Drawer, Dropdown, Flex, Grid, Layout, Menu, Segmented, Tag, theme } from 'antd';
import { LogoutOutlined, MenuOutlined, UserOutlined } from '@ant-design/icons';
import { AREAS, areaOf, areasFor } from '../areas';
import { useAuth } from '../auth/AuthProvider';
import { topRole } from '../auth/principal';
import shell from '../i18n/shell';
import { LOCALES, setLocale, useLocale, useT, type Locale } from '../i18n';
import { LocationSwitcher } from './LocationSwitcher';

/**
 * The frame of every page: the menu (a side bar from 768 px, a drawer on phones) with
 * the areas the person's role may open, and a header with the location switcher, the
 * language switch and the account menu.
 */
export function Shell({ children }: { children: ReactNode }) {
  const t = useT(shell);
  const locale = useLocale();
  const { principal, signOut } = useAuth();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const { token } = theme.useToken();
  const screens = Grid.useBreakpoint();
  const wide = screens.md ?? true;
  const [drawer, setDrawer] = useState(false);
  const role = topRole(principal);

  const menu = (
    <nav aria-label={t('menu.label')}>
      <Menu
        mode="inline"
        selectedKeys={[areaOf(pathname)?.key ?? '']}
        onClick={({ key, domEvent }) => {
          setDrawer(false);
          // A click on the item's link navigates by itself; Enter on the item does not.
          const area = AREAS.find((a) => a.key === key);
          if (area && !(domEvent.target as HTMLElement).closest('a')) navigate(area.path);
        }}
        items={areasFor(principal).map((a) => ({
          key: a.key,
          icon: a.icon,
          label: <Link to={a.path}>{t(`menu.${a.key}`)}</Link>,
        }))}
        style={{ borderInlineEnd: 'none' }}
      />
    </nav>
  );

  const brand = (
    <span style={{ fontSize: 18, fontWeight: 600, whiteSpace: 'nowrap', color: token.colorTextHeading }}>
      {t('brand')}
      {wide && <span style={{ marginInlineStart: 8, fontSize: 14, fontWeight: 'normal', color: token.colorTextSecondary }}>{t('console')}</span>}
    </span>
  );

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a href="#main" className="skip-link">
        {t('skip')}
      </a>
      <Layout.Header
        style={{ background: '#fff', paddingInline: wide ? 24 : 12, borderBottom: '1px solid #f0f0f0', height: 'auto', lineHeight: 'normal' }}
      >
        <Flex align="center" justify="space-between" gap={8} wrap style={{ minHeight: 56, paddingBlock: 8 }}>
          <Flex align="center" gap={8}>
            {!wide && (
              <Button type="text" icon={<MenuOutlined />} aria-label={t('menu.open')} aria-expanded={drawer} onClick={() => setDrawer(true)} />
            )}
            {brand}
          </Flex>
          <Flex align="center" gap={8} wrap>
            <LocationSwitcher />
            <Segmented<Locale>
              aria-label={t('language.label')}
              size="small"
              value={locale}
              onChange={setLocale}
              options={LOCALES.map((l) => ({ value: l, label: <span lang={l}>{t(`language.${l}`)}</span> }))}
            />
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  { key: 'who', label: principal.name, disabled: true },
                  { type: 'divider' },
                  { key: 'signout', icon: <LogoutOutlined />, label: t('user.signOut'), onClick: () => void signOut() },
                ],
              }}
            >
              <Button type="text" icon={<UserOutlined />} aria-label={t('user.menu', { name: principal.name })}>
                {wide && <Tag style={{ marginInlineEnd: 0 }}>{role ? t(`role.${role}`) : t('role.none')}</Tag>}
              </Button>
            </Dropdown>
          </Flex>
        </Flex>
      </Layout.Header>
      <Layout>
        {wide ? (
          <Layout.Sider width={200} theme="light" style={{ borderInlineEnd: '1px solid #f0f0f0' }}>
            {menu}
          </Layout.Sider>
        ) : (
          <Drawer placement="left" open={drawer} onClose={() => setDrawer(false)} size={260} title={brand} styles={{ body: { padding: 0 } }}>
            {menu}
          </Drawer>
        )}
        <Layout.Content id="main" tabIndex={-1} style={{ padding: wide ? 24 : 12, minWidth: 0 }}>
          {children}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
