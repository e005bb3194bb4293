/**
 * The project's own runbooks: for every condition id the agent can raise, what a shop owner does,
 * in order, cheapest and safest first (re-seat a cable before calling anyone), and what to have
 * ready when calling for help. Adapted from the troubleshooting knowledge the project started
 * from; this module is the only copy the agent reads.
 *
 * Rules the texts keep:
 * - Never tell anyone to open a payment terminal: it is tamper-protected and opening it destroys
 *   its keys. Printers may be opened to change paper or clear a jam.
 * - The last step says who to call; `prepare` says what to have at hand when calling.
 * - A new condition id is one entry here (test/unit/runbooks/catalogue.test.ts fails otherwise).
 */

export const locales = ['en', 'zh-CN'] as const;
export type Locale = (typeof locales)[number];
export type Localized<T> = Record<Locale, T>;

export type RunbookComponent = 'printer' | 'terminal' | 'device' | 'network' | 'host';

/** Who the last step sends the owner to. */
export type Contact = 'service_provider' | 'internet_provider' | 'acquirer';

export interface Runbook {
  id: string;
  component: RunbookComponent;
  title: Localized<string>;
  steps: Localized<string[]>;
  contact: Contact;
  /** Added to the component's common list of things to have ready (see `callKit`). */
  prepare?: Localized<string[]>;
}

/**
 * What to have ready when calling for help about a component. The support bundle (button on the
 * status page, `posdiag bundle`) gathers the machine-readable part of it.
 */
export const callKit: Record<RunbookComponent, Localized<string[]>> = {
  terminal: {
    en: [
      'Terminal model, serial number and firmware (shown on this page and in the support bundle)',
      'What the terminal screen shows, word for word',
      'When it started',
      'Affected transaction numbers and amounts',
      'The steps you have already tried',
    ],
    'zh-CN': [
      '终端型号、序列号和固件版本(见本页面及支持包)',
      '终端屏幕上显示的原文',
      '问题开始的时间',
      '受影响的交易流水号和金额',
      '已经尝试过的步骤',
    ],
  },
  printer: {
    en: [
      'Printer model, serial number and firmware (shown on this page and in the support bundle)',
      'What the printer lights or display show',
      'When it started',
      'The steps you have already tried',
    ],
    'zh-CN': ['打印机型号、序列号和固件版本(见本页面及支持包)', '打印机指示灯或显示屏的状态', '问题开始的时间', '已经尝试过的步骤'],
  },
  device: {
    en: [
      'Device model, serial number and firmware (shown on this page and in the support bundle)',
      'When it started',
      'The steps you have already tried',
    ],
    'zh-CN': ['设备型号、序列号和固件版本(见本页面及支持包)', '问题开始的时间', '已经尝试过的步骤'],
  },
  network: {
    en: [
      'Your internet contract or customer number',
      'The router model and what its lights show',
      'When it started, and which step this page shows as failing',
      'The steps you have already tried',
    ],
    'zh-CN': ['宽带合同号或客户编号', '路由器型号及其指示灯状态', '问题开始的时间,以及本页面显示的故障环节', '已经尝试过的步骤'],
  },
  host: {
    en: ['The support bundle from this page', 'When it started', 'The steps you have already tried'],
    'zh-CN': ['本页面下载的支持包', '问题开始的时间', '已经尝试过的步骤'],
  },
};

export const runbooks: readonly Runbook[] = [
  {
    id: 'device.unreachable',
    component: 'device',
    contact: 'service_provider',
    title: { en: 'Device does not answer', 'zh-CN': '设备无响应' },
    steps: {
      en: [
        'Check that the power cable and adapter are firmly plugged in and the device is switched on',
        'Check the data cable (USB, serial or network) at both ends',
        'If it runs on a battery, charge it or swap the battery',
        'Restart the device (hold the power key for about 10 seconds)',
        'If it still does not answer, call the service provider',
      ],
      'zh-CN': [
        '检查电源线和适配器是否插牢,设备是否已开机',
        '检查数据线(USB、串口或网线)两端是否连接可靠',
        '如使用电池,请充电或更换电池',
        '重启设备(长按电源键约10秒)',
        '仍无响应请联系服务商',
      ],
    },
  },
  {
    id: 'device.swapped',
    component: 'device',
    contact: 'service_provider',
    title: { en: 'A different device is connected', 'zh-CN': '连接的设备已被更换' },
    steps: {
      en: [
        'Check whether you or your provider exchanged this device recently',
        'If so, nothing else to do: the new serial number is now on record',
        'If nobody exchanged it, stop using it for payments: someone may have replaced it',
        'Call the service provider and compare the serial number on the label with the one on this page',
      ],
      'zh-CN': [
        '确认您或服务商最近是否更换过该设备',
        '如是,则无需其他操作:新的序列号已被记录',
        '如无人更换,请停止用它收款:设备可能被人调换',
        '联系服务商,核对机身标签上的序列号与本页面显示的是否一致',
      ],
    },
    prepare: {
      en: ['The serial number on the device label and the one shown on this page'],
      'zh-CN': ['设备标签上的序列号及本页面显示的序列号'],
    },
  },
  {
    id: 'printer.paper_out',
    component: 'printer',
    contact: 'service_provider',
    title: { en: 'Printer is out of paper', 'zh-CN': '打印机缺纸' },
    steps: {
      en: [
        'Open the paper cover',
        'Insert a new thermal roll with the printing side facing the print head',
        'Close the cover firmly and print a test receipt',
      ],
      'zh-CN': ['打开纸仓盖', '装入新的热敏纸卷(打印面朝向打印头)', '合紧纸仓盖并打印测试小票'],
    },
  },
  {
    id: 'printer.paper_low',
    component: 'printer',
    contact: 'service_provider',
    title: { en: 'Paper roll is almost used up', 'zh-CN': '纸卷即将用完' },
    steps: {
      en: ['Have a spare roll ready', 'Change the roll before the next busy period'],
      'zh-CN': ['准备好备用纸卷', '在营业高峰前更换纸卷'],
    },
  },
  {
    id: 'printer.cover_open',
    component: 'printer',
    contact: 'service_provider',
    title: { en: 'Printer cover is open', 'zh-CN': '打印机盖未合上' },
    steps: {
      en: [
        'Close the printer cover until it clicks',
        'If it will not latch, check for a badly seated roll or jammed paper',
        'If the latch is broken, call the service provider',
      ],
      'zh-CN': ['合上打印机盖直到听到卡扣声', '如无法扣紧,检查纸卷是否放正或卡纸', '卡扣损坏请联系服务商'],
    },
  },
  {
    id: 'printer.jam_or_cutter',
    component: 'printer',
    contact: 'service_provider',
    title: { en: 'Paper jam or cutter error', 'zh-CN': '卡纸或切刀故障' },
    steps: {
      en: [
        'Switch the printer off',
        'Open the cover and gently remove the jammed paper',
        'Clean the print head with a soft, dry cloth',
        'Switch the printer on again',
        'If the error stays, call the service provider',
      ],
      'zh-CN': ['关闭打印机电源', '打开盖子,轻轻取出卡住的纸', '用柔软的干布清洁打印头', '重新开机', '故障仍在请联系服务商'],
    },
  },
  {
    id: 'terminal.card_reader_fault',
    component: 'terminal',
    contact: 'service_provider',
    title: { en: 'Card reader fault', 'zh-CN': '读卡器故障' },
    steps: {
      en: [
        'Try another card to rule out a damaged card',
        'Move phones and magnets away from the terminal',
        'Clean the reader slot with a cleaning card',
        'If every card fails, call the service provider (do not open the terminal)',
      ],
      'zh-CN': ['换一张卡试试,以排除卡片损坏', '让手机和磁铁远离终端', '用清洁卡清洁读卡槽', '所有卡都读不出时请联系服务商(不要拆开终端)'],
    },
  },
  {
    id: 'terminal.locked',
    component: 'terminal',
    contact: 'service_provider',
    title: { en: 'Terminal is locked', 'zh-CN': '终端已锁定' },
    steps: {
      en: [
        'Do not keep trying passwords',
        'Call the service provider to unlock the terminal',
        'Only on the provider\'s advice: a factory reset also unlocks it, but erases all its data',
      ],
      'zh-CN': ['不要继续尝试密码', '联系服务商解锁终端', '仅在服务商指导下:恢复出厂设置也可解锁,但会清除全部数据'],
    },
  },
  {
    id: 'terminal.out_of_order',
    component: 'terminal',
    contact: 'service_provider',
    title: { en: 'Terminal is out of order', 'zh-CN': '终端故障停用' },
    steps: {
      en: [
        'Restart the terminal once (power key, or unplug it for 10 seconds)',
        'If it still reports out of order, stop using it for payments',
        'Call the service provider: only a technician can repair it (do not open it)',
      ],
      'zh-CN': ['重启终端一次(按电源键,或断电10秒)', '仍显示故障请停止用它收款', '联系服务商:只有技术人员才能修复(不要拆开终端)'],
    },
  },
  {
    id: 'terminal.not_logged_on',
    component: 'terminal',
    contact: 'service_provider',
    title: { en: 'Terminal is not logged on', 'zh-CN': '终端未签到' },
    steps: {
      en: [
        'Restart the terminal and let it log on',
        'Check the network card on this page: the terminal needs the internet to log on',
        'If it still reports logged off, ask the service provider to check the merchant account',
      ],
      'zh-CN': ['重启终端,让其重新签到', '查看本页面的网络状态:终端签到需要网络', '仍未签到请联系服务商核实商户账户状态(是否冻结、实名认证是否完成)'],
    },
  },
  {
    id: 'terminal.settlement_overdue',
    component: 'terminal',
    contact: 'acquirer',
    title: { en: 'End-of-day settlement is overdue', 'zh-CN': '日结已逾期' },
    steps: {
      en: [
        'Run the end-of-day settlement on the terminal',
        'Check the settlement receipt totals against the day\'s sales',
        'If funds still do not arrive, call the acquirer',
      ],
      'zh-CN': ['在终端上执行结算(日结)', '核对结算单金额与当日销售额', '资金仍未到账请联系收单机构'],
    },
    prepare: {
      en: ['The batch number, date and total from the settlement receipt'],
      'zh-CN': ['结算单上的批次号、日期和金额'],
    },
  },
  {
    id: 'terminal.settlement_reminder',
    component: 'terminal',
    contact: 'acquirer',
    title: { en: 'End-of-day settlement not run today', 'zh-CN': '今日尚未日结' },
    steps: {
      en: [
        'Run the end-of-day settlement on the terminal before you close',
        'Keep the settlement receipt and check its total against the day\'s sales',
        'If the settlement fails, check the network card on this page and try again; if it still fails, call the acquirer',
      ],
      'zh-CN': ['打烊前在终端上执行结算(日结)', '保留结算单,并核对金额与当日销售额', '结算失败时请查看本页面的网络状态后重试;仍失败请联系收单机构'],
    },
    prepare: {
      en: ['The batch number, date and total from the last settlement receipt'],
      'zh-CN': ['上一张结算单上的批次号、日期和金额'],
    },
  },
  {
    id: 'terminal.tamper',
    component: 'terminal',
    contact: 'service_provider',
    title: { en: 'Terminal security alarm', 'zh-CN': '终端安全警报' },
    steps: {
      en: [
        'Stop taking payments on this terminal',
        'Do not open or repair it yourself',
        'Call the service provider for a replacement',
      ],
      'zh-CN': ['停止使用该终端收款', '不要自行拆机或维修', '联系服务商更换设备'],
    },
  },
  {
    id: 'terminal.transactions_failing',
    component: 'terminal',
    contact: 'service_provider',
    title: { en: 'Payments keep failing', 'zh-CN': '交易连续失败' },
    steps: {
      en: [
        'Check the network card on this page first',
        'Retry with another card',
        'If all cards fail, stop and call the service provider',
      ],
      'zh-CN': ['先查看本页面的网络状态', '换一张卡重试', '所有卡都失败时请停止收款并联系服务商'],
    },
    prepare: {
      en: ['The transaction numbers and times of the failed payments'],
      'zh-CN': ['失败交易的流水号和时间'],
    },
  },
  {
    id: 'terminal.firmware_outdated',
    component: 'terminal',
    contact: 'service_provider',
    title: { en: 'Terminal software is out of date', 'zh-CN': '终端软件需要更新' },
    steps: {
      en: ['Make sure the network is stable', 'Start the update outside business hours and do not switch the terminal off during it'],
      'zh-CN': ['确保网络稳定', '在非营业时间进行更新,更新期间不要断电'],
    },
  },
  {
    id: 'terminal.suspicious_activity',
    component: 'terminal',
    contact: 'acquirer',
    title: { en: 'Unusual payments', 'zh-CN': '可疑交易' },
    steps: {
      en: [
        'Stop using the terminal',
        'Keep receipts, transaction records and CCTV footage',
        'Report it to the acquirer and the card-issuing bank at once',
      ],
      'zh-CN': ['立即停止使用该终端', '保留小票、交易记录和监控录像', '立即向收单机构和发卡银行报告'],
    },
  },
  {
    id: 'network.link_down',
    component: 'network',
    contact: 'internet_provider',
    title: { en: 'This computer has no network connection', 'zh-CN': '电脑未连接网络' },
    steps: {
      en: [
        'Check the network cable of this computer, or its Wi-Fi connection',
        'Restart the router',
        'If it is still down, call your internet provider',
      ],
      'zh-CN': ['检查电脑的网线或Wi-Fi连接', '重启路由器', '仍无法连接请联系宽带运营商'],
    },
  },
  {
    id: 'network.gateway_unreachable',
    component: 'network',
    contact: 'internet_provider',
    title: { en: 'The router does not answer', 'zh-CN': '路由器无响应' },
    steps: {
      en: [
        'Check the cable between this computer and the router',
        'Restart the router or modem (unplug it for 30 seconds)',
        'If it is still down, call your internet provider',
      ],
      'zh-CN': ['检查电脑与路由器之间的网线', '重启路由器或光猫(断电30秒)', '仍无法连接请联系宽带运营商'],
    },
  },
  {
    id: 'network.dns_failure',
    component: 'network',
    contact: 'internet_provider',
    title: { en: 'The payment service\'s address cannot be looked up', 'zh-CN': '无法解析支付服务地址' },
    steps: {
      en: ['Restart the router', 'If it persists, set the DNS servers your provider recommends', 'Call your internet provider'],
      'zh-CN': ['重启路由器', '持续失败请改用服务商建议的DNS服务器', '联系宽带运营商'],
    },
  },
  {
    id: 'network.acquirer_unreachable',
    component: 'network',
    contact: 'internet_provider',
    title: { en: 'The payment service cannot be reached', 'zh-CN': '无法连接支付服务' },
    steps: {
      en: [
        'Switch to a backup connection (for example 4G) if you have one',
        'Call your internet provider',
        'Ask the service provider whether the payment service has an outage',
      ],
      'zh-CN': ['如有备用网络(如4G)请切换', '联系宽带运营商', '向服务商确认支付系统是否故障'],
    },
  },
  {
    id: 'network.degraded',
    component: 'network',
    contact: 'internet_provider',
    title: { en: 'The connection is slow or unstable', 'zh-CN': '网络缓慢或不稳定' },
    steps: {
      en: [
        'Prefer a network cable to Wi-Fi',
        'Move the router closer, or away from microwaves and other interference',
        'Ask your internet provider to check the line',
      ],
      'zh-CN': ['尽量使用有线网络代替Wi-Fi', '调整路由器位置,远离微波炉等干扰源', '请宽带运营商检查线路'],
    },
  },
  {
    id: 'network.tls_problem',
    component: 'network',
    contact: 'service_provider',
    title: { en: 'Secure connection problem', 'zh-CN': '安全连接异常' },
    steps: {
      en: ['Check that this computer\'s date and time are correct', 'Call the service provider'],
      'zh-CN': ['检查电脑的日期和时间是否正确', '联系服务商'],
    },
  },
  {
    id: 'host.resources',
    component: 'host',
    contact: 'service_provider',
    title: { en: 'This computer needs attention', 'zh-CN': '电脑需要维护' },
    steps: {
      en: [
        'Free disk space (empty the recycle bin, remove old downloads)',
        'Check that the date and time are correct',
        'Keep the computer ventilated and out of direct sun',
        'If it persists, call the service provider',
      ],
      'zh-CN': ['清理磁盘空间(清空回收站、删除旧的下载文件)', '检查日期和时间是否正确', '保持电脑通风,避免阳光直射', '问题持续请联系服务商'],
    },
  },
];

const byId = new Map(runbooks.map((r) => [r.id, r]));

/** The runbook of a condition id; undefined for an id this catalogue does not know. */
export function runbookFor(id: string): Runbook | undefined {
  return byId.get(id);
}

/** Shown for a condition id without a runbook (a newer agent part): never leave the owner empty-handed. */
export const fallbackRunbook: Runbook = {
  id: 'unknown',
  component: 'device',
  contact: 'service_provider',
  title: { en: 'A problem was detected', 'zh-CN': '检测到问题' },
  steps: {
    en: ['Restart the affected device', 'If the problem stays, call the service provider'],
    'zh-CN': ['重启相关设备', '问题仍在请联系服务商'],
  },
};
