/**
 * Throwaway certificates for the TLS tests, made at test time with the `openssl` command (argv
 * arrays, no shell) in a temp dir: a test CA, leaves signed by it with chosen validity periods and
 * SANs (`openssl ca` takes explicit -startdate/-enddate, so an already expired one is possible),
 * and a self-signed leaf. EC P-256 keys: quick to generate.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DAY = 86_400_000;

export interface Leaf {
  key: string;
  cert: string;
}

export interface TestPki {
  dir: string;
  /** Path of the CA certificate (PEM), for a target's `ca`. */
  caFile: string;
  valid: Leaf;
  expiringIn3Days: Leaf;
  expired: Leaf;
  wrongHost: Leaf;
  selfSigned: Leaf;
  cleanup(): Promise<void>;
}

/** Names every valid leaf carries. */
export const TLS_TEST_HOSTS = ['localhost', 'acquirer.test'];

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl is not installed: apt-get install openssl');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? e.message}`);
  }
}

/** UTCTime as `openssl ca -startdate/-enddate` wants it: YYMMDDHHMMSSZ. */
function utcTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}

const CA_CONFIG = `
[ca]
default_ca = test_ca
[test_ca]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[anything]
commonName = supplied
`;

export async function makeTestPki(now = Date.now()): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'posdiag-pki-'));
  await writeFile(join(dir, 'ca.cnf'), CA_CONFIG);
  await writeFile(join(dir, 'index.txt'), '');
  await writeFile(join(dir, 'serial'), '1000\n');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=posdiag test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);

  const leaf = async (name: string, sans: string[], from: number, to: number): Promise<Leaf> => {
    await writeFile(join(dir, `${name}.ext`), `[leaf]\nbasicConstraints=CA:FALSE\nsubjectAltName=${sans.join(',')}\n`);
    await openssl(dir, ['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    await openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`,
      '-out', `${name}.pem`, '-startdate', utcTime(from), '-enddate', utcTime(to), '-extfile', `${name}.ext`, '-extensions', 'leaf', '-notext']);
    return { key: await readFile(join(dir, `${name}.key`), 'utf8'), cert: await readFile(join(dir, `${name}.pem`), 'utf8') };
  };
  const good = [...TLS_TEST_HOSTS.map((h) => `DNS:${h}`), 'IP:127.0.0.1'];
  const valid = await leaf('valid', good, now - DAY, now + 365 * DAY);
  const expiringIn3Days = await leaf('expiring', good, now - DAY, now + 3 * DAY);
  const expired = await leaf('expired', good, now - 30 * DAY, now - DAY);
  const wrongHost = await leaf('wronghost', ['DNS:wrong-host.test'], now - DAY, now + 365 * DAY);
  await openssl(dir, ['req', '-x509', ...ec, '-keyout', 'self.key', '-out', 'self.pem', '-days', '365', '-subj', '/CN=localhost',
    '-addext', `subjectAltName=${good.join(',')}`]);
  const selfSigned = { key: await readFile(join(dir, 'self.key'), 'utf8'), cert: await readFile(join(dir, 'self.pem'), 'utf8') };
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    valid,
    expiringIn3Days,
    expired,
    wrongHost,
    selfSigned,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
