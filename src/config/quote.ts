/**
 * Shows a value from the config inside an error message: `'text'` in single quotes, as a
 * technician would write it back into the file; JSON-escaped when it holds quotes or control
 * characters, so a stray tab or newline is visible; shortened when long.
 */
export function quote(text: string): string {
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return /['"\\\u0000-\u001f\u007f]/.test(short) ? JSON.stringify(short) : `'${short}'`;
}
