//! One-time codes: drawn from the OS random source, kept only as a salted digest,
//! compared in constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use rand::distr::{Distribution, Uniform};
use rand::rngs::OsRng;
use rand::TryRngCore as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The random source failed (the OS refused to give randomness).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the OS random source failed")]
pub struct NoRandomness;

/// A code of `digits` decimal digits (4 to 10), each value equally likely:
/// `Uniform` rejects the draws that would favour low values, so there is no modulo bias.
pub fn new_code(digits: u8) -> Result<Zeroizing<String>, NoRandomness> {
    let digits = digits.clamp(4, 10);
    let bound = 10u64.pow(u32::from(digits));
    let range = Uniform::new(0, bound).map_err(|_| NoRandomness)?;
    // Each read of the OS source is checked: a failure ends the sign-in, never
    // the process (rand's own `unwrap_err` adapter panics).
    let draw = CheckedOs::draw(&mut OsRng, &range)?;
    Ok(Zeroizing::new(format!(
        "{draw:0width$}",
        width = usize::from(digits)
    )))
}

/// Draws through a wrapper that records an OS failure instead of panicking.
struct CheckedOs<'a> {
    os: &'a mut OsRng,
    failed: bool,
}

impl CheckedOs<'_> {
    fn draw(os: &mut OsRng, range: &Uniform<u64>) -> Result<u64, NoRandomness> {
        let mut rng = CheckedOs { os, failed: false };
        let value = range.sample(&mut rng);
        match rng.failed {
            true => Err(NoRandomness),
            false => Ok(value),
        }
    }
}

impl rand::RngCore for CheckedOs<'_> {
    fn next_u32(&mut self) -> u32 {
        self.os.try_next_u32().unwrap_or_else(|_| {
            self.failed = true;
            0
        })
    }

    fn next_u64(&mut self) -> u64 {
        self.os.try_next_u64().unwrap_or_else(|_| {
            self.failed = true;
            0
        })
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if self.os.try_fill_bytes(dest).is_err() {
            self.failed = true;
        }
    }
}

/// `n` random bytes from the OS source, URL-safe base64 without padding.
pub fn random_text(n: usize) -> Result<String, NoRandomness> {
    let mut bytes = vec![0u8; n];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| NoRandomness)?;
    Ok(B64.encode(bytes))
}

/// A code's digest as kept in the private challenge parameters and the table:
/// SHA-256 over the salt and the code, URL-safe base64.
pub fn digest(salt: &str, code: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(salt.as_bytes());
    hash.update([0]);
    hash.update(code.as_bytes());
    B64.encode(hash.finalize())
}

/// Whether `answer` is the code behind `expected` (a [`digest`] with `salt`),
/// compared in constant time. Surrounding spaces are ignored (a pasted code).
pub fn matches(salt: &str, expected: &str, answer: &str) -> bool {
    let answer = answer.trim();
    let computed = digest(salt, answer);
    bool::from(computed.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_digits_asked_for_and_vary() {
        let codes: Vec<String> = (0..200).map(|_| new_code(6).unwrap().to_string()).collect();
        assert!(codes
            .iter()
            .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())));
        let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
        assert!(distinct.len() > 190, "{} distinct of 200", distinct.len());
        assert_eq!(new_code(8).unwrap().len(), 8);
        assert_eq!(new_code(2).unwrap().len(), 4, "at least 4 digits");
    }

    #[test]
    fn every_leading_digit_comes_up_about_as_often() {
        let mut counts = [0u32; 10];
        for _ in 0..20_000 {
            let code = new_code(4).unwrap();
            counts[usize::from(code.as_bytes()[0] - b'0')] += 1;
        }
        // 2,000 expected each; a biased draw (say `% 10_000` of a u16) shows as
        // leading digits 0 to 5 well above 6 to 9.
        assert!(
            counts.iter().all(|&n| (1_700..=2_300).contains(&n)),
            "{counts:?}"
        );
    }

    #[test]
    fn a_digest_matches_its_code_only() {
        let salt = random_text(16).unwrap();
        let d = digest(&salt, "042917");
        assert!(matches(&salt, &d, "042917"));
        assert!(matches(&salt, &d, " 042917\n"));
        assert!(!matches(&salt, &d, "042918"));
        assert!(!matches(&salt, &d, "42917"));
        assert!(!matches("another salt", &d, "042917"));
        assert!(!d.contains("042917"));
    }
}
