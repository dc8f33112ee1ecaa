#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The SES mailer against a server speaking the SES protocol (moto, started by
//! `make test`), and against a refused endpoint.

use std::time::Duration;

use mailer::{Mail, MailError, Mailer, SesMailer};
use test_support::aws::{moto_endpoint, refused_endpoint, sdk_config_for, sent_mail, unique_name};

fn mail(to: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Willkommen bei Acme Notes".into(),
        html: "<p>Hallo Zoë &amp; Co</p>".into(),
        text: "Hallo Zoë & Co".into(),
    }
}

#[tokio::test]
async fn a_verified_sender_sends_and_the_server_records_it() {
    let endpoint = moto_endpoint();
    let ses = aws_sdk_ses::Client::new(&sdk_config_for(&endpoint, Duration::from_secs(2)).await);
    let from = format!("{}@acme.example", unique_name("sender"));
    ses.verify_email_identity()
        .email_address(&from)
        .send()
        .await
        .unwrap();
    let to = format!("{}@example.de", unique_name("zoe"));
    SesMailer::new(ses, &from).send(&mail(&to)).await.unwrap();
    let mine: Vec<_> = sent_mail(&endpoint, &to);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].from, from);
    assert_eq!(mine[0].subject, "Willkommen bei Acme Notes");
    assert!(mine[0].body.contains("Zoë &amp; Co"), "{}", mine[0].body);
}

#[tokio::test]
async fn an_unverified_sender_and_a_server_that_refuses_are_errors() {
    let endpoint = moto_endpoint();
    let ses = aws_sdk_ses::Client::new(&sdk_config_for(&endpoint, Duration::from_secs(2)).await);
    let unverified = SesMailer::new(ses, format!("{}@acme.example", unique_name("nobody")));
    let err = unverified.send(&mail("a@example.de")).await.unwrap_err();
    assert!(
        matches!(&err, MailError::Send(why) if why.contains("MessageRejected")),
        "{err}"
    );

    let down = refused_endpoint();
    let ses = aws_sdk_ses::Client::new(&sdk_config_for(&down, Duration::from_millis(300)).await);
    let err = SesMailer::new(ses, "a@acme.example")
        .send(&mail("b@example.de"))
        .await
        .unwrap_err();
    assert!(matches!(err, MailError::Send(_)));
}
