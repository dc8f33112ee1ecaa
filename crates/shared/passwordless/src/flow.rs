//! The steps of a passwordless sign-in, as Cognito's session records them, and what
//! comes next: define's decision and create's challenge, from the same reading.
//!
//! Create writes each challenge's step into its `challengeMetadata`; Cognito hands
//! every answered challenge back in `request.session` with that metadata and
//! whether verify found the answer correct. Nothing the app sends (its answer, its
//! `clientMetadata`) can move the sign-in forward except through verify's verdict.

use trigger_core::events::CognitoEventUserPoolsChallengeResult;

use crate::settings::{Flow, Method};

/// Cognito keeps at most this many answers in one sign-in.
pub const MAX_ROUNDS: usize = 8;

/// One challenge of the sign-in, as create named it in `challengeMetadata`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The first challenge, sending nothing: the bot check's token, or the app's
    /// choice between "send a link" and "I hold a link already".
    Start,
    /// A one-time code, `send` naming the code sent (not the code itself).
    Code { send: String },
    /// A magic link's token.
    Link,
}

impl Step {
    pub fn metadata(&self) -> String {
        match self {
            Self::Start => "START".to_owned(),
            Self::Code { send } => format!("CODE-{send}"),
            Self::Link => "LINK".to_owned(),
        }
    }

    pub fn parse(metadata: &str) -> Option<Self> {
        match metadata {
            "START" => Some(Self::Start),
            "LINK" => Some(Self::Link),
            other => {
                let send = other.strip_prefix("CODE-")?;
                let plausible = (1..=64).contains(&send.len())
                    && send
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                plausible.then(|| Self::Code {
                    send: send.to_owned(),
                })
            }
        }
    }
}

/// One answered challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub step: Step,
    pub passed: bool,
}

/// Why the session cannot be this flow's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unexpected {
    #[error("session entry {0} is empty")]
    Empty(usize),
    #[error("session entry {0} is not a custom challenge")]
    NotCustom(usize),
    #[error("session entry {0} has metadata this flow never writes")]
    Foreign(usize),
}

/// The session's entries as rounds of this flow. Any entry this flow did not
/// create (a password step, another challenge) makes the whole session foreign.
pub fn rounds(
    session: &[Option<CognitoEventUserPoolsChallengeResult>],
) -> Result<Vec<Round>, Unexpected> {
    session
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let entry = entry.as_ref().ok_or(Unexpected::Empty(i))?;
            if entry.challenge_name.as_deref() != Some("CUSTOM_CHALLENGE") {
                return Err(Unexpected::NotCustom(i));
            }
            let step = entry
                .challenge_metadata
                .as_deref()
                .and_then(Step::parse)
                .ok_or(Unexpected::Foreign(i))?;
            Ok(Round {
                step,
                passed: entry.challenge_result,
            })
        })
        .collect()
}

/// Define's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Another `CUSTOM_CHALLENGE`.
    Challenge,
    IssueTokens,
    Fail(&'static str),
}

/// The start round (if the flow has one, and it was answered) and the proof rounds
/// after it, or why the session is out of order.
fn split<'a>(
    flow: &Flow,
    rounds: &'a [Round],
) -> Result<(Option<&'a Round>, &'a [Round]), &'static str> {
    let (start, proofs) = match (flow.has_start(), rounds.split_first()) {
        (true, Some((first, rest))) if first.step == Step::Start => (Some(first), rest),
        (true, Some(_)) => return Err("the sign-in did not begin with its start step"),
        (_, None) => (None, rounds),
        (false, Some(_)) => (None, rounds),
    };
    if proofs.iter().any(|r| r.step == Step::Start) {
        return Err("a start step in the middle of the sign-in");
    }
    let expected_link = flow.method == Method::MagicLink;
    if proofs
        .iter()
        .any(|r| (r.step == Step::Link) != expected_link)
    {
        return Err("a step of another sign-in method");
    }
    Ok((start, proofs))
}

/// What define answers, from the session alone. An unknown user (`userNotFound`)
/// goes through the same steps (verify never passes them) and never gets tokens.
pub fn decide(flow: &Flow, rounds: &[Round], user_not_found: bool) -> Decision {
    if rounds.len() >= MAX_ROUNDS {
        return Decision::Fail("too many answers in one sign-in");
    }
    let (start, proofs) = match split(flow, rounds) {
        Ok(split) => split,
        Err(why) => return Decision::Fail(why),
    };
    if start.is_some_and(|s| !s.passed) && flow.method.is_code() {
        return Decision::Fail("the bot check was not passed");
    }
    if let Some((last, earlier)) = proofs.split_last() {
        if earlier.iter().any(|r| r.passed) {
            return Decision::Fail("an answer after a correct one");
        }
        if last.passed {
            return match user_not_found {
                true => Decision::Fail("a correct answer for an unknown user"),
                false => Decision::IssueTokens,
            };
        }
    }
    let wrong = proofs.iter().filter(|r| !r.passed).count();
    if wrong >= usize::from(flow.max_attempts) {
        return Decision::Fail("too many wrong answers");
    }
    Decision::Challenge
}

/// What create makes, once define asked for a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToCreate {
    /// The start step: nothing is sent.
    Start,
    /// A new code or link, sent if the limits allow.
    Send,
    /// The code `send` again after a wrong answer: nothing new is sent.
    Resend { send: String },
    /// A link step with nothing sent: the app holds a link, or answers again after
    /// a wrong one.
    AwaitLink,
}

/// The challenge create makes for a session define answered with [`Decision::Challenge`].
pub fn to_create(flow: &Flow, rounds: &[Round]) -> Result<ToCreate, &'static str> {
    let (start, proofs) = split(flow, rounds)?;
    if flow.has_start() && start.is_none() {
        return Ok(ToCreate::Start);
    }
    match proofs.last() {
        None if start.is_none_or(|s| s.passed) => Ok(ToCreate::Send),
        None if flow.method == Method::MagicLink => Ok(ToCreate::AwaitLink),
        None => Err("the bot check was not passed"),
        Some(Round { passed: true, .. }) => Err("the sign-in is already proven"),
        Some(Round {
            step: Step::Code { send },
            ..
        }) => Ok(ToCreate::Resend { send: send.clone() }),
        Some(_) => Ok(ToCreate::AwaitLink),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Captcha;

    fn flow(method: Method, captcha: bool) -> Flow {
        Flow {
            method,
            captcha: captcha.then_some(Captcha::Turnstile),
            max_attempts: 3,
        }
    }

    fn code(passed: bool) -> Round {
        Round {
            step: Step::Code { send: "s1".into() },
            passed,
        }
    }

    fn start(passed: bool) -> Round {
        Round {
            step: Step::Start,
            passed,
        }
    }

    fn link(passed: bool) -> Round {
        Round {
            step: Step::Link,
            passed,
        }
    }

    #[test]
    fn an_email_code_sign_in_step_by_step() {
        let f = flow(Method::EmailCode, false);
        // First call: a challenge, and create sends the code.
        assert_eq!(decide(&f, &[], false), Decision::Challenge);
        assert_eq!(to_create(&f, &[]), Ok(ToCreate::Send));
        // The code right: tokens.
        assert_eq!(decide(&f, &[code(true)], false), Decision::IssueTokens);
        // Wrong once: again, with the same code (nothing new sent).
        assert_eq!(decide(&f, &[code(false)], false), Decision::Challenge);
        assert_eq!(
            to_create(&f, &[code(false)]),
            Ok(ToCreate::Resend { send: "s1".into() })
        );
        // Wrong twice, then right.
        let rounds = [code(false), code(false), code(true)];
        assert_eq!(decide(&f, &rounds, false), Decision::IssueTokens);
        // Wrong up to the limit: the sign-in fails.
        let rounds = [code(false), code(false), code(false)];
        assert!(matches!(decide(&f, &rounds, false), Decision::Fail(_)));
    }

    #[test]
    fn the_bot_check_comes_first_and_a_failed_one_ends_a_code_sign_in() {
        let f = flow(Method::EmailCode, true);
        assert_eq!(decide(&f, &[], false), Decision::Challenge);
        assert_eq!(to_create(&f, &[]), Ok(ToCreate::Start));
        assert_eq!(decide(&f, &[start(true)], false), Decision::Challenge);
        assert_eq!(to_create(&f, &[start(true)]), Ok(ToCreate::Send));
        assert!(matches!(
            decide(&f, &[start(false)], false),
            Decision::Fail(_)
        ));
        assert_eq!(
            decide(&f, &[start(true), code(true)], false),
            Decision::IssueTokens
        );
        // The bot check does not count as a wrong code.
        let rounds = [start(true), code(false), code(false)];
        assert_eq!(decide(&f, &rounds, false), Decision::Challenge);
        // A passed start step alone never issues tokens.
        assert_ne!(decide(&f, &[start(true)], false), Decision::IssueTokens);
    }

    #[test]
    fn a_link_sign_in_sends_or_awaits_a_link_held_already() {
        let f = flow(Method::MagicLink, false);
        assert_eq!(to_create(&f, &[]), Ok(ToCreate::Start));
        assert_eq!(to_create(&f, &[start(true)]), Ok(ToCreate::Send));
        // "have-link" (or a failed bot check): nothing sent, the link step awaited.
        assert_eq!(decide(&f, &[start(false)], false), Decision::Challenge);
        assert_eq!(to_create(&f, &[start(false)]), Ok(ToCreate::AwaitLink));
        assert_eq!(
            decide(&f, &[start(false), link(true)], false),
            Decision::IssueTokens
        );
        assert_eq!(
            to_create(&f, &[start(true), link(false)]),
            Ok(ToCreate::AwaitLink)
        );
        let rounds = [start(true), link(false), link(false), link(false)];
        assert!(matches!(decide(&f, &rounds, false), Decision::Fail(_)));
    }

    #[test]
    fn an_unknown_user_is_answered_alike_and_never_gets_tokens() {
        let f = flow(Method::EmailCode, false);
        assert_eq!(decide(&f, &[], true), decide(&f, &[], false));
        assert_eq!(
            decide(&f, &[code(false)], true),
            decide(&f, &[code(false)], false)
        );
        assert!(matches!(decide(&f, &[code(true)], true), Decision::Fail(_)));
    }

    #[test]
    fn sessions_out_of_order_fail() {
        let f = flow(Method::EmailCode, true);
        // Proof without the start step, a second start, a link in a code sign-in,
        // a correct answer followed by more.
        for rounds in [
            vec![code(true)],
            vec![start(true), start(true)],
            vec![start(true), link(true)],
            vec![start(true), code(true), code(true)],
        ] {
            assert!(
                matches!(decide(&f, &rounds, false), Decision::Fail(_)),
                "{rounds:?}"
            );
        }
        let many = vec![code(false); MAX_ROUNDS];
        let f = Flow {
            max_attempts: 6,
            ..flow(Method::EmailCode, false)
        };
        assert!(matches!(decide(&f, &many, false), Decision::Fail(_)));
    }

    #[test]
    fn only_this_flows_custom_challenges_are_rounds() {
        let entry = |name: &str, metadata: Option<&str>| {
            let mut e = CognitoEventUserPoolsChallengeResult::default();
            e.challenge_name = Some(name.to_owned());
            e.challenge_metadata = metadata.map(str::to_owned);
            e.challenge_result = true;
            Some(e)
        };
        assert_eq!(
            rounds(&[entry("CUSTOM_CHALLENGE", Some("CODE-a1"))]).unwrap(),
            vec![Round {
                step: Step::Code { send: "a1".into() },
                passed: true
            }]
        );
        assert_eq!(
            rounds(&[entry("SRP_A", None)]),
            Err(Unexpected::NotCustom(0))
        );
        assert_eq!(
            rounds(&[entry("CUSTOM_CHALLENGE", Some("CODE-123456 "))]),
            Err(Unexpected::Foreign(0))
        );
        assert_eq!(rounds(&[None]), Err(Unexpected::Empty(0)));
        for step in [Step::Start, Step::Link, Step::Code { send: "x".into() }] {
            assert_eq!(Step::parse(&step.metadata()), Some(step));
        }
    }
}
