//! Trusting an Alipay certificate: from the leaf, each certificate must be signed by the next
//! one up (an intermediate from the same file, or a root of the bundle), every issuer below the
//! root must be a CA, and every certificate on the path must be within its validity period.

use std::time::SystemTime;

use x509_cert::ext::pkix::BasicConstraints;

use super::{Cert, CertError};

/// Longer chains than this are refused: Alipay's have one intermediate.
const MAX_DEPTH: usize = 8;

pub(super) fn verify(chain: &[Cert], roots: &[Cert], now: SystemTime) -> Result<(), CertError> {
    let Some(leaf) = chain.first() else {
        return Err(CertError::NoCertificate);
    };
    check_validity(leaf, now)?;
    let mut current = leaf;
    for _ in 0..MAX_DEPTH {
        if let Some(root) = roots.iter().find(|root| signed_by(current, root)) {
            return check_validity(root, now);
        }
        let intermediate = chain
            .iter()
            .filter(|c| !std::ptr::eq(*c, current))
            .find(|c| signed_by(current, c));
        match intermediate {
            Some(issuer) => {
                if !is_ca(issuer) {
                    return Err(CertError::Untrusted {
                        subject: current.subject(),
                        reason: format!(
                            "its issuer {:?} is not a CA certificate",
                            issuer.subject()
                        ),
                    });
                }
                check_validity(issuer, now)?;
                current = issuer;
            }
            None => {
                return Err(CertError::Untrusted {
                    subject: current.subject(),
                    reason: format!(
                        "no root of the bundle (and no CA in the file) signed it; its issuer is {:?}",
                        current.x509.tbs_certificate.issuer.to_string()
                    ),
                });
            }
        }
    }
    Err(CertError::Untrusted {
        subject: leaf.subject(),
        reason: format!("the chain is longer than {MAX_DEPTH} certificates"),
    })
}

/// Whether `issuer` is named as `cert`'s issuer and its key verifies `cert`'s signature.
fn signed_by(cert: &Cert, issuer: &Cert) -> bool {
    if cert.x509.tbs_certificate.issuer != issuer.x509.tbs_certificate.subject {
        return false;
    }
    let Some(sign_type) = cert.rsa_signature() else {
        return false;
    };
    // An ECDSA or SM2 issuer has no RSA key: it cannot have made an RSA signature.
    let Ok(key) = issuer.public_key() else {
        return false;
    };
    let Some(signature) = cert.x509.signature.as_bytes() else {
        return false;
    };
    key.verify_raw(sign_type, &cert.tbs_der, signature).is_ok()
}

fn is_ca(cert: &Cert) -> bool {
    matches!(
        cert.x509.tbs_certificate.get::<BasicConstraints>(),
        Ok(Some((_, BasicConstraints { ca: true, .. })))
    )
}

fn check_validity(cert: &Cert, now: SystemTime) -> Result<(), CertError> {
    let validity = &cert.x509.tbs_certificate.validity;
    if now < validity.not_before.to_system_time() {
        return Err(CertError::NotYetValid {
            subject: cert.subject(),
            not_before: validity.not_before.to_date_time().to_string(),
        });
    }
    if now > validity.not_after.to_system_time() {
        return Err(CertError::Expired {
            subject: cert.subject(),
            not_after: validity.not_after.to_date_time().to_string(),
        });
    }
    Ok(())
}
