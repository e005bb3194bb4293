/** What a device is to a shop owner, from its driver: the page and the runbooks speak in these words. */
export type DeviceKind = 'printer' | 'terminal' | 'device';

const kindByDriver: Record<string, DeviceKind> = { escpos: 'printer', zvt: 'terminal' };

export function deviceKind(driver: string): DeviceKind {
  return kindByDriver[driver] ?? 'device';
}
