import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedDefaultConfigPath, findPackageRoot } from '../../../src/config/paths.js';

describe('embeddedDefaultConfigPath', () => {
  it('is config/default.yaml of this package, found from the source tree', () => {
    const file = embeddedDefaultConfigPath();
    expect(path.relative(process.cwd(), file)).toBe(path.join('config', 'default.yaml'));
    expect(existsSync(file)).toBe(true);
  });
});

describe('findPackageRoot', () => {
  // The layout of an installed package: the compiled module sits in dist/src/config/.
  const top = mkdtempSync(path.join(tmpdir(), 'posdiag-root-'));
  const installed = path.join(top, 'node_modules', 'posdiag');
  const compiled = path.join(installed, 'dist', 'src', 'config');
  mkdirSync(compiled, { recursive: true });
  writeFileSync(path.join(top, 'package.json'), JSON.stringify({ name: 'the-shop-app' }));
  writeFileSync(path.join(installed, 'package.json'), JSON.stringify({ name: 'posdiag' }));
  // A nested package.json with another name (or none at all) is walked past.
  writeFileSync(path.join(installed, 'dist', 'package.json'), JSON.stringify({ type: 'module' }));

  it('walks up from the compiled module to the package.json named posdiag', () => {
    expect(findPackageRoot(compiled)).toBe(installed);
  });

  it('is null when no posdiag package.json is above', () => {
    expect(findPackageRoot(top)).toBeNull();
  });

  it('ignores a package.json that is not JSON', () => {
    const broken = mkdtempSync(path.join(tmpdir(), 'posdiag-broken-'));
    writeFileSync(path.join(broken, 'package.json'), '{ not json');
    expect(findPackageRoot(broken)).toBeNull();
  });
});
