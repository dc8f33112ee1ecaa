//! How a native user's address was verified, as post-confirmation records it in the
//! profile table when the user is confirmed (`verified_email`, `email_verified_by`),
//! read by linking: only an address its owner proved with a code may bring a
//! federated identity into their account. Cognito's `email_verified` alone does not
//! say how it became true (a pre sign-up trigger, an administrator or a migration may
//! set it without any proof).
//!
//! The `EmailProofs` port, with the profile table in DynamoDB (`GetItem`), in memory
//! for tests, and [`crate::link::NoLinking`] for the build without linking.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::AttributeValue;
use cognito_admin::DirectoryError;
use email_domains::proof::recorded_form;
pub use email_domains::proof::{VerifiedBy, VERIFIED_BY, VERIFIED_EMAIL};

/// What the profile row says about a user's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailProof {
    pub email: String,
    pub by: VerifiedBy,
}

impl EmailProof {
    /// Whether the row proves `email`: verified with a code, and that same address
    /// (a user who changed their address since has proven the old one only).
    pub fn proves(&self, email: &str) -> bool {
        self.by == VerifiedBy::Code && recorded_form(&self.email) == recorded_form(email)
    }
}

pub trait EmailProofs {
    /// The record of `sub`'s address, `None` when their row has none (or there is no
    /// row: a user created by an administrator or migrated, never confirmed by a code).
    fn proof_of(
        &self,
        sub: &str,
    ) -> impl Future<Output = Result<Option<EmailProof>, DirectoryError>> + Send;
}

/// The profile table post-confirmation writes (`PROFILE_TABLE_NAME`), keyed by `sub`.
#[derive(Debug, Clone)]
pub struct DynamoEmailProofs {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoEmailProofs {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

impl EmailProofs for DynamoEmailProofs {
    async fn proof_of(&self, sub: &str) -> Result<Option<EmailProof>, DirectoryError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("sub", AttributeValue::S(sub.to_owned()))
            .projection_expression("#email, #by")
            .expression_attribute_names("#email", VERIFIED_EMAIL)
            .expression_attribute_names("#by", VERIFIED_BY)
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| DirectoryError::Unavailable(DisplayErrorContext(&e).to_string()))?;
        let text = |name: &str| {
            out.item
                .as_ref()
                .and_then(|item| item.get(name))
                .and_then(|v| v.as_s().ok())
                .cloned()
        };
        Ok(match (text(VERIFIED_EMAIL), text(VERIFIED_BY)) {
            (Some(email), Some(by)) => Some(EmailProof {
                email,
                by: VerifiedBy::parse(&by),
            }),
            _ => None,
        })
    }
}

/// Proofs in memory, for tests: by `sub`; counts the lookups.
#[derive(Debug, Default)]
pub struct InMemoryProofs {
    pub rows: HashMap<String, EmailProof>,
    /// When set, every lookup fails with this.
    pub outage: Option<DirectoryError>,
    lookups: Mutex<Vec<String>>,
}

impl InMemoryProofs {
    pub fn with(mut self, sub: &str, email: &str, by: VerifiedBy) -> Self {
        self.rows.insert(
            sub.to_owned(),
            EmailProof {
                email: email.to_owned(),
                by,
            },
        );
        self
    }

    /// A table whose every lookup fails with `why`.
    pub fn failing(why: &str) -> Self {
        Self {
            outage: Some(DirectoryError::Unavailable(why.to_owned())),
            ..Self::default()
        }
    }

    /// The subs looked up, in order.
    pub fn lookups(&self) -> Vec<String> {
        self.lookups.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl EmailProofs for InMemoryProofs {
    async fn proof_of(&self, sub: &str) -> Result<Option<EmailProof>, DirectoryError> {
        if let Ok(mut lookups) = self.lookups.lock() {
            lookups.push(sub.to_owned());
        }
        if let Some(e) = &self.outage {
            return Err(e.clone());
        }
        Ok(self.rows.get(sub).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_code_proves_and_only_the_address_it_proved() {
        let proof = |by| EmailProof {
            email: "maria.garcia@example.com".into(),
            by,
        };
        assert!(proof(VerifiedBy::Code).proves("Maria.Garcia@example.com "));
        assert!(!proof(VerifiedBy::Code).proves("maria@example.com"));
        // Whatever else the row says, read as written or not, proves nothing.
        for text in ["pre-signup", "unknown", "Code", ""] {
            let by = VerifiedBy::parse(text);
            assert!(!proof(by).proves("maria.garcia@example.com"), "{text}");
        }
        assert_eq!(VerifiedBy::parse("code"), VerifiedBy::Code);
    }
}
