/**
 * Builders for the APDUs this project sends or simulates [ZVT PA00P015 §2, §3].
 * ECR → PT commands first, then PT → ECR messages (used by the simulator).
 */
import { type Apdu, apdu } from './apdu.js';
import { encodeBcd, encodeBmps, encodeVarLength } from './bmp.js';
import { encodeBerLength, encodeTlv, type TlvInput } from './tlv.js';

/** 80 00 00: positive reply. */
export const positiveReply: Apdu = apdu(0x80, 0x00);
/** 84 83 00: "function not possible", the answer to a command the receiver does not know. */
export const unknownCommandReply: Apdu = apdu(0x84, 0x83);

export function negativeReply(resultCode: number): Apdu {
  return apdu(0x84, resultCode);
}

/** Password: 6 digits as 3 bytes packed BCD [ZVT §1.2]. */
export function encodePassword(password: string): Uint8Array {
  if (!/^\d{6}$/.test(password)) throw new RangeError('the ZVT password is 6 digits');
  return encodeBcd(password, 3);
}

/**
 * 05 01 Status-Enquiry [ZVT §2.56]: `<password> [03 <service byte>]`. With a service byte the
 * password must be sent too. Bit 1 set suppresses the software version; bit 2 asks for the TLV
 * container (device info E4, locks 1F55).
 */
export function statusEnquiry(password: string, serviceByte: number | null): Apdu {
  const pw = [...encodePassword(password)];
  return apdu(0x05, 0x01, serviceByte === null ? pw : [...pw, 0x03, serviceByte]);
}

/** 06 00 Registration: `<password> <config byte> [<currency>]` [ZVT §2.1]. Changes PT-wide settings. */
export function registration(password: string, configByte: number, currencyCode?: string): Apdu {
  const data = [...encodePassword(password), configByte];
  if (currencyCode !== undefined) data.push(...encodeBcd(currencyCode, 2));
  return apdu(0x06, 0x00, data);
}

/** 06 02 Log-Off [ZVT §2.24]. The PT resets its config byte to 86 and stops sending TLV. */
export function logOff(): Apdu {
  return apdu(0x06, 0x02);
}

/** 06 70 Diagnosis [ZVT §2.17]; type in TLV tag 1B (01 line, 02 extended, 03 configuration, …). */
export function diagnosis(type?: number): Apdu {
  if (type === undefined) return apdu(0x06, 0x70);
  const body = encodeTlv([{ tag: 0x1b, value: [type] }]);
  return apdu(0x06, 0x70, [0x06, ...encodeBerLength(body.length), ...body]);
}

/** 06 50 End-of-Day [ZVT §2.16]: settles the batch with the host. */
export function endOfDay(password: string): Apdu {
  return apdu(0x06, 0x50, encodePassword(password));
}

/** 06 79 Selftest [ZVT §2.48]: prints the system information. */
export function selftest(): Apdu {
  return apdu(0x06, 0x79);
}

/** 06 B0 Abort from the ECR [ZVT §2.23]. */
export function abortCommand(): Apdu {
  return apdu(0x06, 0xb0);
}

/** 06 01 Authorisation (payment) with amount in minor units and currency EUR [ZVT §2.8]. */
export function authorisation(amountMinor: number, currencyCode = '0978'): Apdu {
  return apdu(0x06, 0x01, encodeBmps([
    { bmp: 0x04, value: encodeBcd(String(amountMinor), 6) },
    { bmp: 0x49, value: encodeBcd(currencyCode, 2) },
  ]));
}

// PT → ECR ------------------------------------------------------------------------------------

/** 06 0F Completion of a Status-Enquiry: `[LLLVAR version] <status> [06 <TLV>]`. */
export function statusEnquiryCompletion(terminalStatus: number, softwareVersion: string | null, tlv: TlvInput[] | null): Apdu {
  const data: number[] = [];
  if (softwareVersion !== null) {
    const text = Buffer.from(softwareVersion, 'latin1');
    data.push(...encodeVarLength(text.length, 3), ...text);
  }
  data.push(terminalStatus);
  if (tlv !== null) {
    const body = encodeTlv(tlv);
    data.push(0x06, ...encodeBerLength(body.length), ...body);
  }
  return apdu(0x06, 0x0f, data);
}

/** 06 0F Completion with BMPs (after payment, end-of-day, registration). */
export function completion(fields: { bmp: number; value: ArrayLike<number> }[] = []): Apdu {
  return apdu(0x06, 0x0f, encodeBmps(fields));
}

/** 06 1E Abort from the PT: `<result code>`. */
export function ptAbort(resultCode: number): Apdu {
  return apdu(0x06, 0x1e, [resultCode]);
}

/** 04 FF Intermediate status: `<code> [<timeout, BCD minutes>]`. */
export function intermediateStatus(code: number, timeoutMinutes?: number): Apdu {
  return apdu(0x04, 0xff, timeoutMinutes === undefined ? [code] : [code, ...encodeBcd(String(timeoutMinutes), 1)]);
}

/** 04 0F Status-Information: a BMP list, normally with 27 <result code>. */
export function statusInformation(fields: { bmp: number; value: ArrayLike<number> }[]): Apdu {
  return apdu(0x04, 0x0f, encodeBmps(fields));
}

/** 06 D1 Print Line: `<attribute> <text>` [ZVT §2.42]. */
export function printLine(text: string, attribute = 0x00): Apdu {
  return apdu(0x06, 0xd1, [attribute, ...Buffer.from(text, 'latin1')]);
}

/** 06 D3 Print Text-Block: TLV 25 {1F07 receipt type, 07 lines…} [ZVT §2.44]. */
export function printTextBlock(lines: string[], receiptType = 0x03): Apdu {
  const body = encodeTlv([
    {
      tag: 0x25,
      children: [{ tag: 0x1f07, value: [receiptType] }, ...lines.map((l) => ({ tag: 0x07, value: Buffer.from(l, 'latin1') }))],
    },
  ]);
  return apdu(0x06, 0xd3, [0x06, ...encodeBerLength(body.length), ...body]);
}
