//! The fingerprint of a canonical domain name (`email_domains::canonical_domain`), in
//! a file of its own because two places compile it: the library, and `build.rs`,
//! which fingerprints the disposable-mail list once, at build time.

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
