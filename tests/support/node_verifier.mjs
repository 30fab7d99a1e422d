// An independent verifier for the tests: Digital Bazaar's VC libraries (which share no code with the
// tool's Python signer), driven by tests/support/node_verifier.py with one JSON request on stdin
// and one JSON answer on stdout.
//
// Request (or a list of them): {"op": "verify" | "sign" | "canonize", "now": ISO date, "documents": {url: document},
//           "credential" / "document": {...}, "seedHex" and "controller" (sign), "created" (sign)}
// The document loader serves the tool's shipped contexts (lms_plugin/badges/contexts/index.json)
// and the documents given (issuer profiles, status list credentials); a verification method URL
// `<profile>#<key>` is served from its profile's `verificationMethod`. Anything else is refused:
// nothing is fetched from the network.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const CONTEXTS = join(
  dirname(fileURLToPath(import.meta.url)), '..', '..', 'lms_plugin', 'badges', 'contexts');
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

function loadContexts() {
  const index = JSON.parse(readFileSync(join(CONTEXTS, 'index.json'), 'utf8'));
  const contexts = new Map();
  for(const [url, file] of Object.entries(index)) {
    if(!url.startsWith('_')) {
      contexts.set(url, JSON.parse(readFileSync(join(CONTEXTS, file), 'utf8')));
    }
  }
  return contexts;
}

function makeLoader(documents) {
  const contexts = loadContexts();
  return async url => {
    let document = contexts.get(url) ?? documents[url];
    if(document === undefined && url.includes('#')) {
      const profile = documents[url.split('#')[0]];
      const method = (profile?.verificationMethod ?? []).find(m => m.id === url);
      if(method) {
        document = {'@context': MULTIKEY_V1, ...method};
      }
    }
    if(document === undefined) {
      throw new Error(`refused to load ${url}: not a shipped context or given document`);
    }
    return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
  };
}

function describe(error) {
  if(!error) {
    return null;
  }
  const errors = Array.isArray(error) ? error : (error.errors ?? [error]);
  return errors.map(e => `${e.name}: ${e.message}`).join('; ');
}

async function verify(request, documentLoader) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const result = await vc.verifyCredential({
    credential: request.credential,
    suite,
    documentLoader,
    now: request.now ? new Date(request.now) : undefined,
    checkStatus: request.credential.credentialStatus ? checkStatus : undefined,
  });
  const statusResults = result.statusResult?.results ?? [];
  return {
    verified: result.verified,
    error: describe(result.error ?? result.results?.find(r => !r.verified)?.error),
    status: statusResults.map(r => ({verified: r.verified, status: r.status ?? null})),
  };
}

async function sign(request, documentLoader) {
  const seed = Uint8Array.from(Buffer.from(request.seedHex, 'hex'));
  const key = await Ed25519Multikey.generate({controller: request.controller, seed});
  const suite = new DataIntegrityProof({
    signer: key.signer(), cryptosuite: eddsaRdfc2022, date: request.created,
  });
  const credential = await vc.issue({credential: request.credential, suite, documentLoader});
  return {credential, publicKeyMultibase: key.publicKeyMultibase};
}

async function canonize(request, documentLoader) {
  const nquads = await eddsaRdfc2022.canonize(request.document, {documentLoader});
  return {nquads};
}

const OPS = {verify, sign, canonize};

async function answer(request) {
  const op = OPS[request.op];
  if(!op) {
    throw new Error(`unknown op ${request.op}`);
  }
  return op(request, makeLoader(request.documents ?? {}));
}

// One request, or a list of them (answered in order: one Node start for many checks).
async function main() {
  const request = JSON.parse(readFileSync(0, 'utf8'));
  if(!Array.isArray(request)) {
    return answer(request);
  }
  const answers = [];
  for(const each of request) {
    answers.push(await answer(each));
  }
  return answers;
}

main().then(
  answer => process.stdout.write(JSON.stringify(answer)),
  error => {
    process.stdout.write(JSON.stringify({error: `${error.name}: ${error.message}`}));
    process.exitCode = 2;
  });
