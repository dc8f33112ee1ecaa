#!/usr/bin/env node
// Encrypts a code the way cognito-local does for its CustomEmailSender trigger: its
// own CryptoService (the JavaScript AWS Encryption SDK, a KMS keyring whose KMS
// client is built from KMSConfig), here pointed at a KMS endpoint such as moto's.
// Prints the base64 ciphertext cognito-local would put in request.code.
//
//   node scripts/cognito_local_encrypt.js <kms endpoint> <region> <key arn> <code>
"use strict";

const { CryptoService } = require("cognito-local/lib/services/crypto");

async function main() {
  const [endpoint, region, keyArn, code] = process.argv.slice(2);
  if (!code) {
    console.error("usage: cognito_local_encrypt.js <kms endpoint> <region> <key arn> <code>");
    process.exit(2);
  }
  const crypto = new CryptoService({
    KMSKeyId: keyArn,
    KMSKeyAlias: keyArn,
    endpoint,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  process.stdout.write(await crypto.encrypt({ logger: quiet }, code));
}

main().catch((err) => {
  console.error(`cognito-local could not encrypt: ${err.message}`);
  process.exit(1);
});
