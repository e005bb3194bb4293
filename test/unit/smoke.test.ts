import { describe, expect, it } from 'vitest';
import { DeviceTimeoutError } from '../../drivers/model.js';

describe('driver model', () => {
  it('names the request and the timeout in a DeviceTimeoutError', () => {
    const error = new DeviceTimeoutError('DLE EOT 1', 500);
    expect(error.message).toBe('no answer to DLE EOT 1 within 500 ms');
    expect(error).toBeInstanceOf(Error);
  });
});
