//! Personal ID numbers at rest: AES-256-GCM for the value, a keyed HMAC-SHA256 blind index for exact
//! lookup. Both keys derive from one master secret so an operator manages a single key.
//! Also: random tokens (sessions, CSRF, API) and the hash used to chain the audit log.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::personal_id::PersonalId;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the secret key must be 64 hexadecimal characters (32 bytes)")]
    BadKey,
    #[error("a stored personal ID number could not be decrypted: wrong key or damaged data")]
    Decrypt,
}

/// The master secret. `Debug` never shows it.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    pub fn from_hex(s: &str) -> Result<MasterKey, CryptoError> {
        let bytes = hex::decode(s.trim()).map_err(|_| CryptoError::BadKey)?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        Ok(MasterKey(arr))
    }

    pub fn generate() -> MasterKey {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        MasterKey(k)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The seed of the Ed25519 key that signs certificates' credentials: derived, so the same
    /// secret gives the same published key after a restart or on another server.
    pub fn credential_seed(&self) -> [u8; 32] {
        self.derive(b"hocvuso/credential-issuer/ed25519/v1")
    }

    fn derive(&self, purpose: &[u8]) -> [u8; 32] {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(purpose);
        mac.finalize().into_bytes().into()
    }
}

/// The key of the audit log's hash chain and of its checkpoints. Derived from the master secret,
/// which never enters the database: someone who can write the database but does not hold the
/// secret cannot recompute the chain after changing or deleting an entry.
#[derive(Clone)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(<redacted>)")
    }
}

impl AuditKey {
    pub fn new(master: &MasterKey) -> AuditKey {
        AuditKey(master.derive(b"hocvuso/audit-chain/hmac-sha256/v1"))
    }

    /// HMAC-SHA256 over length-prefixed parts (so no two different lists of parts collide), hex.
    pub fn mac_hex(&self, parts: &[&[u8]]) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p);
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// Constant-time check of a MAC made by [`AuditKey::mac_hex`].
    pub fn verify_hex(&self, parts: &[&[u8]], mac: &str) -> bool {
        same_secret(&self.mac_hex(parts), mac)
    }
}

/// Encrypts, decrypts and indexes personal ID numbers.
#[derive(Clone)]
pub struct PidVault {
    cipher: Aes256Gcm,
    index_key: [u8; 32],
}

impl std::fmt::Debug for PidVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PidVault(<redacted>)")
    }
}

impl PidVault {
    pub fn new(master: &MasterKey) -> PidVault {
        let enc = master.derive(b"hocvuso/personal-id/aes-256-gcm/v1");
        PidVault {
            cipher: Aes256Gcm::new_from_slice(&enc).expect("32-byte key"),
            index_key: master.derive(b"hocvuso/personal-id/blind-index/v1"),
        }
    }

    /// nonce (12 bytes) ‖ ciphertext with tag.
    pub fn encrypt(&self, id: &PersonalId) -> Vec<u8> {
        self.seal(id.as_str().as_bytes())
    }

    pub fn decrypt(&self, blob: &[u8]) -> Result<String, CryptoError> {
        String::from_utf8(self.open(blob)?).map_err(|_| CryptoError::Decrypt)
    }

    /// Encrypts arbitrary personal data for short-term storage (staged import rows).
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        // ChaCha-based thread RNG, seeded from the OS: no system call per nonce.
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext)
            .expect("AES-GCM encryption cannot fail");
        let mut out = nonce.to_vec();
        out.extend(ct);
        out
    }

    pub fn open(&self, blob: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if blob.len() < 12 + 16 {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, ct) = blob.split_at(12);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| CryptoError::Decrypt)
    }

    /// Deterministic keyed digest: equal numbers give equal indexes, nothing else can be learnt.
    pub fn blind_index(&self, id: &PersonalId) -> Vec<u8> {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.index_key).expect("HMAC key");
        mac.update(id.as_str().as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// A fresh unguessable token (256 bits), URL-safe.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// What we store instead of a session or API token: its SHA-256, so a database leak gives no
/// usable tokens.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// Constant-time string comparison for secrets such as CSRF tokens.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_index() {
        let vault = PidVault::new(&MasterKey::generate());
        let id = PersonalId::parse("019085001234").unwrap();
        let a = vault.encrypt(&id);
        let b = vault.encrypt(&id);
        assert_ne!(a, b, "fresh nonce each time");
        assert_eq!(vault.decrypt(&a).unwrap(), "019085001234");
        assert_eq!(vault.blind_index(&id), vault.blind_index(&id));
        let other = PidVault::new(&MasterKey::generate());
        assert!(other.decrypt(&a).is_err());
        assert_ne!(other.blind_index(&id), vault.blind_index(&id));
    }

    #[test]
    fn key_hex() {
        let k = MasterKey::generate();
        assert_eq!(MasterKey::from_hex(&k.to_hex()).unwrap().0, k.0);
        assert!(MasterKey::from_hex("abcd").is_err());
        assert!(!format!("{k:?}").contains(&k.to_hex()));
    }

    #[test]
    fn audit_key_depends_on_the_secret_and_the_parts() {
        let master = MasterKey::generate();
        let k = AuditKey::new(&master);
        let m = k.mac_hex(&[b"a", b"bc"]);
        assert!(k.verify_hex(&[b"a", b"bc"], &m));
        assert!(!k.verify_hex(&[b"ab", b"c"], &m), "parts are length-prefixed");
        assert!(!AuditKey::new(&MasterKey::generate()).verify_hex(&[b"a", b"bc"], &m));
        assert_ne!(m, sha256_hex(&[b"a", b"bc"]), "not the plain hash anyone can recompute");
        assert!(!format!("{k:?}").contains(&hex::encode(k.0)));
    }

    #[test]
    fn secrets_compare() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
