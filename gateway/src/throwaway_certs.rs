//! Throwaway certificates for certificate mode: a root CA (RSA, beside an ECDSA root that the
//! root SN skips, as in Alipay's real bundle), an intermediate CA, the app certificate and the
//! Alipay certificate (leaf and intermediate in one file, as Alipay ships it). Made with
//! `rcgen`; keys are RSA-2048 from aws-lc-rs.
//!
//! [`ThrowawayCerts::issue_alipay_cert`] issues a new Alipay certificate from the same CA (a
//! rotation the client must accept); [`ThrowawayCerts::forge_alipay_cert`] makes one from a CA
//! that only copies the real CA's name (a rotation the client must refuse).

use std::fmt;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256, RsaKeySize, SerialNumber,
};

use crate::throwaway::{KeyGenError, PemKeyPair, write_file};

const ROOT_CN: &str = "Local Gateway Test Root CA R1";
const INTERMEDIATE_CN: &str = "Local Gateway Test Certification Authority Class 2 R1";

/// One certificate with its private key. `Debug` never shows the key.
#[derive(Clone)]
pub struct IssuedCert {
    /// The certificate file: PEM, the leaf first, then the intermediate CA.
    pub cert_pem: String,
    /// The leaf's key pair.
    pub key: PemKeyPair,
}

impl fmt::Debug for IssuedCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCert")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// A throwaway certificate-mode PKI. `Debug` never shows private keys.
pub struct ThrowawayCerts {
    /// The root bundle (`alipayRootCert.crt`): the RSA root, then an ECDSA root.
    pub root_bundle_pem: String,
    /// The app certificate (`appCertPublicKey_<app_id>.crt`) and the app key pair.
    pub app: IssuedCert,
    /// The Alipay certificate (`alipayCertPublicKey_RSA2.crt`) and the key the gateway signs
    /// answers with.
    pub alipay: IssuedCert,
    intermediate_params: CertificateParams,
    intermediate_key: KeyPair,
    intermediate_pem: String,
}

impl fmt::Debug for ThrowawayCerts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThrowawayCerts")
            .field("app", &self.app)
            .field("alipay", &self.alipay)
            .finish_non_exhaustive()
    }
}

/// Where [`ThrowawayCerts::write_to`] put the files.
#[derive(Debug, Clone)]
pub struct WrittenCerts {
    /// `alipay_root_cert.crt`: the client's `alipay_root_cert`.
    pub alipay_root_cert: PathBuf,
    /// `app_cert.crt`: the client's `app_cert`.
    pub app_cert: PathBuf,
    /// `app_private.pem`: the client's `private_key`.
    pub app_private: PathBuf,
    /// `alipay_cert.crt`: the client's `alipay_cert`.
    pub alipay_cert: PathBuf,
    /// `alipay_private.pem`: the gateway's signing key.
    pub alipay_private: PathBuf,
    /// The app private key's other forms (PKCS#1 PEM, bare base64), as in key mode.
    pub app_private_forms: crate::throwaway::AppKeyFiles,
}

fn rsa_key() -> Result<KeyPair, KeyGenError> {
    KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048)
        .map_err(|_| KeyGenError::Generate)
}

fn pem_pair(key: &KeyPair) -> PemKeyPair {
    PemKeyPair {
        private_pem: key.serialize_pem(),
        public_pem: key.public_key_pem(),
    }
}

fn name(org: &str, unit: &str, cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "CN");
    dn.push(DnType::OrganizationName, org);
    dn.push(DnType::OrganizationalUnitName, unit);
    dn.push(DnType::CommonName, cn);
    dn
}

/// A positive random serial (16 bytes, top bit clear), so every certificate has its own SN.
fn serial() -> Result<SerialNumber, KeyGenError> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| KeyGenError::Generate)?;
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    Ok(SerialNumber::from_slice(&bytes))
}

fn ca_params(cn: &str) -> Result<CertificateParams, KeyGenError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = name("Local Gateway Test", "Certification Authority", cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.serial_number = Some(serial()?);
    Ok(params)
}

fn leaf_params(unit: &str, cn: &str) -> Result<CertificateParams, KeyGenError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = name("Local Gateway Test", unit, cn);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.serial_number = Some(serial()?);
    Ok(params)
}

fn sign_err(_: rcgen::Error) -> KeyGenError {
    KeyGenError::Export
}

impl ThrowawayCerts {
    /// Generates the whole PKI (five RSA-2048 keys: up to a few seconds in a debug build).
    pub fn generate() -> Result<Self, KeyGenError> {
        let root_key = rsa_key()?;
        let root_params = ca_params(ROOT_CN)?;
        let root = root_params.self_signed(&root_key).map_err(sign_err)?;
        let root_issuer = Issuer::new(root_params, root_key);

        // An ECDSA root in the bundle, as Alipay's real one has: no SN, never an issuer here.
        let ec_key =
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(|_| KeyGenError::Generate)?;
        let ec_root = ca_params("Local Gateway Test Root CA E1")?
            .self_signed(&ec_key)
            .map_err(sign_err)?;

        let intermediate_key = rsa_key()?;
        let intermediate_params = ca_params(INTERMEDIATE_CN)?;
        let intermediate = intermediate_params
            .signed_by(&intermediate_key, &root_issuer)
            .map_err(sign_err)?;
        let intermediate_pem = intermediate.pem();

        let mut certs = ThrowawayCerts {
            root_bundle_pem: format!("{}{}", root.pem(), ec_root.pem()),
            app: IssuedCert {
                cert_pem: String::new(),
                key: PemKeyPair {
                    private_pem: String::new(),
                    public_pem: String::new(),
                },
            },
            alipay: IssuedCert {
                cert_pem: String::new(),
                key: PemKeyPair {
                    private_pem: String::new(),
                    public_pem: String::new(),
                },
            },
            intermediate_params,
            intermediate_key,
            intermediate_pem,
        };
        certs.app = certs.issue("App", crate::TEST_APP_ID)?;
        certs.alipay = certs.issue_alipay_cert()?;
        Ok(certs)
    }

    fn issue(&self, unit: &str, cn: &str) -> Result<IssuedCert, KeyGenError> {
        let key = rsa_key()?;
        let issuer = Issuer::from_params(&self.intermediate_params, &self.intermediate_key);
        let leaf = leaf_params(unit, cn)?
            .signed_by(&key, &issuer)
            .map_err(sign_err)?;
        Ok(IssuedCert {
            cert_pem: format!("{}{}", leaf.pem(), self.intermediate_pem),
            key: pem_pair(&key),
        })
    }

    /// A new Alipay certificate from the same CA, with a new key: what Alipay rotates to.
    pub fn issue_alipay_cert(&self) -> Result<IssuedCert, KeyGenError> {
        self.issue("Alipay", "Local Gateway Test Alipay Public Key Cert")
    }

    /// An Alipay certificate from a CA that copies the real intermediate's name but is not
    /// signed by the root: a rotation that must be refused.
    pub fn forge_alipay_cert() -> Result<IssuedCert, KeyGenError> {
        let forger_key = rsa_key()?;
        let forger_params = ca_params(INTERMEDIATE_CN)?;
        let forger_pem = forger_params
            .self_signed(&forger_key)
            .map_err(sign_err)?
            .pem();
        let issuer = Issuer::new(forger_params, forger_key);
        let key = rsa_key()?;
        let leaf = leaf_params("Alipay", "Local Gateway Test Alipay Public Key Cert")?
            .signed_by(&key, &issuer)
            .map_err(sign_err)?;
        Ok(IssuedCert {
            cert_pem: format!("{}{forger_pem}", leaf.pem()),
            key: pem_pair(&key),
        })
    }

    /// Writes the client's and the gateway's files into `dir` (created if needed); private
    /// keys readable by the owner only on Unix.
    pub fn write_to(&self, dir: &Path) -> Result<WrittenCerts, KeyGenError> {
        std::fs::create_dir_all(dir).map_err(|e| KeyGenError::write(dir, e))?;
        let app_private_forms = crate::throwaway::AppKeyFiles::write(dir, &self.app.key.forms()?)?;
        let written = WrittenCerts {
            alipay_root_cert: dir.join("alipay_root_cert.crt"),
            app_cert: dir.join("app_cert.crt"),
            app_private: dir.join("app_private.pem"),
            alipay_cert: dir.join("alipay_cert.crt"),
            alipay_private: dir.join("alipay_private.pem"),
            app_private_forms,
        };
        write_file(&written.alipay_root_cert, &self.root_bundle_pem, false)?;
        write_file(&written.app_cert, &self.app.cert_pem, false)?;
        write_file(&written.app_private, &self.app.key.private_pem, true)?;
        write_file(&written.alipay_cert, &self.alipay.cert_pem, false)?;
        write_file(&written.alipay_private, &self.alipay.key.private_pem, true)?;
        Ok(written)
    }
}
