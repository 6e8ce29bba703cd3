//! Passwords: argon2id with OWASP's recommended parameters; a simple length policy that elderly
//! users can follow.

use crate::i18n::Message;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

fn hasher() -> Argon2<'static> {
    // m = 19 MiB, t = 2, p = 1 (OWASP Password Storage Cheat Sheet, argon2id).
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn check_policy(password: &str) -> Result<(), Message> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(Message::new("err-password-short").arg("min", MIN_LEN));
    }
    if n > MAX_LEN {
        return Err(Message::new("err-password-long").arg("max", MAX_LEN));
    }
    Ok(())
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters cannot fail")
        .to_string()
}

pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the account does not exist, so that timing does not reveal
/// which phone numbers have accounts.
pub fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash("không có tài khoản này"))
}

/// A temporary password an officer reads out to a resident: easy to type on a phone keypad.
pub fn temporary() -> String {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    (0..10).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash("mật khẩu dài");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("mật khẩu dài", &h));
        assert!(!verify("sai", &h));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn policy() {
        assert!(check_policy("1234567").is_err());
        assert!(check_policy("12345678").is_ok());
    }
}
