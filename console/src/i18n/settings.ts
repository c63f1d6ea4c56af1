import { catalog } from '.';

/** The settings area (administrators). */
export default catalog(
  {
    title: 'Settings',
    'locations.title': 'Locations',
    'locations.intro': 'The locations you can see, with the time zone their dates and SLA clocks are kept in.',
    'locations.name': 'Name',
    'locations.id': 'Location id',
    'locations.timeZone': 'Time zone',
    'locations.localTime': 'Local time now',
    'locations.updated': 'Last changed',
    'locations.version': 'Version',
    'locations.empty': 'No locations yet.',
    'locations.count': 'Locations: {count}',
  },
  {
    title: '设置',
    'locations.title': '门店',
    'locations.intro': '您可查看的门店，以及其日期和 SLA 计时所用的时区。',
    'locations.name': '名称',
    'locations.id': '门店编号',
    'locations.timeZone': '时区',
    'locations.localTime': '当地现在时间',
    'locations.updated': '最近修改',
    'locations.version': '版本',
    'locations.empty': '暂无门店。',
    'locations.count': '共 {count} 个门店',
  },
);
