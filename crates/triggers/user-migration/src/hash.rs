//! Verifying legacy password hashes in PHC / modular-crypt form:
//! bcrypt (`$2a$`, `$2b$`, `$2y$`), Argon2id and Argon2i (`$argon2id$v=19$m=,t=,p=$salt$hash`),
//! PBKDF2-SHA256/SHA512 in PHC form (`$pbkdf2-sha256$i=,l=$salt$hash`) and in passlib's
//! form (`$pbkdf2-sha256$rounds$salt$hash`), and scrypt (`$scrypt$ln=,r=,p=$salt$hash`).
//!
//! Errors name the scheme and the problem, never the hash or the password.

use std::borrow::Cow;

use password_hash::phc::PasswordHash;
use subtle::ConstantTimeEq;

use crate::secret::Password;

/// The hash schemes this trigger verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bcrypt,
    Argon2id,
    Argon2i,
    Pbkdf2Sha256,
    Pbkdf2Sha512,
    Scrypt,
}

/// A stored hash's scheme and cost parameters (not its salt nor its digest): what
/// makes two hashes take the same time to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub scheme: Scheme,
    /// `cost 10`, `i=600000`, `ln=15,r=8,p=1`, `m=65536,t=3,p=4`.
    pub cost: String,
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} {}", self.scheme, self.cost)
    }
}

/// A stored hash that cannot be checked. Holds no part of the hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashError {
    UnknownScheme,
    Malformed {
        scheme: Scheme,
        why: &'static str,
    },
    /// Parameters beyond what a sign-in may spend (a hostile or corrupt row).
    TooExpensive {
        scheme: Scheme,
    },
}

impl std::fmt::Display for HashError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownScheme => f.write_str("password hash scheme not supported"),
            Self::Malformed { scheme, why } => write!(f, "malformed {scheme:?} hash: {why}"),
            Self::TooExpensive { scheme } => {
                write!(f, "{scheme:?} hash parameters exceed the allowed cost")
            }
        }
    }
}

// Upper bounds on the work one verification may cost, set from
// `cargo bench -p user-migration --bench hash_costs` (the README's "Hash costs"): each
// verifies in under a second at the template's 1024 MB (a 0.58 vCPU share), as
// projected from one core of the machine measured, leaving MIGRATION_BUDGET_MS room
// for the lookup, the write and a CPU slower than that one. The common settings of
// today's frameworks are well inside (bcrypt 10 to 12, PBKDF2-SHA256 600,000 to
// 870,000 rounds, scrypt ln=14 to 17, Argon2id 19 to 64 MiB). A row past them is
// answered like a wrong password, without the work.

/// bcrypt: each step doubles the work (cost 13: 806 ms at 1024 MB).
pub const MAX_BCRYPT_COST: u32 = 13;
/// PBKDF2 rounds, per digest: 2,000,000 of SHA-256 (396 ms at 1024 MB), 1,000,000
/// of SHA-512 (779 ms).
pub fn max_pbkdf2_rounds(scheme: Scheme) -> u32 {
    match scheme {
        Scheme::Pbkdf2Sha512 => 1_000_000,
        _ => 2_000_000,
    }
}
/// scrypt's memory, 128·r·(N + p) bytes, checked before anything is allocated
/// (`ln=20` asked for 1 GiB, more than the function has, and aborted it).
pub const MAX_SCRYPT_MEMORY: u64 = 256 << 20;
/// scrypt's work, N·r·p: ln=17, r=8, p=1 (496 ms at 1024 MB).
pub const MAX_SCRYPT_WORK: u64 = (1 << 17) * 8;
/// Argon2's memory in KiB (256 MiB), and its work, memory times passes (128 MiB
/// three times: 476 ms at 1024 MB).
pub const MAX_ARGON2_MEMORY_KIB: u32 = 256 * 1024;
pub const MAX_ARGON2_WORK: u64 = 128 * 1024 * 3;

/// Whether scrypt with these parameters is within the ceilings.
pub fn scrypt_within_ceiling(log_n: u8, r: u32, p: u32) -> bool {
    if log_n >= 63 {
        return false;
    }
    let n = 1u64 << log_n;
    let memory = 128u64
        .saturating_mul(u64::from(r))
        .saturating_mul(n.saturating_add(u64::from(p)));
    let work = n.saturating_mul(u64::from(r)).saturating_mul(u64::from(p));
    memory <= MAX_SCRYPT_MEMORY && work <= MAX_SCRYPT_WORK
}

/// Whether Argon2 with `m_kib` of memory and `t` passes is within the ceilings.
pub fn argon2_within_ceiling(m_kib: u32, t: u32) -> bool {
    m_kib <= MAX_ARGON2_MEMORY_KIB
        && u64::from(m_kib).saturating_mul(u64::from(t)) <= MAX_ARGON2_WORK
}

/// Which scheme a stored hash uses.
pub fn scheme_of(hash: &str) -> Result<Scheme, HashError> {
    let id = hash
        .strip_prefix('$')
        .and_then(|h| h.split('$').next())
        .unwrap_or("");
    match id {
        "2a" | "2b" | "2y" => Ok(Scheme::Bcrypt),
        "argon2id" => Ok(Scheme::Argon2id),
        "argon2i" => Ok(Scheme::Argon2i),
        "pbkdf2-sha256" => Ok(Scheme::Pbkdf2Sha256),
        "pbkdf2-sha512" => Ok(Scheme::Pbkdf2Sha512),
        "scrypt" => Ok(Scheme::Scrypt),
        _ => Err(HashError::UnknownScheme),
    }
}

/// Checks that a hash can be verified, without a password and without allocating a
/// description of it (run before every verification and on every imported row).
pub fn check_format(hash: &str) -> Result<Scheme, HashError> {
    let scheme = scheme_of(hash)?;
    match scheme {
        Scheme::Bcrypt => bcrypt_cost(hash).map(drop),
        Scheme::Argon2id | Scheme::Argon2i => parse_argon2(hash, scheme).map(drop),
        Scheme::Pbkdf2Sha256 | Scheme::Pbkdf2Sha512 => parse_pbkdf2(hash, scheme).map(drop),
        Scheme::Scrypt => parse_scrypt(hash).map(drop),
    }?;
    Ok(scheme)
}

/// The scheme and cost of a hash that can be verified.
pub fn profile(hash: &str) -> Result<Profile, HashError> {
    let scheme = scheme_of(hash)?;
    let cost = match scheme {
        Scheme::Bcrypt => format!("cost {}", bcrypt_cost(hash)?),
        Scheme::Argon2id | Scheme::Argon2i => {
            let a = parse_argon2(hash, scheme)?;
            format!("v={},m={},t={},p={}", a.version, a.m, a.t, a.p)
        }
        Scheme::Pbkdf2Sha256 | Scheme::Pbkdf2Sha512 => {
            let p = parse_pbkdf2(hash, scheme)?;
            format!("i={},l={}", p.rounds, p.hash.len())
        }
        Scheme::Scrypt => {
            let s = parse_scrypt(hash)?;
            format!("ln={},r={},p={}", s.log_n, s.r, s.p)
        }
    };
    Ok(Profile { scheme, cost })
}

/// True when `password` matches `hash`. (Long: one arm per supported scheme.)
pub fn verify(password: &Password, hash: &str) -> Result<bool, HashError> {
    let scheme = scheme_of(hash)?;
    match scheme {
        Scheme::Bcrypt => {
            bcrypt_cost(hash)?;
            bcrypt::verify(password.expose(), hash).map_err(|_| HashError::Malformed {
                scheme,
                why: "bcrypt rejected it",
            })
        }
        Scheme::Argon2id | Scheme::Argon2i => {
            let p = parse_argon2(hash, scheme)?;
            let algorithm = if scheme == Scheme::Argon2id {
                argon2::Algorithm::Argon2id
            } else {
                argon2::Algorithm::Argon2i
            };
            let version = if p.version == 0x10 {
                argon2::Version::V0x10
            } else {
                argon2::Version::V0x13
            };
            let mut out = vec![0u8; p.hash.len()];
            argon2::Argon2::new(algorithm, version, p.params)
                .hash_password_into(password.expose(), &p.salt, &mut out)
                .map_err(|_| HashError::Malformed {
                    scheme,
                    why: "salt or output length out of range",
                })?;
            Ok(out.ct_eq(&p.hash).into())
        }
        Scheme::Pbkdf2Sha256 | Scheme::Pbkdf2Sha512 => {
            let p = parse_pbkdf2(hash, scheme)?;
            let mut out = vec![0u8; p.hash.len()];
            if scheme == Scheme::Pbkdf2Sha256 {
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.expose(), &p.salt, p.rounds, &mut out);
            } else {
                pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password.expose(), &p.salt, p.rounds, &mut out);
            }
            Ok(out.ct_eq(&p.hash).into())
        }
        Scheme::Scrypt => {
            let p = parse_scrypt(hash)?;
            let params =
                scrypt::Params::new(p.log_n, p.r, p.p).map_err(|_| HashError::Malformed {
                    scheme,
                    why: "parameters out of range",
                })?;
            let mut out = vec![0u8; p.hash.len()];
            scrypt::scrypt(password.expose(), &p.salt, &params, &mut out).map_err(|_| {
                HashError::Malformed {
                    scheme,
                    why: "output length out of range",
                }
            })?;
            Ok(out.ct_eq(&p.hash).into())
        }
    }
}

fn bcrypt_cost(hash: &str) -> Result<u32, HashError> {
    let scheme = Scheme::Bcrypt;
    // The bcrypt crate's own reader: what it reads here, its verify reads too (a
    // hash it would refuse at once must not pass, or that row would answer faster
    // than a wrong password).
    let parts = hash
        .parse::<bcrypt::HashParts>()
        .map_err(|_| HashError::Malformed {
            scheme,
            why: "not $2b$cost$ with 53 characters of bcrypt base64 salt and hash",
        })?;
    let cost = parts.get_cost();
    if !(4..=31).contains(&cost) {
        return Err(HashError::Malformed {
            scheme,
            why: "cost out of range",
        });
    }
    if cost > MAX_BCRYPT_COST {
        return Err(HashError::TooExpensive { scheme });
    }
    Ok(cost)
}

/// A PHC string (`$id$v=..$k=v,..$salt$hash`), read by the `phc` crate of
/// password-hash. passlib's PBKDF2 form (`$pbkdf2-sha256$rounds$salt$hash`, base64
/// with `.` for `+`) and base64 padding are written the PHC way first.
fn phc(hash: &str, scheme: Scheme, expected: &'static str) -> Result<PasswordHash, HashError> {
    let mut fields: Vec<Cow<str>> = hash.split('$').map(Cow::Borrowed).collect();
    let n = fields.len();
    if n == 5 && !fields[2].is_empty() && fields[2].bytes().all(|b| b.is_ascii_digit()) {
        fields[2] = Cow::Owned(format!("i={}", fields[2]));
    }
    if n >= 5 {
        for field in &mut fields[n - 2..] {
            if field.contains('.') || field.ends_with('=') {
                *field = Cow::Owned(field.trim_end_matches('=').replace('.', "+"));
            }
        }
    }
    // A PHC string as stored (the common case) is read as it is, without a copy.
    let parsed = if fields.iter().all(|f| matches!(f, Cow::Borrowed(_))) {
        PasswordHash::new(hash)
    } else {
        PasswordHash::new(&fields.join("$"))
    };
    parsed.map_err(|_| HashError::Malformed {
        scheme,
        why: expected,
    })
}

/// A parameter's value (a PHC decimal).
fn number(hash: &PasswordHash, key: &str, scheme: Scheme) -> Result<u32, HashError> {
    hash.params.get_decimal(key).ok_or(HashError::Malformed {
        scheme,
        why: "a parameter is missing or not a number",
    })
}

/// The salt and the digest of a PHC string.
fn salt_and_digest(hash: &PasswordHash, scheme: Scheme) -> Result<(Vec<u8>, Vec<u8>), HashError> {
    match (&hash.salt, &hash.hash) {
        (Some(salt), Some(digest)) => Ok((salt.to_vec(), digest.as_bytes().to_vec())),
        _ => Err(HashError::Malformed {
            scheme,
            why: "no salt or no hash",
        }),
    }
}

struct Argon2Hash {
    version: u32,
    m: u32,
    t: u32,
    p: u32,
    salt: Vec<u8>,
    hash: Vec<u8>,
    /// The crate's own reading of the costs and the output length.
    params: argon2::Params,
}

fn parse_argon2(hash: &str, scheme: Scheme) -> Result<Argon2Hash, HashError> {
    // $argon2id$v=19$m=65536,t=3,p=4$salt$hash (the v= field may be absent: version 16)
    let phc = phc(hash, scheme, "expected $argon2id$v=$m=,t=,p=$salt$hash")?;
    let version = phc.version.unwrap_or(0x10);
    if version != 0x13 && version != 0x10 {
        return Err(HashError::Malformed {
            scheme,
            why: "unknown version",
        });
    }
    let (m, t, p) = (
        number(&phc, "m", scheme)?,
        number(&phc, "t", scheme)?,
        number(&phc, "p", scheme)?,
    );
    if !argon2_within_ceiling(m, t) {
        return Err(HashError::TooExpensive { scheme });
    }
    let (salt, hash) = salt_and_digest(&phc, scheme)?;
    // The argon2 crate's own limits (at least one pass and one lane, 8 KiB of
    // memory per lane, a 4-byte output, an 8-byte salt): what it would refuse at
    // verification is refused here, so such a row is never answered faster than a
    // wrong password.
    let params =
        argon2::Params::new(m, t, p, Some(hash.len())).map_err(|_| HashError::Malformed {
            scheme,
            why: "parameters out of range",
        })?;
    if salt.len() < argon2::MIN_SALT_LEN {
        return Err(HashError::Malformed {
            scheme,
            why: "salt too short",
        });
    }
    Ok(Argon2Hash {
        version,
        m,
        t,
        p,
        salt,
        hash,
        params,
    })
}

struct Pbkdf2Hash {
    rounds: u32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

/// A digest of 16 to 64 bytes (PBKDF2 and scrypt).
fn digest_length(hash: &[u8], scheme: Scheme) -> Result<(), HashError> {
    if hash.len() < 16 || hash.len() > 64 {
        return Err(HashError::Malformed {
            scheme,
            why: "hash length out of range",
        });
    }
    Ok(())
}

fn parse_pbkdf2(hash: &str, scheme: Scheme) -> Result<Pbkdf2Hash, HashError> {
    // PHC: $pbkdf2-sha256$i=600000,l=32$salt$hash ; passlib: $pbkdf2-sha256$29000$salt$hash
    let phc = phc(hash, scheme, "expected $pbkdf2-sha256$i=,l=$salt$hash")?;
    let rounds = number(&phc, "i", scheme)?;
    if rounds == 0 {
        return Err(HashError::Malformed {
            scheme,
            why: "zero rounds",
        });
    }
    if rounds > max_pbkdf2_rounds(scheme) {
        return Err(HashError::TooExpensive { scheme });
    }
    let (salt, hash) = salt_and_digest(&phc, scheme)?;
    digest_length(&hash, scheme)?;
    Ok(Pbkdf2Hash { rounds, salt, hash })
}

struct ScryptHash {
    log_n: u8,
    r: u32,
    p: u32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

fn parse_scrypt(hash: &str) -> Result<ScryptHash, HashError> {
    let scheme = Scheme::Scrypt;
    let phc = phc(hash, scheme, "expected $scrypt$ln=,r=,p=$salt$hash")?;
    let (log_n, r, p) = (
        number(&phc, "ln", scheme)?,
        number(&phc, "r", scheme)?,
        number(&phc, "p", scheme)?,
    );
    let log_n = u8::try_from(log_n).map_err(|_| HashError::Malformed {
        scheme,
        why: "parameters out of range",
    })?;
    if log_n == 0 || r == 0 || p == 0 {
        return Err(HashError::Malformed {
            scheme,
            why: "parameters out of range",
        });
    }
    if !scrypt_within_ceiling(log_n, r, p) {
        return Err(HashError::TooExpensive { scheme });
    }
    let (salt, hash) = salt_and_digest(&phc, scheme)?;
    digest_length(&hash, scheme)?;
    Ok(ScryptHash {
        log_n,
        r,
        p,
        salt,
        hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWORD: &str = "correct horse battery staple";

    /// Hashes of `PASSWORD` made by other tools (Python: bcrypt 4.0.1, passlib 1.7.4,
    /// argon2-cffi, and hashlib for the PHC strings), pasted as they printed them.
    const FIXTURES: &[(&str, Scheme, &str)] = &[
        ("python bcrypt, $2b$", Scheme::Bcrypt, "$2b$04$b8UV74odsoHWLusPkfjmE.n.7CWzeLgjQpw3DZ4ZAUwUI4ZF0lS0C"),
        ("passlib, $2a$", Scheme::Bcrypt, "$2a$04$TXGTmEKuqXEIBtu0TMumKeT8j4OhU0SkRoqLpBYOuZKM3.x7FXF9."),
        ("passlib, $2y$ (PHP's ident)", Scheme::Bcrypt, "$2y$04$wB6lnCQ5LEu93RImVe9zZucbkptc6i9cU73u47Nh4CCi6GJ/aEuly"),
        ("argon2-cffi, argon2id", Scheme::Argon2id, "$argon2id$v=19$m=1024,t=1,p=1$+ghZiBwXqgNJQF2iIS9PUw$M1vrawGOFmtgE/S+x+/S1Ab+w+U9tpFmTPidjRndUqc"),
        ("argon2-cffi, argon2i", Scheme::Argon2i, "$argon2i$v=19$m=512,t=2,p=2$FnrlIHL7U0S6/A8nc+ep5g$ADMAy9XcxpFhdn0IOcg3XFG0ezgL3FyVXQa0QaLaJZM"),
        ("passlib pbkdf2_sha256", Scheme::Pbkdf2Sha256, "$pbkdf2-sha256$1000$IWQMAcA4R2hN6d17D0HonQ$lxrY5L5HgrpAEriKPDQcz.lhz9gqNGslyjAzZTgiW7Q"),
        ("passlib pbkdf2_sha512", Scheme::Pbkdf2Sha512, "$pbkdf2-sha512$1000$qhUixFhLaQ1BqJXSGiOkFA$/Rknt0gnjN.PttQer.4y1a7eHFWBh9OUnhX9T3MHqgB7y8CoyErypHcCSegWpYC004wLtC1OMqWMqgvetwDzDA"),
        ("PHC pbkdf2-sha256 (hashlib)", Scheme::Pbkdf2Sha256, "$pbkdf2-sha256$i=1000,l=32$1B23rhot0B2b5Umadj8ZZg$/fMaFtQ8UYNC2JZzc92p3UJAs2fbdhbAUPg+HAIMff4"),
        ("PHC pbkdf2-sha512 (hashlib)", Scheme::Pbkdf2Sha512, "$pbkdf2-sha512$i=1000,l=64$1B23rhot0B2b5Umadj8ZZg$rfa6w+nWCitTFqeErmIOq8fk9jIFPIo6FUD+/etwGXRa2z72E8pnSQGFNK+qsn8DwHjU9WyJuwJi/PoL/ugTCA"),
        ("passlib scrypt", Scheme::Scrypt, "$scrypt$ln=10,r=8,p=1$//8fAwAA4DzH2Hsv5ZyT0g$dDxXwfTr88nw8aKmINxGYtVc6kO8DW28UpxeEvYHMxQ"),
        ("PHC scrypt (hashlib)", Scheme::Scrypt, "$scrypt$ln=10,r=8,p=1$1B23rhot0B2b5Umadj8ZZg$kPCd4aRDFjubPjSiZOs9Qa2FbPa1U+uu3Ij7r/sY+yE"),
    ];

    #[test]
    fn hashes_from_other_tools_verify_and_wrong_passwords_do_not() {
        for (tool, scheme, hash) in FIXTURES {
            assert_eq!(check_format(hash), Ok(*scheme), "{tool}");
            assert_eq!(
                verify(&Password::new(PASSWORD), hash),
                Ok(true),
                "{tool}: right password"
            );
            assert_eq!(
                verify(&Password::new("correct horse battery stapler"), hash),
                Ok(false),
                "{tool}: wrong password"
            );
            assert_eq!(
                verify(&Password::new(""), hash),
                Ok(false),
                "{tool}: empty password"
            );
        }
    }

    /// What `check_format` accepts, the verifier verifies: a row it lets through is
    /// never refused at once by the crate behind it (answered faster than a wrong
    /// password, which is a verification's time).
    #[test]
    fn every_hash_the_format_check_accepts_is_verified_not_refused() {
        let (mut accepted, mut refused) = (0, Vec::new());
        for (tool, _, hash) in FIXTURES {
            // The parameters, the salt and the start and end of the digest: where a
            // change can move a hash from one side of a check to the other.
            let positions = (0..hash.len()).filter(|&at| at < 56 || at + 3 > hash.len());
            for at in positions {
                for c in ['!', '-', '_', '+', '/', '.', '=', 'z', '0', ' ', 'é'] {
                    let mut changed: String = hash.chars().take(at).collect();
                    changed.push(c);
                    changed.extend(hash.chars().skip(at + 1));
                    if check_format(&changed).is_ok() {
                        accepted += 1;
                        if let Err(e) = verify(&Password::new(PASSWORD), &changed) {
                            refused.push(format!("{tool}: {changed:?}: {e}"));
                        }
                    }
                }
            }
        }
        assert!(
            refused.is_empty(),
            "{} pass the format check but their verifier refuses them:\n{}",
            refused.len(),
            refused.join("\n")
        );
        assert!(
            accepted > 1000,
            "only {accepted} changed hashes were accepted"
        );
    }

    #[test]
    fn a_profile_names_the_scheme_and_cost_never_the_salt_or_digest() {
        let p = profile("$2b$10$EenKXhUOBMz0.NGWiMWPgeSTu9GAAJ4j8yNjElp.VZvHvnHZUpoP2").unwrap();
        assert_eq!((p.scheme, p.cost.as_str()), (Scheme::Bcrypt, "cost 10"));
        let q = profile("$2y$10$wB6lnCQ5LEu93RImVe9zZucbkptc6i9cU73u47Nh4CCi6GJ/aEuly").unwrap();
        assert_eq!(p, q, "same scheme and cost, other salt: same profile");
        for (_, _, hash) in FIXTURES {
            let shown = profile(hash).unwrap().to_string();
            let digest = hash.rsplit('$').next().unwrap();
            assert!(!shown.contains(&digest[..8]), "{shown}");
        }
        assert_ne!(
            profile("$pbkdf2-sha256$i=1000,l=32$1B23rhot0B2b5Umadj8ZZg$/fMaFtQ8UYNC2JZzc92p3UJAs2fbdhbAUPg+HAIMff4").unwrap(),
            profile("$pbkdf2-sha256$i=2000,l=32$1B23rhot0B2b5Umadj8ZZg$/fMaFtQ8UYNC2JZzc92p3UJAs2fbdhbAUPg+HAIMff4").unwrap()
        );
    }

    #[test]
    fn hashes_made_by_the_bcrypt_crate_verify_too() {
        let hash = bcrypt::hash("s3cret pass", 4).unwrap();
        assert_eq!(verify(&Password::new("s3cret pass"), &hash), Ok(true));
    }

    #[test]
    fn unknown_and_broken_hashes_are_errors_that_never_echo_the_hash() {
        let cases = [
            ("$1$saltsalt$qjXMvbEw8oaL.CzflDugX/", HashError::UnknownScheme),
            ("5f4dcc3b5aa765d61d8327deb882cf99", HashError::UnknownScheme),
            ("", HashError::UnknownScheme),
            ("$2b$04$short", HashError::Malformed { scheme: Scheme::Bcrypt, why: "not $2b$cost$ with 53 characters of bcrypt base64 salt and hash" }),
            ("$2b$31$b8UV74odsoHWLusPkfjmE.n.7CWzeLgjQpw3DZ4ZAUwUI4ZF0lS0C", HashError::TooExpensive { scheme: Scheme::Bcrypt }),
            ("$pbkdf2-sha256$99999999$IWQMAcA4R2hN6d17D0HonQ$lxrY5L5HgrpAEriKPDQcz.lhz9gqNGslyjAzZTgiW7Q", HashError::TooExpensive { scheme: Scheme::Pbkdf2Sha256 }),
            ("$scrypt$ln=30,r=8,p=1$1B23rhot0B2b5Umadj8ZZg$kPCd4aRDFjubPjSiZOs9Qa2FbPa1U+uu3Ij7r/sY+yE", HashError::TooExpensive { scheme: Scheme::Scrypt }),
            ("$argon2id$v=19$m=4194304,t=1,p=1$+ghZiBwXqgNJQF2iIS9PUw$M1vrawGOFmtgE/S+x+/S1Ab+w+U9tpFmTPidjRndUqc", HashError::TooExpensive { scheme: Scheme::Argon2id }),
            // What the ceilings before allowed: 11 s, 19.7 s, a 1 GiB allocation that
            // aborted the process, and bcrypt 14 and 15.
            ("$pbkdf2-sha256$i=5000000,l=32$IWQMAcA4R2hN6d17D0HonQ$lxrY5L5HgrpAEriKPDQcz.lhz9gqNGslyjAzZTgiW7Q", HashError::TooExpensive { scheme: Scheme::Pbkdf2Sha256 }),
            ("$pbkdf2-sha512$5000000$qhUixFhLaQ1BqJXSGiOkFA$/Rknt0gnjN.PttQer.4y1a7eHFWBh9OUnhX9T3MHqgB7y8CoyErypHcCSegWpYC004wLtC1OMqWMqgvetwDzDA", HashError::TooExpensive { scheme: Scheme::Pbkdf2Sha512 }),
            ("$scrypt$ln=20,r=8,p=1$1B23rhot0B2b5Umadj8ZZg$kPCd4aRDFjubPjSiZOs9Qa2FbPa1U+uu3Ij7r/sY+yE", HashError::TooExpensive { scheme: Scheme::Scrypt }),
            ("$scrypt$ln=16,r=8,p=16$1B23rhot0B2b5Umadj8ZZg$kPCd4aRDFjubPjSiZOs9Qa2FbPa1U+uu3Ij7r/sY+yE", HashError::TooExpensive { scheme: Scheme::Scrypt }),
            ("$2b$15$b8UV74odsoHWLusPkfjmE.n.7CWzeLgjQpw3DZ4ZAUwUI4ZF0lS0C", HashError::TooExpensive { scheme: Scheme::Bcrypt }),
            ("$argon2id$v=19$m=1048576,t=3,p=4$+ghZiBwXqgNJQF2iIS9PUw$M1vrawGOFmtgE/S+x+/S1Ab+w+U9tpFmTPidjRndUqc", HashError::TooExpensive { scheme: Scheme::Argon2id }),
            ("$argon2id$v=19$m=1024,t=1$+ghZiBwXqgNJQF2iIS9PUw$M1vrawGOFmtgE/S+x+/S1Ab+w+U9tpFmTPidjRndUqc", HashError::Malformed { scheme: Scheme::Argon2id, why: "a parameter is missing or not a number" }),
            // Not PHC (the phc crate's reader): a digest under 10 bytes, a salt not base64.
            ("$argon2id$v=19$m=1024,t=1,p=1$+ghZiBwXqgNJQF2iIS9PUw$M1vr", HashError::Malformed { scheme: Scheme::Argon2id, why: "expected $argon2id$v=$m=,t=,p=$salt$hash" }),
            ("$scrypt$ln=10,r=8,p=1$!!!$kPCd4aRDFjubPjSiZOs9Qa2FbPa1U+uu3Ij7r/sY+yE", HashError::Malformed { scheme: Scheme::Scrypt, why: "expected $scrypt$ln=,r=,p=$salt$hash" }),
        ];
        for (hash, want) in cases {
            let got = verify(&Password::new(PASSWORD), hash).unwrap_err();
            assert_eq!(got, want, "{hash}");
            let text = format!("{got} {got:?}");
            if hash.len() > 8 {
                assert!(!text.contains(&hash[hash.len() - 8..]), "{text}");
            }
        }
    }
}
