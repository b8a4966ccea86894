// The deployment's PKI: a CA, a server certificate with the hosts as SANs, and one client
// certificate per user (CN = user name). Keys are RSA 3072 made by Node's native generator;
// node-forge builds and signs the X.509 structures (no openssl process is run).

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface KeyPair {
  certPem: string;
  keyPem: string;
}

export interface Issuer {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
  pair: KeyPair;
}

const KEY_BITS = 3072;
const DAY_MS = 86_400_000;

function newKey(): { key: forge.pki.rsa.PrivateKey; pub: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: KEY_BITS,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return {
    key: forge.pki.privateKeyFromPem(privateKey),
    pub: forge.pki.publicKeyFromPem(publicKey),
    keyPem: privateKey,
  };
}

/** A positive 128-bit serial (the top bit cleared so DER keeps it positive without padding). */
function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function skeleton(pub: forge.pki.rsa.PublicKey, days: number, now: Date): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = pub;
  cert.serialNumber = serial();
  // A minute of back-dating absorbs small clock differences between hosts.
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + days * DAY_MS);
  return cert;
}

function sign(cert: forge.pki.Certificate, key: forge.pki.rsa.PrivateKey): void {
  cert.sign(key, forge.md.sha256.create());
}

export function makeCa(commonName: string, days: number, now = new Date()): Issuer {
  const k = newKey();
  const cert = skeleton(k.pub, days, now);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  sign(cert, k.key);
  return { cert, key: k.key, pair: { certPem: forge.pki.certificateToPem(cert), keyPem: k.keyPem } };
}

function altName(host: string): { type: number; value?: string; ip?: string } {
  // GeneralName tags: 2 = dNSName, 7 = iPAddress.
  return isIP(host) ? { type: 7, ip: host } : { type: 2, value: host };
}

export function issue(
  ca: Issuer,
  commonName: string,
  usage: 'server' | 'client',
  days: number,
  hosts: readonly string[] = [],
  now = new Date(),
): KeyPair {
  const k = newKey();
  const cert = skeleton(k.pub, days, now);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(ca.cert.subject.attributes);
  const exts: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    usage === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (hosts.length > 0) exts.push({ name: 'subjectAltName', altNames: hosts.map(altName) });
  cert.setExtensions(exts);
  sign(cert, ca.key);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: k.keyPem };
}
