//! The canonical form of a domain name and its fingerprint, in a file of their own
//! because two places compile them: the library, and `build.rs`, which puts the
//! disposable-mail list in this form and fingerprints it once, at build time.

/// IDNA (UTS-46) ASCII form, lower case, without the trailing root dot; `None` when
/// the input is not a usable host name (empty labels, bad characters, over-long
/// labels, invalid IDNA).
pub fn canonical_domain(input: &str) -> Option<String> {
    if input.is_empty() || input.len() > 1024 {
        return None;
    }
    let ascii = idna::domain_to_ascii(input).ok()?;
    // UTS-46 maps the ideographic full stop to '.', so strip the root dot after mapping.
    let ascii = ascii.strip_suffix('.').unwrap_or(&ascii);
    if ascii.is_empty() || ascii.len() > 253 {
        return None;
    }
    for label in ascii.split('.') {
        let well_formed = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !well_formed {
            return None;
        }
    }
    Some(ascii.to_owned())
}

/// How many leading bits of a domain's fingerprint pick its bucket of the
/// disposable list; the 48 lowest bits are stored. Together 62 bits tell domains
/// apart.
pub const BUCKET_BITS: u32 = 14;

/// Where a canonical domain is in the disposable list: the bucket its fingerprint's
/// leading bits pick, and the 48 lowest bits the list stores, big-endian.
pub fn list_key(domain: &str) -> (usize, [u8; 6]) {
    let f = fingerprint(domain);
    let low = f.to_be_bytes();
    let mut stored = [0; 6];
    stored.copy_from_slice(&low[2..]);
    ((f >> (64 - BUCKET_BITS)) as usize, stored)
}

/// A 64-bit fingerprint of a canonical domain: FNV-1a over its bytes, then the
/// SplitMix64 finalizer so that every bit depends on every byte. Fixed forever
/// between `build.rs` and the lookup, which compile this same file.
pub fn fingerprint(domain: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in domain.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}
