//! Who may do what: roles, passwords, tokens, sessions and the access rule every
//! route declares. Rules here are plain functions; I/O lives in `store.rs`.

pub mod guard;
pub mod pages;
pub mod store;
pub mod throttle;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Depot,
    Coordinator,
    Therapist,
    Visitator,
    Driver,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Depot,
        Role::Coordinator,
        Role::Therapist,
        Role::Visitator,
        Role::Driver,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Depot => "depot",
            Role::Coordinator => "coordinator",
            Role::Therapist => "therapist",
            Role::Visitator => "visitator",
            Role::Driver => "driver",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == raw.trim())
    }

    /// The role's name in Danish, as staff call it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Depot => "Depotmedarbejder",
            Role::Coordinator => "Udskrivelseskoordinator",
            Role::Therapist => "Terapeut",
            Role::Visitator => "Visitator",
            Role::Driver => "Chauffør",
        }
    }
}

/// The access rule of a route. There is no default: a route without a rule
/// cannot be built (see `routes.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without logging in (login page, public Kvik booking, health).
    Public,
    /// Any logged-in user.
    Staff,
    /// Only these roles. Admin is always allowed as well.
    Roles(&'static [Role]),
}

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::Staff => true,
            Access::Roles(roles) => role == Role::Admin || roles.contains(&role),
        }
    }
}

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: i32,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub area_id: Option<i32>,
    pub via: Via,
}

#[derive(Clone, Debug)]
pub enum Via {
    /// A browser session; its CSRF token guards every form post.
    Session { csrf_token: String },
    /// An API token (`Authorization: Bearer`): not sent by browsers on their own,
    /// so no CSRF check is needed.
    Token,
}

/// A new random secret (session id, API token, CSRF token): 32 bytes, base64url.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a secret, hex: how sessions and tokens are stored. A fast hash is
/// right here because the secrets are long and random, unlike passwords.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Argon2id with the library's recommended parameters.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hash: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A password policy that a person can follow: long rather than complicated.
pub fn check_password_strength(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < 10 {
        return Err("Adgangskoden skal være mindst 10 tegn");
    }
    if password.len() > 256 {
        return Err("Adgangskoden er for lang");
    }
    Ok(())
}

/// A hash of a throw-away password, verified against when the user does not
/// exist, so an unknown user costs the same time as a wrong password.
pub fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Lcn2bXcuJ3+vH6hN5i3CsqvWU7bfrwBNyaiwJXGD/Jw"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_text() {
        let hash = hash_password("korrekt hest batteri").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("korrekt hest batteri", &hash));
        assert!(!verify_password("forkert", &hash));
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_password("x", dummy_hash()));
    }

    #[test]
    fn admin_passes_every_role_rule_and_others_only_their_own() {
        let depot_only = Access::Roles(&[Role::Depot]);
        assert!(depot_only.allows(Role::Admin));
        assert!(depot_only.allows(Role::Depot));
        assert!(!depot_only.allows(Role::Driver));
        assert!(Access::Staff.allows(Role::Driver));
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("king"), None);
    }

    #[test]
    fn secrets_are_random_and_hashes_stable() {
        assert_ne!(random_secret(), random_secret());
        assert_eq!(secret_hash("a"), secret_hash("a"));
        assert_eq!(secret_hash("a").len(), 64);
    }
}
