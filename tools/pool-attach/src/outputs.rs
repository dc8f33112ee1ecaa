//! The stack's outputs: which function goes at which point, and which ARNs are this
//! stack's (the only ones a detach removes and an attach replaces without asking).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::points::{self, Point, Target, TokenVersion};

/// What the stack offers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Offer {
    pub targets: BTreeMap<Point, Target>,
}

impl Offer {
    /// Every ARN of the stack.
    pub fn ours(&self) -> BTreeSet<String> {
        self.targets.values().map(|t| t.arn.clone()).collect()
    }

    /// The targets at the points of `only` (every point when empty); the key comes
    /// with the custom senders, which cannot work without it.
    pub fn narrowed(&self, only: &BTreeSet<Point>) -> Result<BTreeMap<Point, Target>, String> {
        if only.is_empty() {
            return Ok(self.targets.clone());
        }
        let mut out = BTreeMap::new();
        for point in only {
            let target = self.targets.get(point).ok_or_else(|| {
                format!(
                    "the stack has no {} (output {})",
                    point.trigger(),
                    point.output_key()
                )
            })?;
            out.insert(*point, target.clone());
            if point.is_custom_sender() {
                if let Some(key) = self.targets.get(&Point::KmsKey) {
                    out.insert(Point::KmsKey, key.clone());
                }
            }
        }
        Ok(out)
    }
}

/// Reads the outputs as `aws cloudformation describe-stacks` prints them (the whole
/// answer, or `--query 'Stacks[0].Outputs'`), as `sam list stack-outputs --output json`
/// prints them, or as a plain `{"OutputKey": "value"}` object. `version` (from
/// `--pre-token-version`) wins over the stack's `PreTokenGenerationVersion` output.
pub fn parse(text: &str, version: Option<TokenVersion>) -> Result<Offer, String> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("the stack outputs are not JSON: {e}"))?;
    let list = match &doc {
        Value::Object(o) if o.contains_key("Stacks") => {
            doc.pointer("/Stacks/0/Outputs")
                .cloned()
                .ok_or("the describe-stacks answer has no Outputs")?
        }
        other => other.clone(),
    };
    let mut values = BTreeMap::new();
    match list {
        Value::Array(items) => {
            for item in items {
                let key = item.get("OutputKey").and_then(Value::as_str);
                let value = item.get("OutputValue").and_then(Value::as_str);
                match (key, value) {
                    (Some(k), Some(v)) => values.insert(k.to_owned(), v.to_owned()),
                    _ => return Err("an output without OutputKey and OutputValue".into()),
                };
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let v = v
                    .as_str()
                    .ok_or_else(|| format!("output {k} is not a string"))?;
                values.insert(k, v.to_owned());
            }
        }
        _ => return Err("the stack outputs are neither a list nor an object".into()),
    }
    let version = match (version, values.get("PreTokenGenerationVersion")) {
        (Some(v), _) => v,
        (None, Some(text)) => points::parse_version(text)?,
        (None, None) => TokenVersion::V1,
    };
    from_pairs(
        values.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        version,
    )
}

/// The offer of `--function POINT=ARN` arguments or output pairs.
pub fn from_pairs<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    version: TokenVersion,
) -> Result<Offer, String> {
    let mut targets = BTreeMap::new();
    for (key, value) in pairs {
        let point = Point::ALL
            .into_iter()
            .find(|p| p.output_key() == key || p.trigger() == key || p.cognito_name() == key);
        let Some(point) = point else { continue };
        if !value.starts_with("arn:") {
            return Err(format!("{key}: {value:?} is not an ARN"));
        }
        let mut target = Target::arn(value);
        if point == Point::PreTokenGeneration {
            target.version = Some(version);
        }
        targets.insert(point, target);
    }
    if targets.keys().all(|p| *p == Point::KmsKey) {
        return Err(
            "no function ARN among the stack outputs (expected keys such as PreSignupFunctionArn)"
                .into(),
        );
    }
    Ok(Offer { targets })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_each_shape_of_the_outputs() {
        let list = r#"[{"OutputKey":"PreSignupFunctionArn","OutputValue":"arn:aws:lambda:eu-west-1:1:function:a"},
                       {"OutputKey":"PreTokenGenerationFunctionArn","OutputValue":"arn:aws:lambda:eu-west-1:1:function:b"},
                       {"OutputKey":"PreTokenGenerationVersion","OutputValue":"V2_0"},
                       {"OutputKey":"ProfileTableName","OutputValue":"profiles"}]"#;
        let offer = parse(list, None).unwrap();
        assert_eq!(offer.targets.len(), 2);
        assert_eq!(
            offer.targets[&Point::PreTokenGeneration].version,
            Some(TokenVersion::V2)
        );
        let whole = format!(r#"{{"Stacks":[{{"Outputs":{list}}}]}}"#);
        assert_eq!(parse(&whole, None).unwrap(), offer);
        let flat = r#"{"UserMigrationFunctionArn":"arn:aws:lambda:eu-west-1:1:function:m"}"#;
        assert!(parse(flat, Some(TokenVersion::V3))
            .unwrap()
            .targets
            .contains_key(&Point::UserMigration));
        assert!(parse(r#"{"ProfileTableName":"p"}"#, None)
            .unwrap_err()
            .contains("no function ARN"));
        assert!(parse(r#"{"PreSignupFunctionArn":"pre-signup"}"#, None)
            .unwrap_err()
            .contains("not an ARN"));
    }

    #[test]
    fn a_custom_sender_brings_its_key() {
        let offer = from_pairs(
            [
                ("CustomEmailSenderFunctionArn", "arn:e"),
                ("CodeKeyArn", "arn:k"),
                ("PreSignupFunctionArn", "arn:p"),
            ],
            TokenVersion::V1,
        )
        .unwrap();
        let narrowed = offer
            .narrowed(&BTreeSet::from([Point::CustomEmailSender]))
            .unwrap();
        assert_eq!(
            narrowed.keys().copied().collect::<Vec<_>>(),
            vec![Point::CustomEmailSender, Point::KmsKey]
        );
        assert!(offer
            .narrowed(&BTreeSet::from([Point::UserMigration]))
            .is_err());
    }
}
