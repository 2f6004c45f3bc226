//! Key containers: PEM armour, bare one-line base64, and the DER structures inside (PKCS#1,
//! PKCS#8, SPKI). This layer tells the common configuration mistakes apart before the backend
//! sees the key; it never copies key material into an error.

use pkcs1::der::Decode as _;
use pkcs8::PrivateKeyInfo;
use pkcs8::spki::SubjectPublicKeyInfoRef;
use zeroize::Zeroizing;

use super::KeyError;

/// `rsaEncryption` (1.2.840.113549.1.1.1).
const RSA_ENCRYPTION: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// The text a user configured, decoded to DER.
pub(super) struct Decoded {
    /// The PEM label, or `None` for bare base64.
    pub(super) label: Option<String>,
    /// The DER bytes, wiped on drop.
    pub(super) der: Zeroizing<Vec<u8>>,
}

/// What the DER turned out to hold.
pub(super) enum Kind {
    /// A private key; the PKCS#1 `RSAPrivateKey` DER (unwrapped from PKCS#8 if needed).
    Private(Zeroizing<Vec<u8>>),
    /// A public key: big-endian modulus and exponent without leading zeros.
    Public {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
}

/// Decodes `text`, which must be PEM (the `from_pem` loaders).
pub(super) fn decode_pem(text: &str) -> Result<Decoded, KeyError> {
    let decoded = decode_text(text)?;
    if decoded.label.is_none() {
        return Err(KeyError::FormMismatch {
            expected: "PEM",
            found: "bare base64",
        });
    }
    Ok(decoded)
}

/// Decodes `text`, which must be bare base64 (the `from_base64` loaders).
pub(super) fn decode_bare_base64(text: &str) -> Result<Decoded, KeyError> {
    let decoded = decode_text(text)?;
    if decoded.label.is_some() {
        return Err(KeyError::FormMismatch {
            expected: "bare base64",
            found: "PEM",
        });
    }
    Ok(decoded)
}

/// Decodes PEM (any label) or bare base64 (whitespace ignored).
pub(super) fn decode_text(text: &str) -> Result<Decoded, KeyError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(KeyError::Empty);
    }
    if let Some(begin) = text.find("-----BEGIN ") {
        let after = &text[begin + "-----BEGIN ".len()..];
        let label_end = after.find("-----").ok_or(KeyError::BadPem {
            reason: "the BEGIN line is not closed by -----",
        })?;
        let label = after[..label_end].trim().to_owned();
        let rest = &after[label_end + "-----".len()..];
        let end_marker = format!("-----END {label}-----");
        let body_end = rest.find(&end_marker).ok_or(KeyError::BadPem {
            reason: "no matching END line",
        })?;
        let body = &rest[..body_end];
        if body.contains(':') {
            // RFC 1421 headers, as `openssl rsa -des3` writes them.
            if body.contains("ENCRYPTED") {
                return Err(KeyError::Encrypted);
            }
            return Err(KeyError::BadPem {
                reason: "unexpected header lines inside the PEM body",
            });
        }
        let der = decode_base64(body).ok_or(KeyError::BadPem {
            reason: "the body between BEGIN and END is not valid base64",
        })?;
        return Ok(Decoded {
            label: Some(label),
            der,
        });
    }
    if text.starts_with("-----") {
        return Err(KeyError::BadPem {
            reason: "no -----BEGIN line",
        });
    }
    let der = decode_base64(text).ok_or(KeyError::BadBase64)?;
    Ok(Decoded { label: None, der })
}

fn decode_base64(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    use base64ct::Encoding as _;
    let compact: Zeroizing<String> =
        Zeroizing::new(text.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    if compact.is_empty() {
        return None;
    }
    base64ct::Base64::decode_vec(&compact)
        .ok()
        .map(Zeroizing::new)
}

/// Reads the DER as a key of any supported kind, guided by the PEM label when there is one.
pub(super) fn classify(decoded: &Decoded) -> Result<Kind, KeyError> {
    let der: &[u8] = &decoded.der;
    match decoded.label.as_deref() {
        Some("RSA PRIVATE KEY") => pkcs1_private(der).ok_or(KeyError::BadDer {
            expected: "PKCS#1 RSAPrivateKey",
        }),
        Some("PRIVATE KEY") => match PrivateKeyInfo::from_der(der) {
            Ok(info) => pkcs8_private(&info),
            Err(_) => Err(KeyError::BadDer {
                expected: "PKCS#8 PrivateKeyInfo",
            }),
        },
        Some("PUBLIC KEY") => match SubjectPublicKeyInfoRef::from_der(der) {
            Ok(spki) => spki_public(&spki),
            Err(_) => Err(KeyError::BadDer {
                expected: "SubjectPublicKeyInfo",
            }),
        },
        Some("RSA PUBLIC KEY") => pkcs1_public(der).ok_or(KeyError::BadDer {
            expected: "PKCS#1 RSAPublicKey",
        }),
        Some("ENCRYPTED PRIVATE KEY") => Err(KeyError::Encrypted),
        Some("CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE") => {
            Err(KeyError::Certificate)
        }
        Some(label @ ("EC PRIVATE KEY" | "DSA PRIVATE KEY" | "OPENSSH PRIVATE KEY")) => {
            Err(KeyError::NotRsa {
                algorithm: label.trim_end_matches(" PRIVATE KEY").to_owned(),
            })
        }
        Some(other) => Err(KeyError::UnexpectedPemLabel {
            label: other.chars().take(40).collect(),
        }),
        None => {
            if let Ok(info) = PrivateKeyInfo::from_der(der) {
                return pkcs8_private(&info);
            }
            if let Some(kind) = pkcs1_private(der) {
                return Ok(kind);
            }
            if let Ok(spki) = SubjectPublicKeyInfoRef::from_der(der) {
                return spki_public(&spki);
            }
            if let Some(kind) = pkcs1_public(der) {
                return Ok(kind);
            }
            Err(KeyError::BadDer {
                expected: "PKCS#8, PKCS#1 or SubjectPublicKeyInfo",
            })
        }
    }
}

fn pkcs1_private(der: &[u8]) -> Option<Kind> {
    pkcs1::RsaPrivateKey::from_der(der).ok()?;
    Some(Kind::Private(Zeroizing::new(der.to_vec())))
}

fn pkcs8_private(info: &PrivateKeyInfo<'_>) -> Result<Kind, KeyError> {
    if info.algorithm.oid != RSA_ENCRYPTION {
        return Err(KeyError::NotRsa {
            algorithm: algorithm_name(&info.algorithm.oid),
        });
    }
    pkcs1_private(info.private_key).ok_or(KeyError::BadDer {
        expected: "PKCS#1 RSAPrivateKey inside the PKCS#8 container",
    })
}

fn spki_public(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<Kind, KeyError> {
    if spki.algorithm.oid != RSA_ENCRYPTION {
        return Err(KeyError::NotRsa {
            algorithm: algorithm_name(&spki.algorithm.oid),
        });
    }
    let bits = spki.subject_public_key.as_bytes().ok_or(KeyError::BadDer {
        expected: "SubjectPublicKeyInfo with a whole-byte key",
    })?;
    pkcs1_public(bits).ok_or(KeyError::BadDer {
        expected: "PKCS#1 RSAPublicKey inside the SubjectPublicKeyInfo",
    })
}

fn pkcs1_public(der: &[u8]) -> Option<Kind> {
    let key = pkcs1::RsaPublicKey::from_der(der).ok()?;
    Some(Kind::Public {
        n: key.modulus.as_bytes().to_vec(),
        e: key.public_exponent.as_bytes().to_vec(),
    })
}

/// Modulus and exponent of a PKCS#1 private key (both public values).
pub(super) fn private_components(pkcs1_der: &[u8]) -> Result<(Vec<u8>, Vec<u8>), KeyError> {
    let key = pkcs1::RsaPrivateKey::from_der(pkcs1_der).map_err(|_| KeyError::BadDer {
        expected: "PKCS#1 RSAPrivateKey",
    })?;
    Ok((
        key.modulus.as_bytes().to_vec(),
        key.public_exponent.as_bytes().to_vec(),
    ))
}

fn algorithm_name(oid: &pkcs8::ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.10045.2.1" => "EC".to_owned(),
        "1.3.101.112" => "Ed25519".to_owned(),
        "1.3.101.113" => "Ed448".to_owned(),
        "1.2.840.10040.4.1" => "DSA".to_owned(),
        "1.2.840.113549.1.1.10" => "RSASSA-PSS (PKCS#1 v1.5 keys are required)".to_owned(),
        "1.2.156.10197.1.301" => "SM2".to_owned(),
        other => format!("OID {other}"),
    }
}

/// Bit length of a big-endian unsigned integer.
pub(super) fn bit_len(be: &[u8]) -> usize {
    let be = strip_zeros(be);
    match be.first() {
        None => 0,
        Some(&first) => (be.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
    }
}

/// The integer without leading zero bytes.
pub(super) fn strip_zeros(be: &[u8]) -> &[u8] {
    let start = be.iter().position(|&b| b != 0).unwrap_or(be.len());
    &be[start..]
}
