import type { Severity } from '../health/conditions.js';

/**
 * What an alert says about each condition, for people who get it outside the shop (the
 * provider's Alertmanager, a webhook): one English sentence, the first thing to do. The status
 * page has the full runbooks; this is the line that fits in a pager message.
 * `urgentWhenClosed`: stays critical outside opening hours. Paper out at 3 a.m. can wait for the
 * morning; a tampered terminal cannot.
 */
export interface ConditionSummary {
  summary: string;
  urgentWhenClosed?: boolean;
}

export const conditionSummaries: Readonly<Record<string, ConditionSummary>> = {
  'device.unreachable': { summary: 'The device does not answer: check its power and data cable, then restart it.' },
  'printer.paper_out': { summary: 'The receipt printer is out of paper: insert a new thermal roll and close the cover.' },
  'printer.paper_low': { summary: 'The paper roll is nearly finished: change it before the next busy period.' },
  'printer.cover_open': { summary: 'The printer cover is open: close it until it clicks.' },
  'printer.jam_or_cutter': { summary: 'Paper jam or cutter error: switch the printer off, clear the paper, switch it on again.' },
  'terminal.card_reader_fault': { summary: 'The card reader fails: try another card, clean the slot, then call the provider.' },
  'terminal.locked': { summary: 'The payment terminal is locked or out of order: call the service provider.' },
  'terminal.tamper': { summary: 'The payment terminal reports tampering: stop using it and call the provider now.', urgentWhenClosed: true },
  'terminal.not_logged_on': { summary: 'The payment terminal is not logged on at the acquirer: run a log-on (registration).' },
  'terminal.settlement_overdue': { summary: 'No end-of-day settlement for too long: run the end-of-day closing on the terminal.' },
  'terminal.transactions_failing': { summary: 'Several card payments failed in a row: check the network and the terminal display.' },
  'terminal.firmware_outdated': { summary: 'The terminal firmware is older than the provider requires: schedule an update.' },
  'terminal.suspicious_activity': { summary: 'Unusual transactions were reported: check the terminal and call the provider.', urgentWhenClosed: true },
  'network.link_down': { summary: 'The shop PC has no network link: check the cable or Wi-Fi.' },
  'network.gateway_unreachable': { summary: 'The shop router does not answer: restart the router.' },
  'network.dns_failure': { summary: "The acquirer's host name does not resolve: check the router's internet connection." },
  'network.acquirer_unreachable': { summary: 'The card acquirer cannot be reached: card payments will fail.' },
  'network.degraded': { summary: 'The path to the acquirer is slow or loses packets: payments may time out.' },
  'network.tls_problem': { summary: "The acquirer's TLS certificate fails or expires soon, or the PC clock is wrong." },
  'host.resources': { summary: 'The shop PC is short of disk, memory or has a wrong clock.' },
};

export function summaryOf(condition: string): string {
  return conditionSummaries[condition]?.summary ?? `Condition ${condition} is active.`;
}

/**
 * The severity an alert carries now: while the shop is closed, critical becomes warning (nobody
 * is at the till to be stopped by it) unless the condition is urgent at any hour.
 */
export function effectiveSeverity(condition: string, base: Severity, open: boolean): Severity {
  if (open || base !== 'critical') return base;
  return conditionSummaries[condition]?.urgentWhenClosed ? 'critical' : 'warning';
}
