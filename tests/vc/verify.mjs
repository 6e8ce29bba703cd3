// Independent check of hocvuso's signed certificates (issue 10 §4) with the widely used Digital
// Bazaar JavaScript libraries, so our Rust signing is not only checked by our own Rust code.
//
//   node tests/vc/verify.mjs CREDENTIAL.json DID_DOCUMENT.json [STATUS_LIST.json]
//
// Offline by design: the document loader serves only the JSON-LD contexts shipped in
// data/contexts/ and the DID document given here (and its keys); any other URL is an error.
// With a status list credential, it is verified the same way and the certificate's revocation
// bit is read from it; without one, status is reported as not checked.
// Prints the result as JSON; exits 0 only when the credential verifies (and is not revoked).

import {readFile} from 'node:fs/promises';
import {fileURLToPath} from 'node:url';
import path from 'node:path';
import zlib from 'node:zlib';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const here = path.dirname(fileURLToPath(import.meta.url));
const contextsDir = path.join(here, '..', '..', 'data', 'contexts');

// The same URL → file table as crates/core/src/certificate/credential.rs (CONTEXTS).
const CONTEXT_FILES = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-context-3.0.3.json',
  'https://www.w3.org/ns/did/v1': 'did-v1.jsonld',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
};

function fail(error, extra = {}) {
  process.stdout.write(JSON.stringify({verified: false, error, ...extra}, null, 2) + '\n');
  process.exit(1);
}

async function readJson(file, what) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch(e) {
    fail(`cannot read the ${what} file ${file}: ${e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch(e) {
    fail(`the ${what} file ${file} is not JSON: ${e.message}`);
  }
}

const [credentialFile, didFile, statusFile] = process.argv.slice(2);
if(!credentialFile || !didFile) {
  fail('usage: node tests/vc/verify.mjs CREDENTIAL.json DID_DOCUMENT.json [STATUS_LIST.json]');
}
const credential = await readJson(credentialFile, 'credential');
const didDocument = await readJson(didFile, 'DID document');
const statusList = statusFile ? await readJson(statusFile, 'status list') : null;

const contexts = new Map();
for(const [url, file] of Object.entries(CONTEXT_FILES)) {
  contexts.set(url, JSON.parse(await readFile(path.join(contextsDir, file), 'utf8')));
}

const loaded = [];
const refused = [];
async function documentLoader(url) {
  loaded.push(url);
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  const [base, fragment] = url.split('#');
  if(base === didDocument.id) {
    if(fragment === undefined) {
      return {contextUrl: null, documentUrl: url, document: didDocument};
    }
    const method = (didDocument.verificationMethod || []).find(m => m.id === url);
    if(method) {
      return {
        contextUrl: null,
        documentUrl: url,
        document: {'@context': didDocument['@context'], ...method},
      };
    }
  }
  if(statusList && url === statusList.id) {
    return {contextUrl: null, documentUrl: url, document: statusList};
  }
  refused.push(url);
  throw new Error(`offline document loader: ${url} is not available (never fetched)`);
}

function makeSuite() {
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
}

let statusChecked = false;
let revoked = null;
async function checkStatus({credential}) {
  const entry = credential.credentialStatus;
  if(!statusList) {
    return {verified: true};
  }
  if(entry.type !== 'BitstringStatusListEntry' ||
    entry.statusListCredential !== statusList.id) {
    return {verified: false, error: 'the status list given is not the credential\'s list'};
  }
  const listResult = await vc.verifyCredential({
    credential: statusList, suite: makeSuite(), documentLoader
  });
  if(!listResult.verified) {
    return {verified: false, error: 'the status list does not verify', listResult};
  }
  const encoded = statusList.credentialSubject.encodedList;
  if(!encoded.startsWith('u')) {
    return {verified: false, error: 'encodedList is not multibase base64url'};
  }
  const bits = zlib.gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
  const index = Number(entry.statusListIndex);
  statusChecked = true;
  revoked = (bits[Math.floor(index / 8)] & (0x80 >> (index % 8))) !== 0;
  return revoked ?
    {verified: false, error: `revoked (bit ${index} of ${statusList.id} is set)`} :
    {verified: true};
}

let result;
try {
  result = await vc.verifyCredential({
    credential, suite: makeSuite(), documentLoader, checkStatus
  });
} catch(e) {
  fail(e.message, {loaded, refused});
}

const errorOf = r => {
  const errors = [];
  if(r.error) {
    errors.push(...(r.error.errors || [r.error]).map(e => e.message || String(e)));
  }
  for(const p of r.results || []) {
    if(p.error) {
      errors.push(p.error.message || String(p.error));
    }
  }
  if(r.statusResult && !r.statusResult.verified) {
    errors.push(r.statusResult.error || 'status check failed');
  }
  return errors;
};

const out = {
  verified: result.verified,
  errors: result.verified ? [] : errorOf(result),
  statusChecked,
  revoked,
  holder: credential?.credentialSubject?.name,
  achievement: credential?.credentialSubject?.achievement?.name,
  verificationMethod: credential?.proof?.verificationMethod,
  loaded: [...new Set(loaded)],
  refused: [...new Set(refused)],
};
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
process.exit(result.verified ? 0 : 1);
