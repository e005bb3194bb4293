// The system programs the test suite drives, and the Debian package of each. One table, used by
// `npm test` (to install what is missing) and by the tests (to find the programs).
export const testTools = [
  { command: 'socat', package: 'socat', why: 'pseudo-terminal pairs for serial tests' },
  { command: 'setpriv', package: 'util-linux', why: 'socat tied to the agent (ends when a killed agent does)' },
  { command: 'udevadm', package: 'udev', why: 'serial port listing (posdiag devices)' },
  { command: 'ping', package: 'iputils-ping', why: 'ICMP probes' },
  { command: 'ip', package: 'iproute2', why: 'network namespaces for path tests' },
  { command: 'nft', package: 'nftables', why: 'packet loss inside test namespaces' },
  { command: 'openssl', package: 'openssl', why: 'test certificates with chosen expiry' },
  { command: 'prometheus', package: 'prometheus', why: 'the real Prometheus scraping the agent' },
  { command: 'promtool', package: 'prometheus', why: 'checking the shipped alerting rules' },
  { command: 'systemd-analyze', package: 'systemd', why: 'verifying the generated systemd unit' },
  { command: 'systemd-notify', package: 'systemd', why: 'sd_notify readiness and watchdog messages' },
  { command: 'xmllint', package: 'libxml2-utils', why: 'well-formedness of the launchd plist and WinSW XML' },
  { command: 'python3', package: 'python3-minimal', why: 'a stand-in for the systemd notify socket (unix datagrams)' },
  { command: 'chromium', package: 'chromium', why: 'browser tests of the status page (playwright-core drives it)' },
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', package: 'fonts-noto-cjk', why: 'Chinese glyphs in the status page screenshots' },
  { command: 'prometheus-pushgateway', package: 'prometheus-pushgateway', why: 'the real Pushgateway receiving heartbeats' },
  { command: 'prometheus-alertmanager', package: 'prometheus-alertmanager', why: 'the real Alertmanager receiving alerts' },
];
