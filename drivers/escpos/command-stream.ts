/**
 * The host-to-printer command scanner: follows an ESC/POS byte stream the way a printer's command
 * parser does, so that whoever watches the line knows where each command ends.
 *
 * Passthrough needs this to slip its own DLE EOT queries into a till's stream: a query may only go
 * between whole commands (§3, embedding hazard). Sent inside ESC 3's parameter it becomes that
 * parameter; sent inside a GS v 0 raster image it is printed as pixels.
 *
 * Two separate things are tracked, because a printer does both (§3):
 * - the command parser: commands, their parameters and their data, with lengths from the Epson
 *   ESC/POS Application Programming Guide. A command we do not know leaves us unable to tell
 *   where the next one starts: `synchronised` turns false until the caller sees a quiet line;
 * - the real-time receiver: a printer answers the bytes `10 04 n` (n = 1-4) wherever they
 *   appear, even inside image data or another command's parameters. Those are reported as
 *   `embedded-query`, so a watcher knows that a status byte is coming that nobody meant to ask for.
 *
 * Pure: no I/O, no timers, never throws on input. Memory is O(1): data bytes are counted down,
 * never kept, so a 10 MB image costs what a line of text does.
 */
import type { InfoNumber } from './codec.js';
import type { EscposRequest } from './demux.js';

export type HostEvent =
  /** A command that makes the printer send a reply ReplyDemux understands (DLE EOT n, GS I n, GS r n). */
  | { type: 'query'; request: EscposRequest }
  /**
   * `10 04 n` inside another command's parameters or data. Not a command, but the printer's
   * real-time receiver answers it anyway (Epson: "if another data string of 10 04 n is received,
   * the printer acts the same way"), so one status byte will come back.
   */
  | { type: 'embedded-query'; request: Extract<EscposRequest, { kind: 'eot' }> }
  /** A command that makes the printer send a reply we do not parse (GS ( H, GS I 112, GS g 2 …). */
  | { type: 'query-unknown'; command: string }
  /** GS a n: from now on the printer sends 4-byte ASB messages when the groups in `mask` change (0: off). */
  | { type: 'asb-enable'; mask: number }
  /** A paper cut (GS V …, ESC i, ESC m): one receipt done. */
  | { type: 'cut' }
  /** ESC @: printer initialised (often the start of a job). */
  | { type: 'init' }
  /**
   * A DLE/ESC/FS/GS command whose length we do not know: the scanner lost the command boundaries.
   * Reported once, when `synchronised` turns false; further unknown commands before resync() are not.
   */
  | { type: 'unknown'; command: string };

const NUL = 0x00;
const EOT = 0x04;
const ENQ = 0x05;
const DLE = 0x10;
const DC4 = 0x14;
const ESC = 0x1b;
const FS = 0x1c;
const GS = 0x1d;
const PAREN = 0x28;

/** The GS I numbers whose replies ReplyDemux frames (codec.ts InfoNumber); others are query-unknown. */
const INFO_NUMBERS: ReadonlySet<number> = new Set([1, 2, 3, 49, 50, 51, 65, 66, 67, 68, 69] satisfies InfoNumber[]);
/** GS r n with a reply ReplyDemux frames: paper sensor and drawer (§2.5). n 4/52 (ink) is query-unknown. */
const STATUS_NUMBERS: ReadonlySet<number> = new Set([1, 2, 49, 50]);

/** Commands made of the prefix, one letter and a fixed number of parameter bytes: letter → total length. */
const ESC_FIXED = new Map<number, number>([
  [0x0c, 2], // ESC FF   print page (page mode)
  [0x20, 3], // ESC SP n right-side character spacing
  [0x21, 3], // ESC ! n  print mode
  [0x24, 4], // ESC $ nL nH absolute position
  [0x25, 3], // ESC % n  user-defined character set on/off
  [0x2d, 3], // ESC - n  underline
  [0x32, 2], // ESC 2    default line spacing
  [0x33, 3], // ESC 3 n  line spacing
  [0x3c, 2], // ESC <    return home (slip)
  [0x3d, 3], // ESC = n  select peripheral device
  [0x3f, 3], // ESC ? n  cancel user-defined character
  [0x45, 3], // ESC E n  emphasized
  [0x47, 3], // ESC G n  double-strike
  [0x4a, 3], // ESC J n  print and feed
  [0x4c, 2], // ESC L    page mode
  [0x4d, 3], // ESC M n  font
  [0x52, 3], // ESC R n  international character set
  [0x53, 2], // ESC S    standard mode
  [0x54, 3], // ESC T n  print direction (page mode)
  [0x55, 3], // ESC U n  unidirectional printing
  [0x56, 3], // ESC V n  90° rotation
  [0x57, 10], // ESC W xL xH yL yH dxL dxH dyL dyH  print area (page mode)
  [0x5c, 4], // ESC \ nL nH relative position
  [0x61, 3], // ESC a n  justification
  [0x63, 4], // ESC c 0-5 n  paper type, sensors, panel buttons
  [0x64, 3], // ESC d n  print and feed n lines
  [0x65, 3], // ESC e n  print and reverse feed n lines
  [0x66, 4], // ESC f t1 t2  cut sheet wait time (slip)
  [0x70, 5], // ESC p m t1 t2  drawer kick pulse
  [0x72, 3], // ESC r n  print colour
  [0x74, 3], // ESC t n  character code table
  [0x75, 3], // ESC u n  transmit peripheral status (old models): query-unknown
  [0x7b, 3], // ESC { n  upside-down
]);

const FS_FIXED = new Map<number, number>([
  [0x21, 3], // FS ! n   Kanji print mode
  [0x26, 2], // FS &     Kanji mode on
  [0x2d, 3], // FS - n   Kanji underline
  [0x2e, 2], // FS .     Kanji mode off
  [0x3f, 4], // FS ? c1 c2  cancel user-defined Kanji
  [0x43, 3], // FS C n   Kanji code system
  [0x53, 4], // FS S n1 n2  Kanji spacing
  [0x57, 3], // FS W n   Kanji quadruple size
  [0x70, 4], // FS p n m print NV bit image
]);

const GS_FIXED = new Map<number, number>([
  [0x21, 3], // GS ! n   character size
  [0x24, 4], // GS $ nL nH absolute vertical position (page mode)
  [0x2f, 3], // GS / m   print downloaded bit image
  [0x3a, 2], // GS :     start/end macro definition
  [0x42, 3], // GS B n   white/black reverse
  [0x45, 3], // GS E n   print density / head energy
  [0x48, 3], // GS H n   HRI position
  [0x4c, 4], // GS L nL nH left margin
  [0x50, 4], // GS P x y motion units
  [0x54, 3], // GS T n   to the start of the line
  [0x57, 4], // GS W nL nH print area width
  [0x5c, 4], // GS \ nL nH relative vertical position (page mode)
  [0x5e, 5], // GS ^ r t m execute macro
  [0x62, 3], // GS b n   smoothing
  [0x63, 2], // GS c     print counter
  [0x66, 3], // GS f n   HRI font
  [0x68, 3], // GS h n   bar code height
  [0x77, 3], // GS w n   bar code width
]);

/**
 * Functions of the "( x pL pH" and "GS 8 L" families that transmit something, by the parameter
 * that names the function. GS ( L / GS 8 L and GS ( C start with m, so the function is the
 * second parameter; the others start with fn.
 */
const TRANSMITTING_FUNCTIONS: ReadonlyArray<{ prefix: number; letter: number; fnAt: 0 | 1; fns: ReadonlySet<number> | 'all' }> = [
  { prefix: GS, letter: 0x48, fnAt: 0, fns: 'all' }, // GS ( H  process ID response, offline response
  { prefix: GS, letter: 0x45, fnAt: 0, fns: new Set([1, 4, 6, 12, 14, 16, 50]) }, // GS ( E user setup: settings, mode change notice
  { prefix: GS, letter: 0x4c, fnAt: 1, fns: new Set([0, 48, 3, 51, 4, 52, 64, 80]) }, // GS ( L graphics memory capacity, key codes
  { prefix: GS, letter: 0x43, fnAt: 1, fns: new Set([2, 50, 3, 51, 4, 52, 5, 53]) }, // GS ( C NV user memory contents, capacity
  { prefix: GS, letter: 0x6b, fnAt: 1, fns: new Set([82]) }, // GS ( k transmit symbol size
  { prefix: FS, letter: 0x45, fnAt: 0, fns: new Set([61]) }, // FS ( E logo settings
  { prefix: FS, letter: 0x4c, fnAt: 0, fns: new Set([34, 48]) }, // FS ( L paper layout, positioning
  { prefix: FS, letter: 0x65, fnAt: 0, fns: 'all' }, // FS ( e extended ASB
];

/** What a command's bytes so far tell: read more of its fixed part, or how it goes on and ends. */
type Step =
  /** The command's fixed part (prefix included) is `length` bytes; read up to there, then look again. */
  | { next: 'header'; length: number }
  | { next: 'end'; event?: HostEvent }
  /** `count` bytes of parameters or data follow; `print` says whether they count as print data. */
  | { next: 'data'; count: number; print: boolean; event?: HostEvent }
  /** `count` items follow, each a small fixed header and then data whose length that header gives. */
  | { next: 'items'; count: number; itemHeader: number; itemData: (header: readonly number[]) => number; print: boolean }
  /** GS k m (m 0-6): bar code data up to a NUL. */
  | { next: 'barcode' }
  /** ESC D: ascending tab positions up to a NUL. */
  | { next: 'tabs' }
  | { next: 'unknown'; command: string };

type Mode = 'text' | 'header' | 'data' | 'item-header' | 'barcode' | 'tabs';

/** ESC D takes at most 32 tab positions; the printer reads anything after them as normal data. */
const MAX_TABS = 32;

export class CommandScanner {
  private mode: Mode = 'text';
  /** The fixed part of the command being read, prefix first; never more than 10 bytes (ESC W, DLE DC4 8, FS g). */
  private header: number[] = [];
  private headerLength = 0;
  /** Bytes of parameters or data still to come in the current command. */
  private dataLeft = 0;
  private dataIsPrint = false;
  /** Reported when the current command's data has all arrived. */
  private pendingEvent: HostEvent | null = null;
  private itemsLeft = 0;
  private itemHeader: number[] = [];
  private itemHeaderLength = 0;
  private itemData: (header: readonly number[]) => number = () => 0;
  private tabCount = 0;
  private lastTab = 0;
  /** The two bytes before the current one, for the printer's real-time `10 04 n` receiver. */
  private beforeLast = -1;
  private last = -1;
  private isSynchronised = true;
  private cutCount = 0;
  private dataCount = 0;

  /** Feeds bytes in the order they go to the printer; any chunking. Never throws. */
  push(chunk: Uint8Array): HostEvent[] {
    const events: HostEvent[] = [];
    for (const b of chunk) this.take(b, events);
    return events;
  }

  /** True when everything pushed so far ends exactly at a command boundary (not inside a command, its parameters or its data). */
  get atBoundary(): boolean {
    return this.isSynchronised && this.mode === 'text';
  }

  /** False after an unknown command until resync(): the scanner cannot tell where the next command starts. */
  get synchronised(): boolean {
    return this.isSynchronised;
  }

  /**
   * Called by the caller after a quiet gap on the line (the till stopped sending): boundaries are
   * trusted again. Does nothing while synchronised: a till that pauses inside a long image (flow
   * control, a slow link) still owes the rest of it, and the printer waits for it too.
   */
  resync(): void {
    if (this.isSynchronised) return;
    this.isSynchronised = true;
    this.toText();
  }

  /** Forget the stream (link lost): the next byte starts a command. The counters are kept. */
  reset(): void {
    this.isSynchronised = true;
    this.toText();
    this.beforeLast = -1;
    this.last = -1;
  }

  /** Paper cuts seen since creation: receipts. */
  get cuts(): number {
    return this.cutCount;
  }

  /**
   * Print data seen since creation: text bytes (0x20 and up, outside commands; UTF-8 and GBK
   * included) and the data of image, graphics and bar code commands (ESC *, GS v 0, GS *,
   * GS ( L, GS 8 L, GS k, GS ( k, FS q). Other parameters are not counted.
   */
  get dataBytes(): number {
    return this.dataCount;
  }

  private take(b: number, events: HostEvent[]): void {
    this.watchRealTime(b, events);
    // A byte that ends a command without belonging to it (ESC D's out-of-order tab, a control
    // byte in bar code data) is read again as the start of what follows, as the printer does.
    while (this.parse(b, events));
  }

  private watchRealTime(b: number, events: HostEvent[]): void {
    if (this.beforeLast === DLE && this.last === EOT && b >= 1 && b <= 4) {
      const isCommand = this.mode === 'header' && this.header.length === 2 && this.header[0] === DLE && this.header[1] === EOT;
      if (!isCommand) events.push({ type: 'embedded-query', request: { kind: 'eot', n: b as 1 | 2 | 3 | 4 } });
      this.beforeLast = -1;
      this.last = -1;
      return;
    }
    this.beforeLast = this.last;
    this.last = b;
  }

  /** Returns true when `b` must be read again from the top level. */
  private parse(b: number, events: HostEvent[]): boolean {
    switch (this.mode) {
      case 'text':
        if (b === DLE || b === ESC || b === FS || b === GS) {
          this.mode = 'header';
          this.header = [b];
          this.headerLength = 2;
        } else if (b >= 0x20) {
          this.dataCount++;
        }
        // Other control bytes are one byte long: HT LF FF CR CAN, or ignored by the printer.
        return false;
      case 'header':
        this.header.push(b);
        if (this.header.length < this.headerLength) return false;
        return this.follow(classify(this.header), b, events);
      case 'data':
        if (this.dataIsPrint) this.dataCount++;
        this.dataLeft--;
        if (this.dataLeft === 0) this.nextItemOrFinish(events);
        return false;
      case 'item-header':
        this.itemHeader.push(b);
        if (this.itemHeader.length === this.itemHeaderLength) {
          this.itemsLeft--;
          this.startData(this.itemData(this.itemHeader), events);
        }
        return false;
      case 'barcode':
        // Bar code characters are all printable; whatever else ends the bar code. The printer then
        // reads it as normal data, so boundaries match even when a symbology rejects a character.
        if (b >= 0x20) {
          this.dataCount++;
          return false;
        }
        this.finish(events);
        return b !== NUL;
      case 'tabs':
        if (b === NUL) {
          this.finish(events);
          return false;
        }
        if (this.tabCount === MAX_TABS || b <= this.lastTab) {
          this.finish(events);
          return true;
        }
        this.tabCount++;
        this.lastTab = b;
        return false;
    }
  }

  private follow(step: Step, b: number, events: HostEvent[]): boolean {
    switch (step.next) {
      case 'header':
        this.headerLength = step.length;
        return false;
      case 'end':
        this.pendingEvent = step.event ?? null;
        this.finish(events);
        return false;
      case 'data':
        this.pendingEvent = step.event ?? null;
        this.dataIsPrint = step.print;
        this.itemsLeft = 0;
        this.startData(step.count, events);
        return false;
      case 'items':
        this.pendingEvent = null;
        this.dataIsPrint = step.print;
        this.itemsLeft = step.count;
        this.itemHeaderLength = step.itemHeader;
        this.itemData = step.itemData;
        this.nextItemOrFinish(events);
        return false;
      case 'barcode':
        this.mode = 'barcode';
        this.dataIsPrint = true;
        return false;
      case 'tabs':
        this.mode = 'tabs';
        this.tabCount = 0;
        this.lastTab = 0;
        return false;
      case 'unknown': {
        if (this.isSynchronised) events.push({ type: 'unknown', command: step.command });
        this.isSynchronised = false;
        // Best effort from here on (the simulator reads on like a printer): skip what we read. A
        // control byte right after the prefix is more likely a new command than a command letter.
        const secondIsControl = this.header.length === 2 && b < 0x20;
        this.toText();
        return secondIsControl;
      }
    }
  }

  private startData(count: number, events: HostEvent[]): void {
    if (count > 0) {
      this.mode = 'data';
      this.dataLeft = count;
    } else {
      this.nextItemOrFinish(events);
    }
  }

  private nextItemOrFinish(events: HostEvent[]): void {
    if (this.itemsLeft > 0) {
      this.mode = 'item-header';
      this.itemHeader = [];
    } else {
      this.finish(events);
    }
  }

  private finish(events: HostEvent[]): void {
    const event = this.pendingEvent;
    this.toText();
    if (event === null) return;
    if (event.type === 'cut') this.cutCount++;
    events.push(event);
  }

  private toText(): void {
    this.mode = 'text';
    this.header = [];
    this.pendingEvent = null;
    this.dataLeft = 0;
    this.itemsLeft = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Command lengths

const at = (h: readonly number[], i: number): number => h[i] ?? 0;
const need = (length: number): Step => ({ next: 'header', length });
const end = (event?: HostEvent): Step => ({ next: 'end', event });
const data = (count: number, print: boolean, event?: HostEvent): Step => ({ next: 'data', count, print, event });
const word = (h: readonly number[], i: number): number => at(h, i) + 256 * at(h, i + 1);

const PREFIX_NAMES: Record<number, string> = { [DLE]: 'DLE', [ESC]: 'ESC', [FS]: 'FS', [GS]: 'GS' };
const CONTROL_NAMES: Record<number, string> = { [EOT]: 'EOT', [ENQ]: 'ENQ', [DC4]: 'DC4', [0x0c]: 'FF', [0x20]: 'SP' };

/** "GS ( H", "ESC SP", "GS 0x99": the prefix and the command letter as the Epson guide writes them. */
function letterName(h: readonly number[]): string {
  const letter = at(h, 1);
  const shown =
    CONTROL_NAMES[letter] ?? (letter > 0x20 && letter < 0x7f ? String.fromCharCode(letter) : `0x${letter.toString(16).padStart(2, '0')}`);
  return `${PREFIX_NAMES[at(h, 0)] ?? '?'} ${shown}`;
}

/** The letter name followed by parameter bytes in decimal, as describeRequest writes "GS I 66". */
function commandName(h: readonly number[], parameters: number): string {
  return [letterName(h), ...h.slice(2, 2 + parameters)].join(' ');
}

const unknown = (h: readonly number[], parameters = 0): Step => ({ next: 'unknown', command: commandName(h, parameters) });
const queryUnknown = (command: string): HostEvent => ({ type: 'query-unknown', command });

function classify(h: readonly number[]): Step {
  switch (at(h, 0)) {
    case DLE:
      return classifyDle(h);
    case ESC:
      return classifyEsc(h);
    case FS:
      return classifyFs(h);
    default:
      return classifyGs(h);
  }
}

function classifyDle(h: readonly number[]): Step {
  const letter = at(h, 1);
  if (letter === ENQ) return h.length < 3 ? need(3) : end(); // DLE ENQ n: recovery request, no reply
  if (letter === EOT) {
    if (h.length < 3) return need(3);
    const n = at(h, 2);
    if (n >= 1 && n <= 4) return end({ type: 'query', request: { kind: 'eot', n: n as 1 | 2 | 3 | 4 } });
    if (n === 5) return end(queryUnknown('DLE EOT 5')); // slip status
    // DLE EOT 7 a (ink), 8 a (peeler), 18 a (interface, customer display): one more byte.
    if (n === 7 || n === 8 || n === 18) return h.length < 4 ? need(4) : end(queryUnknown(`DLE EOT ${n}`));
    return unknown(h, 1);
  }
  if (letter === DC4) {
    if (h.length < 3) return need(3);
    switch (at(h, 2)) {
      case 1: // DLE DC4 1 m t: drawer pulse
        return h.length < 5 ? need(5) : end();
      case 2: // DLE DC4 2 1 8: power off, answered with a power-off notice
        return h.length < 5 ? need(5) : end(queryUnknown('DLE DC4 2'));
      case 3: // DLE DC4 3 a n r t1 t2: buzzer
        return h.length < 8 ? need(8) : end();
      case 7: // DLE DC4 7 m: transmit status now
        return h.length < 4 ? need(4) : end(queryUnknown('DLE DC4 7'));
      case 8: // DLE DC4 8 1 3 20 1 6 2 8: clear buffers, answered with a clear response
        return h.length < 10 ? need(10) : end(queryUnknown('DLE DC4 8'));
      default:
        return unknown(h, 1);
    }
  }
  return unknown(h);
}

function classifyEsc(h: readonly number[]): Step {
  const letter = at(h, 1);
  switch (letter) {
    case 0x40: // ESC @
      return end({ type: 'init' });
    case 0x69: // ESC i
    case 0x6d: // ESC m
      return end({ type: 'cut' });
    case 0x76: // ESC v: transmit paper sensor status (old models)
      return end(queryUnknown('ESC v'));
    case 0x2a: {
      // ESC * m nL nH d1…dk: 8-dot columns are 1 byte each, 24-dot columns 3.
      if (h.length < 5) return need(5);
      const m = at(h, 2);
      const columns = word(h, 3);
      if (m === 0 || m === 1) return data(columns, true);
      if (m === 32 || m === 33) return data(3 * columns, true);
      return unknown(h, 1);
    }
    case 0x26: {
      // ESC & y c1 c2 [x d1…d(y×x)] for each character c1…c2.
      if (h.length < 5) return need(5);
      const [y, c1, c2] = [at(h, 2), at(h, 3), at(h, 4)];
      if (c2 < c1) return unknown(h, 3);
      return { next: 'items', count: c2 - c1 + 1, itemHeader: 1, itemData: (x) => y * at(x, 0), print: false };
    }
    case 0x44: // ESC D n1…nk NUL
      return { next: 'tabs' };
    case PAREN: // ESC ( A (beeper), ESC ( Y …
      return functionCommand(h, 2);
  }
  const length = ESC_FIXED.get(letter);
  if (length === undefined) return unknown(h);
  if (h.length < length) return need(length);
  return letter === 0x75 ? end(queryUnknown('ESC u')) : end();
}

function classifyFs(h: readonly number[]): Step {
  const letter = at(h, 1);
  switch (letter) {
    case PAREN: // FS ( A / C / E / L / e …
      return functionCommand(h, 2);
    case 0x32: // FS 2 c1 c2 d1…d72: one 24×24 user-defined Kanji (the 16×16 models' k = 32 is not followed)
      return h.length < 4 ? need(4) : data(72, false);
    case 0x71: {
      // FS q n [xL xH yL yH d1…d(x×y×8)] × n: define NV bit images.
      if (h.length < 3) return need(3);
      return { next: 'items', count: at(h, 2), itemHeader: 4, itemData: (x) => word(x, 0) * word(x, 2) * 8, print: true };
    }
    case 0x67: {
      // FS g 1 m a1 a2 a3 a4 nL nH d1…dk writes user NV memory; FS g 2 (same, no data) reads it.
      if (h.length < 3) return need(3);
      const sub = at(h, 2);
      if (sub !== 0x31 && sub !== 0x32) return unknown(h, 1);
      if (h.length < 10) return need(10);
      return sub === 0x31 ? data(word(h, 8), false) : end(queryUnknown('FS g 2'));
    }
  }
  const length = FS_FIXED.get(letter);
  if (length === undefined) return unknown(h);
  return h.length < length ? need(length) : end();
}

function classifyGs(h: readonly number[]): Step {
  const letter = at(h, 1);
  switch (letter) {
    case PAREN: // GS ( x pL pH …, for every x
      return functionCommand(h, 2);
    case 0x38: // GS 8 L p1 p2 p3 p4 …: GS ( L with a 32-bit length
      if (h.length < 3) return need(3);
      return at(h, 2) === 0x4c ? functionCommand(h, 4) : unknown(h, 1);
    case 0x2a: // GS * x y d1…d(x×y×8): define downloaded bit image
      return h.length < 4 ? need(4) : data(at(h, 2) * at(h, 3) * 8, true);
    case 0x76: {
      // GS v 0 m xL xH yL yH d1…dk, k = (xL + 256 xH) × (yL + 256 yH): raster image.
      if (h.length < 3) return need(3);
      if (at(h, 2) !== 0x30) return unknown(h, 1);
      return h.length < 8 ? need(8) : data(word(h, 4) * word(h, 6), true);
    }
    case 0x6b: {
      // GS k m d1…dk NUL (m 0-6) or GS k m n d1…dn (m 65-79): bar code.
      if (h.length < 3) return need(3);
      const m = at(h, 2);
      if (m <= 6) return { next: 'barcode' };
      if (m < 65 || m > 79) return unknown(h, 1);
      return h.length < 4 ? need(4) : data(at(h, 3), true);
    }
    case 0x56: {
      // GS V m (m 0, 1, 48, 49) or GS V m n (feed and cut, m 65, 66, 97, 98, 103, 104).
      if (h.length < 3) return need(3);
      const m = at(h, 2);
      if (m === 0 || m === 1 || m === 48 || m === 49) return end({ type: 'cut' });
      if (![65, 66, 97, 98, 103, 104].includes(m)) return unknown(h, 1);
      return h.length < 4 ? need(4) : end({ type: 'cut' });
    }
    case 0x43: {
      // GS C 0 n m, GS C 1 aL aH bL bH n r, GS C 2 nL nH: counter printing (old models).
      if (h.length < 3) return need(3);
      const length = { 0x30: 5, 0x31: 9, 0x32: 5 }[at(h, 2)];
      if (length === undefined) return unknown(h, 1);
      return h.length < length ? need(length) : end();
    }
    case 0x67: {
      // GS g 0 m nL nH resets a maintenance counter; GS g 2 m nL nH transmits it.
      if (h.length < 3) return need(3);
      const sub = at(h, 2);
      if (sub !== 0x30 && sub !== 0x32) return unknown(h, 1);
      if (h.length < 6) return need(6);
      return sub === 0x32 ? end(queryUnknown('GS g 2')) : end();
    }
    case 0x49: {
      // GS I n
      if (h.length < 3) return need(3);
      const n = at(h, 2);
      return INFO_NUMBERS.has(n) ? end({ type: 'query', request: { kind: 'info', n: n as InfoNumber } }) : end(queryUnknown(`GS I ${n}`));
    }
    case 0x72: {
      // GS r n
      if (h.length < 3) return need(3);
      const n = at(h, 2);
      return STATUS_NUMBERS.has(n) ? end({ type: 'query', request: { kind: 'status', n: n as 1 | 2 | 49 | 50 } }) : end(queryUnknown(`GS r ${n}`));
    }
    case 0x61: // GS a n
      return h.length < 3 ? need(3) : end({ type: 'asb-enable', mask: at(h, 2) });
    case 0x6a: // GS j n: ASB for ink, messages we do not parse
      return h.length < 3 ? need(3) : end(queryUnknown('GS j'));
  }
  const length = GS_FIXED.get(letter);
  if (length === undefined) return unknown(h);
  return h.length < length ? need(length) : end();
}

/**
 * `prefix ( x pL pH p…` (sizeBytes 2) and `GS 8 L p1 p2 p3 p4 p…` (sizeBytes 4): the size says
 * how many parameter bytes follow. The first two are read to tell functions that transmit.
 */
function functionCommand(h: readonly number[], sizeBytes: 2 | 4): Step {
  const fixed = 3 + sizeBytes;
  if (h.length < fixed) return need(fixed);
  const size = sizeBytes === 2 ? word(h, 3) : word(h, 3) + 65536 * word(h, 5);
  const peek = Math.min(size, 2);
  if (h.length < fixed + peek) return need(fixed + peek);
  const prefix = at(h, 0);
  // GS 8 L is GS ( L with a longer size field.
  const letter = sizeBytes === 4 ? 0x4c : at(h, 2);
  const parameters = h.slice(fixed);
  const family = sizeBytes === 4 ? 'GS 8 L' : `${letterName(h)} ${String.fromCharCode(letter)}`;
  const isPrintData = prefix === GS && (letter === 0x4c || letter === 0x6b);
  const transmitting = TRANSMITTING_FUNCTIONS.find((f) => f.prefix === prefix && f.letter === letter);
  let event: HostEvent | undefined;
  if (transmitting !== undefined) {
    const fn = parameters[transmitting.fnAt];
    if (transmitting.fns === 'all') event = queryUnknown(family);
    else if (fn !== undefined && transmitting.fns.has(fn)) event = queryUnknown(`${family} fn ${fn}`);
  }
  return data(size - peek, isPrintData, event);
}
