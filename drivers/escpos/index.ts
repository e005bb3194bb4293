// Placeholder until the ESC/POS driver lands; replaced in full by drivers/escpos work.
export { escposOptionsSchema, type EscposOptions } from './options.js';
