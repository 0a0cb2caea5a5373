/**
 * The pinned AWS Nitro Enclaves root certificate (CN=aws.nitro-enclaves, valid 2019-10-28 to
 * 2049-10-28), as published by AWS at
 * https://aws-nitro-enclaves.amazonaws.com/AWS_NitroEnclaves_Root-G1.zip and as found in the
 * evervault/attestation-doc-validation test data. Its SHA-256 fingerprint (of the DER) is checked when
 * this module loads, so an edit to the PEM cannot go unnoticed.
 */
import { sha256 } from "viem";
import { pemToDerList } from "./bytes.ts";

export const AWS_NITRO_ROOT_PEM = `
-----BEGIN CERTIFICATE-----
MIICETCCAZagAwIBAgIRAPkxdWgbkK/hHUbMtOTn+FYwCgYIKoZIzj0EAwMwSTEL
MAkGA1UEBhMCVVMxDzANBgNVBAoMBkFtYXpvbjEMMAoGA1UECwwDQVdTMRswGQYD
VQQDDBJhd3Mubml0cm8tZW5jbGF2ZXMwHhcNMTkxMDI4MTMyODA1WhcNNDkxMDI4
MTQyODA1WjBJMQswCQYDVQQGEwJVUzEPMA0GA1UECgwGQW1hem9uMQwwCgYDVQQL
DANBV1MxGzAZBgNVBAMMEmF3cy5uaXRyby1lbmNsYXZlczB2MBAGByqGSM49AgEG
BSuBBAAiA2IABPwCVOumCMHzaHDimtqQvkY4MpJzbolL//Zy2YlES1BR5TSksfbb
48C8WBoyt7F2Bw7eEtaaP+ohG2bnUs990d0JX28TcPQXCEPZ3BABIeTPYwEoCWZE
h8l5YoQwTcU/9KNCMEAwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUkCW1DdkF
R+eWw5b6cp3PmanfS5YwDgYDVR0PAQH/BAQDAgGGMAoGCCqGSM49BAMDA2kAMGYC
MQCjfy+Rocm9Xue4YnwWmNJVA44fA0P5W2OpYow9OYCVRaEevL8uO1XYru5xtMPW
rfMCMQCi85sWBbJwKKXdS6BptQFuZbT73o/gBh1qUxl/nNr12UO8Yfwr6wPLb+6N
IwLz3/Y=
-----END CERTIFICATE-----`;

/** sha256 of the DER of AWS_NITRO_ROOT_PEM. */
export const AWS_NITRO_ROOT_SHA256 = "0x641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b";

function loadRoot(): Uint8Array {
  const ders = pemToDerList(AWS_NITRO_ROOT_PEM);
  const der = ders[0];
  if (ders.length !== 1 || der === undefined) throw new Error("AWS_NITRO_ROOT_PEM must hold exactly one certificate");
  const fingerprint = sha256(der);
  if (fingerprint !== AWS_NITRO_ROOT_SHA256) {
    throw new Error(`AWS Nitro root certificate fingerprint is ${fingerprint}, expected ${AWS_NITRO_ROOT_SHA256}`);
  }
  return der;
}

/** DER of the pinned AWS Nitro Enclaves root certificate. */
export const AWS_NITRO_ROOT_DER: Uint8Array = loadRoot();
