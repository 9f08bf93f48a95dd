// Published DNSSEC signing examples, as data: RFC 5702 §6 (RSA/SHA-256, RSA/SHA-512), RFC 6605 §6
// (ECDSA P-256, P-384) and RFC 8080 §6 (Ed25519, Ed448) with verified erratum 4935.
//
// Each example is a key, one RRset of one record and one RRSIG. The signed data (RFC 4034
// §3.1.8.1) is built from these fields by test/crypto/signed-data.ts.
//
// RFC 8080 erratum 4935: the RRSIGs printed in the RFC were made by a script that counted the
// root as a label (labels = 3 for example.com.) and left out the algorithm field. Those signatures
// are valid only over signed data with labels = 3; the erratum gives signatures over the correct
// data (labels = 2). Both are here: `signature` is the erratum's, `publishedSignature` the RFC's.

export interface RrsigFields {
  readonly typeCovered: number;
  readonly algorithm: number;
  readonly labels: number;
  readonly originalTtl: number;
  readonly expiration: number;
  readonly inception: number;
  readonly keyTag: number;
  readonly signer: string;
}

export interface RfcExample {
  readonly name: string;
  readonly algorithm: number;
  /** The private key file as the RFC prints it (v1.2, continuation lines as printed). */
  readonly privateKeyFile: string;
  /** DNSKEY flags and public key field (base64). */
  readonly dnskeyFlags: number;
  readonly publicKey: string;
  /** The signed RRset: owner, type, class IN, TTL, rdata (hex). */
  readonly owner: string;
  readonly type: number;
  readonly ttl: number;
  readonly rdataHex: string;
  readonly rrsig: RrsigFields;
  /** Signature (base64) valid over the signed data built from `rrsig`. */
  readonly signature: string;
  /** True when the scheme is deterministic, so signing again must give the same bytes. */
  readonly deterministic: boolean;
  /** RFC 8080 only: the signature as printed in the RFC, valid with labels = 3. */
  readonly publishedSignature?: string;
}

const A = 1;
const MX = 15;

// RFC 4034 §3.1.5 times: 20300101000000 and 20000101000000, etc.
const T2030 = 1893456000;
const T2000 = 946684800;

// MX 10 mail.example.com. in wire form (uncompressed, lower case: RFC 4034 §6.2).
const MX_RDATA = '000a' + '046d61696c' + '076578616d706c65' + '03636f6d' + '00';

export const RFC_EXAMPLES: readonly RfcExample[] = [
  {
    name: 'RFC 5702 §6.1 RSA/SHA-256',
    algorithm: 8,
    privateKeyFile: `Private-key-format: v1.2
Algorithm:       8 (RSASHA256)
Modulus:         wVwaxrHF2CK64aYKRUibLiH30KpPuPBjel7E8ZydQW1HYWHfoGm
                 idzC2RnhwCC293hCzw+TFR2nqn8OVSY5t2Q==
PublicExponent:  AQAB
PrivateExponent: UR44xX6zB3eaeyvTRzmskHADrPCmPWnr8dxsNwiDGHzrMKLN+i/
                 HAam+97HxIKVWNDH2ba9Mf1SA8xu9dcHZAQ==
Prime1:          4c8IvFu1AVXGWeFLLFh5vs7fbdzdC6U82fduE6KkSWk=
Prime2:          2zZpBE8ZXVnL74QjG4zINlDfH+EOEtjJJ3RtaYDugvE=
Exponent1:       G2xAPFfK0KGxGANDVNxd1K1c9wOmmJ51mGbzKFFNMFk=
Exponent2:       GYxP1Pa7CAwtHm8SAGX594qZVofOMhgd6YFCNyeVpKE=
Coefficient:     icQdNRjlZGPmuJm2TIadubcO8X7V4y07aVhX464tx8Q=
`,
    dnskeyFlags: 256,
    publicKey: 'AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=',
    owner: 'www.example.net.',
    type: A,
    ttl: 3600,
    rdataHex: 'c000025b',
    rrsig: { typeCovered: A, algorithm: 8, labels: 3, originalTtl: 3600, expiration: T2030, inception: T2000, keyTag: 9033, signer: 'example.net.' },
    signature: 'kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg==',
    deterministic: true,
  },
  {
    name: 'RFC 5702 §6.2 RSA/SHA-512',
    algorithm: 10,
    privateKeyFile: `Private-key-format: v1.2
Algorithm:       10 (RSASHA512)
Modulus:         0eg1M5b563zoq4k5ZEOnWmd2/BvpjzedJVdfIsDcMuuhE5SQ3pf
                 Q7qmdaeMlC6Nf8DKGoUPGPXe06cP27/WRODtxXquSUytkO0kJDk
                 8KX8PtA0+yBWwy7UnZDyCkynO00Uuk8HPVtZeMO1pHtlAGVnc8V
                 jXZlNKdyit99waaE4s=
PublicExponent:  AQAB
PrivateExponent: rFS1IPbJllFFgFc33B5DDlC1egO8e81P4fFadODbp56V7sphKa6
                 AZQCx8NYAew6VXFFPAKTw41QdHnK5kIYOwxvfFDjDcUGza88qbj
                 yrDPSJenkeZbISMUSSqy7AMFzEolkk6WSn6k3thUVRgSlqDoOV3
                 SEIAsrB043XzGrKIVE=
Prime1:          8mbtsu9Tl9v7tKSHdCIeprLIQXQLzxlSZun5T1n/OjvXSUtvD7x
                 nZJ+LHqaBj1dIgMbCq2U8O04QVcK3TS9GiQ==
Prime2:          3a6gkfs74d0Jb7yL4j4adAif4fcp7ZrGt7G5NRVDDY/Mv4TERAK
                 Ma0TKN3okKE0A7X+Rv2K84mhT4QLDlllEcw==
Exponent1:       v3D5A9uuCn5rgVR7wgV8ba0/KSpsdSiLgsoA42GxiB1gvvs7gJM
                 MmVTDu/ZG1p1ZnpLbhh/S/Qd/MSwyNlxC+Q==
Exponent2:       m+ezf9dsDvYQK+gzjOLWYeKq5xWYBEYFGa3BLocMiF4oxkzOZ3J
                 PZSWU/h1Fjp5RV7aPP0Vmx+hNjYMPIQ8Y5w==
Coefficient:     Je5YhYpUron/WdOXjxNAxDubAp3i5X7UOUfhJcyIggqwY86IE0Q
                 /Bk0Dw4SC9zxnsimmdBXW2Izd8Lwuk8FQcQ==
`,
    dnskeyFlags: 256,
    publicKey:
      'AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFDxj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL',
    owner: 'www.example.net.',
    type: A,
    ttl: 3600,
    rdataHex: 'c000025b',
    rrsig: { typeCovered: A, algorithm: 10, labels: 3, originalTtl: 3600, expiration: T2030, inception: T2000, keyTag: 3740, signer: 'example.net.' },
    signature:
      'tsb4wnjRUDnB1BUi+t6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDtsuJRaeUw1ep94PzEWzr0iGYgZBWm/zpq+9fOuagYJRfDqfReKBzMweOLDiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk0fthPgxdDLw=',
    deterministic: true,
  },
  {
    name: 'RFC 6605 §6.1 ECDSA P-256/SHA-256',
    algorithm: 13,
    privateKeyFile: `Private-key-format: v1.2
Algorithm: 13 (ECDSAP256SHA256)
PrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=
`,
    dnskeyFlags: 257,
    publicKey: 'GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==',
    owner: 'www.example.net.',
    type: A,
    ttl: 3600,
    rdataHex: 'c0000201',
    // 20100909100439 and 20100812100439
    rrsig: { typeCovered: A, algorithm: 13, labels: 3, originalTtl: 3600, expiration: 1284026679, inception: 1281607479, keyTag: 55648, signer: 'example.net.' },
    signature: 'qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==',
    deterministic: false,
  },
  {
    name: 'RFC 6605 §6.2 ECDSA P-384/SHA-384',
    algorithm: 14,
    privateKeyFile: `Private-key-format: v1.2
Algorithm: 14 (ECDSAP384SHA384)
PrivateKey: WURgWHCcYIYUPWgeLmiPY2DJJk02vgrmTfitxgqcL4vwW7BOrbawVmVe0d9V94SR
`,
    dnskeyFlags: 257,
    publicKey: 'xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40',
    owner: 'www.example.net.',
    type: A,
    ttl: 3600,
    rdataHex: 'c0000201',
    // 20100909102025 and 20100812102025
    rrsig: { typeCovered: A, algorithm: 14, labels: 3, originalTtl: 3600, expiration: 1284027625, inception: 1281608425, keyTag: 10771, signer: 'example.net.' },
    signature: '/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuzWTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm',
    deterministic: false,
  },
  {
    name: 'RFC 8080 §6.1 Ed25519 (first key)',
    algorithm: 15,
    privateKeyFile: `Private-key-format: v1.2
Algorithm: 15 (ED25519)
PrivateKey: ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=
`,
    dnskeyFlags: 257,
    publicKey: 'l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=',
    owner: 'example.com.',
    type: MX,
    ttl: 3600,
    rdataHex: MX_RDATA,
    rrsig: { typeCovered: MX, algorithm: 15, labels: 2, originalTtl: 3600, expiration: 1440021600, inception: 1438207200, keyTag: 3613, signer: 'example.com.' },
    signature: 'oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==',
    publishedSignature: 'Edk+IB9KNNWg0HAjm7FazXyrd5m3Rk8zNZbvNpAcM+eysqcUOMIjWoevFkjH5GaMWeG96GUVZu6ECKOQmemHDg==',
    deterministic: true,
  },
  {
    name: 'RFC 8080 §6.1 Ed25519 (second key)',
    algorithm: 15,
    privateKeyFile: `Private-key-format: v1.2
Algorithm: 15 (ED25519)
PrivateKey: DSSF3o0s0f+ElWzj9E/Osxw8hLpk55chkmx0LYN5WiY=
`,
    dnskeyFlags: 257,
    publicKey: 'zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=',
    owner: 'example.com.',
    type: MX,
    ttl: 3600,
    rdataHex: MX_RDATA,
    rrsig: { typeCovered: MX, algorithm: 15, labels: 2, originalTtl: 3600, expiration: 1440021600, inception: 1438207200, keyTag: 35217, signer: 'example.com.' },
    signature: 'zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg==',
    publishedSignature: '5LL2obmzdqjWI+Xto5eP5adXt/T5tMhasWvwcyW4L3SzfcRawOle9bodhC+oip9ayUGjY9T/rL4rN3bOuESGDA==',
    deterministic: true,
  },
  {
    name: 'RFC 8080 §6.2 Ed448 (first key)',
    algorithm: 16,
    privateKeyFile: `Private-key-format: v1.2
Algorithm: 16 (ED448)
PrivateKey: xZ+5Cgm463xugtkY5B0Jx6erFTXp13rYegst0qRtNsOYnaVpMx0Z/c5EiA9x
            8wWbDDct/U3FhYWA
`,
    dnskeyFlags: 257,
    publicKey: '3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA',
    owner: 'example.com.',
    type: MX,
    ttl: 3600,
    rdataHex: MX_RDATA,
    rrsig: { typeCovered: MX, algorithm: 16, labels: 2, originalTtl: 3600, expiration: 1440021600, inception: 1438207200, keyTag: 9713, signer: 'example.com.' },
    signature:
      '3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0amxWndkmnBZ6SKiwZSAxGILn/NBtOXft0+Gj7FSvOKxE/07+4RQvE581N3Aj/JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA',
    publishedSignature:
      'Nmc0rgGKpr3GKYXcB1JmqqS4NYwhmechvJTqVzt3jR+Qy/lSLFoIk1L+9e39GPL+5tVzDPN3f9kAwiu8KCuPPjtl227ayaCZtRKZuJax7n9NuYlZJIusX0SOIOKBGzG+yWYtz1/jjbzl5GGkWvREUCUA',
    deterministic: true,
  },
  {
    name: 'RFC 8080 §6.2 Ed448 (second key)',
    algorithm: 16,
    privateKeyFile: `Private-key-format: v1.2
Algorithm: 16 (ED448)
PrivateKey: WEykD3ht3MHkU8iH4uVOLz8JLwtRBSqiBoM6fF72+Mrp/u5gjxuB1DV6NnPO
            2BlZdz4hdSTkOdOA
`,
    dnskeyFlags: 257,
    publicKey: 'kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3tDjeMCJcVMRDmgcNLp5HlHAMy12VoISsA',
    owner: 'example.com.',
    type: MX,
    ttl: 3600,
    rdataHex: MX_RDATA,
    rrsig: { typeCovered: MX, algorithm: 16, labels: 2, originalTtl: 3600, expiration: 1440021600, inception: 1438207200, keyTag: 38353, signer: 'example.com.' },
    signature:
      'E1/oLjSGIbmLny/4fcgM1z4oL6aqo+izT3urCyHyvEp4Sp8Syg1eI+lJ57CSnZqjJP41O/9l4m0AsQ4f7qI1gVnML8vWWiyW2KXhT9kuAICUSxv5OWbf81Rq7Yu60npabODB0QFPb/rkW3kUZmQ0YQUA',
    publishedSignature:
      '+JjANio/LIzp7osmMYE5XD3H/YES8kXs5Vb9H8MjPS8OAGZMD37+LsCIcjg5ivt0d4Om/UaqETEAsJjaYe56CEQP5lhRWuD2ivBqE0zfwJTyp4WqvpULbpvaukswvv/WNEFxzEYQEIm9+xDlXj4pMAMA',
    deterministic: true,
  },
];

/** RFC 6979 §A.2.5 and §A.2.6: deterministic ECDSA over the message "sample". */
export const RFC6979_EXAMPLES = [
  {
    name: 'RFC 6979 §A.2.5 P-256/SHA-256 "sample"',
    algorithm: 13,
    privateKeyHex: 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721',
    publicKeyHex:
      '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6' +
      '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299',
    message: 'sample',
    signatureHex:
      'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716' +
      'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
  },
  {
    name: 'RFC 6979 §A.2.6 P-384/SHA-384 "sample"',
    algorithm: 14,
    privateKeyHex:
      '6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5',
    publicKeyHex:
      'ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64def8f0ea9055866064a254515480bc13' +
      '8015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1288b231c3ae0d4fe7344fd2533264720',
    message: 'sample',
    signatureHex:
      '94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46' +
      '99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8',
  },
] as const;
