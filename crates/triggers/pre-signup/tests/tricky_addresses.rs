#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A table of addresses that fool naive domain checks, against one configuration.

use std::collections::HashMap;

use pre_signup::rules::{decide, Refusal, Rules, Source};
use trigger_core::Vars;

#[test]
fn tricky_addresses() {
    let rules = Rules::from_vars(&Vars::from_pairs([
        ("DENIED_EMAIL_DOMAINS", "evil.com, bücher.de"),
        ("AUTO_CONFIRM_EMAIL_DOMAINS", "xn--mnchen-3ya.example"),
    ]))
    .unwrap();
    use Outcome::*;
    #[derive(Debug, PartialEq)]
    enum Outcome {
        Accept,
        Confirm,
        Refuse(Refusal),
    }
    let table: &[(&str, Outcome, &str)] = &[
        (
            "a@evil.com",
            Refuse(Refusal::DomainNotAllowed),
            "exact match",
        ),
        ("a@EVIL.COM", Refuse(Refusal::DomainNotAllowed), "case"),
        (
            "a@Evil.Com.",
            Refuse(Refusal::DomainNotAllowed),
            "trailing dot",
        ),
        (
            "a@mail.evil.com",
            Refuse(Refusal::DomainNotAllowed),
            "subdomain",
        ),
        (
            "a@deep.mail.evil.com",
            Refuse(Refusal::DomainNotAllowed),
            "deep subdomain",
        ),
        ("a@notevil.com", Accept, "look-alike prefix"),
        ("a@evil.com.au", Accept, "look-alike suffix"),
        ("a@evil.co", Accept, "shorter tld"),
        ("a@evil-com.net", Accept, "hyphen instead of dot"),
        (
            "a@bücher.de",
            Refuse(Refusal::DomainNotAllowed),
            "unicode, listed as unicode",
        ),
        (
            "a@xn--bcher-kva.de",
            Refuse(Refusal::DomainNotAllowed),
            "punycode, listed as unicode",
        ),
        (
            "a@XN--BCHER-KVA.DE.",
            Refuse(Refusal::DomainNotAllowed),
            "punycode, upper case, trailing dot",
        ),
        (
            "a@BÜCHER.DE",
            Refuse(Refusal::DomainNotAllowed),
            "unicode upper case",
        ),
        ("a@buecher.de", Accept, "transliteration is another domain"),
        ("a@münchen.example", Confirm, "unicode, listed as punycode"),
        (
            "a@team.MÜNCHEN.example",
            Confirm,
            "unicode subdomain of trusted",
        ),
        (
            "evil.com@example.org",
            Accept,
            "listed domain in the local part",
        ),
        (
            "a+evil.com@example.org",
            Accept,
            "plus-addressing with listed text",
        ),
        (
            "a+tag@evil.com",
            Refuse(Refusal::DomainNotAllowed),
            "plus-addressing at listed domain",
        ),
        (
            "a@evil.com@example.org",
            Refuse(Refusal::EmailInvalid),
            "two at-signs",
        ),
        (
            "a@evil.com ",
            Refuse(Refusal::EmailInvalid),
            "trailing space",
        ),
        ("a@evil..com", Refuse(Refusal::EmailInvalid), "empty label"),
        (
            "a@mailinator.com",
            Refuse(Refusal::DisposableEmail),
            "disposable",
        ),
        (
            "a@MAILINATOR.com.",
            Refuse(Refusal::DisposableEmail),
            "disposable, case and dot",
        ),
        (
            "a@sub.mailinator.com",
            Refuse(Refusal::DisposableEmail),
            "disposable subdomain",
        ),
        (
            "a+x@guerrillamail.com",
            Refuse(Refusal::DisposableEmail),
            "disposable with plus",
        ),
        ("a@gmail.com", Accept, "webmail is not disposable"),
    ];
    let mut failures = Vec::new();
    for (address, want, why) in table {
        let attrs: HashMap<String, String> = [("email".to_owned(), (*address).to_owned())].into();
        let got = match decide(&rules, Source::SignUp, &attrs) {
            Ok(d) if d.auto_confirm_user => Confirm,
            Ok(_) => Accept,
            Err(r) => Refuse(r),
        };
        if &got != want {
            failures.push(format!("{address:?} ({why}): want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
