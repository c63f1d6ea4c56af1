import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import {
  ClusterOutlined,
  FormOutlined,
  GiftOutlined,
  HomeOutlined,
  IdcardOutlined,
  MessageOutlined,
  ScheduleOutlined,
  SettingOutlined,
  TagsOutlined,
  TeamOutlined,
  TrophyOutlined,
} from '@ant-design/icons';
import { can, type Action } from './auth/access';
import type { Principal } from './auth/principal';

export type AreaKey = 'today' | 'complaints' | 'surveys' | 'customers' | 'counter' | 'vouchers' | 'followups' | 'team' | 'segments' | 'rewards' | 'settings';

export interface Area {
  key: AreaKey;
  /** The area's path; its pages own everything under it. */
  path: string;
  /** Who may open it (and see it in the menu). */
  action: Action;
  icon: ReactNode;
  /** Loaded when first opened: each area is its own chunk. */
  page: LazyExoticComponent<ComponentType>;
}

/** The console's areas, in menu order. */
export const AREAS: readonly Area[] = [
  { key: 'today', path: '/', action: 'page.today', icon: <HomeOutlined />, page: lazy(() => import('./pages/today')) },
  { key: 'complaints', path: '/complaints', action: 'page.complaints', icon: <MessageOutlined />, page: lazy(() => import('./pages/complaints')) },
  { key: 'surveys', path: '/surveys', action: 'page.surveys', icon: <FormOutlined />, page: lazy(() => import('./pages/surveys')) },
  { key: 'customers', path: '/customers', action: 'page.customers', icon: <TeamOutlined />, page: lazy(() => import('./pages/customers')) },
  { key: 'counter', path: '/counter', action: 'page.counter', icon: <GiftOutlined />, page: lazy(() => import('./pages/counter')) },
  { key: 'vouchers', path: '/vouchers', action: 'page.vouchers', icon: <TagsOutlined />, page: lazy(() => import('./pages/vouchers')) },
  { key: 'followups', path: '/followups', action: 'page.followups', icon: <ScheduleOutlined />, page: lazy(() => import('./pages/followups')) },
  { key: 'team', path: '/team', action: 'page.team', icon: <IdcardOutlined />, page: lazy(() => import('./pages/team')) },
  { key: 'segments', path: '/segments', action: 'page.segments', icon: <ClusterOutlined />, page: lazy(() => import('./pages/segments')) },
  { key: 'rewards', path: '/rewards', action: 'page.rewards', icon: <TrophyOutlined />, page: lazy(() => import('./pages/rewards')) },
  { key: 'settings', path: '/settings', action: 'page.settings', icon: <SettingOutlined />, page: lazy(() => import('./pages/settings')) },
];

/** The area a path belongs to, for the menu to mark. */
export function areaOf(pathname: string): Area | undefined {
  return AREAS.find((a) => (a.path === '/' ? pathname === '/' : pathname === a.path || pathname.startsWith(a.path + '/')));
}

/** The areas the person's roles may open: the menu offers only these. */
export function areasFor(p: Principal): Area[] {
  return AREAS.filter((a) => can(p, a.action));
}
