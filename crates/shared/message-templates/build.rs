//! Compiles the catalogs (`locales/<lang>.toml`) and the layouts (`templates/`) into
//! static data: every string parsed, every variable checked against what its
//! message sets, so a mistake in a text fails the build and a message costs no
//! parsing, no catalog loading and no template set-up when a function starts.

use std::collections::BTreeSet;
use std::fmt::Write as _;

#[path = "src/syntax.rs"]
#[allow(dead_code)]
mod syntax;

use syntax::{parse, Parsed, Var};

/// The shipped languages, in the order they are listed.
const LANGUAGES: [&str; 4] = ["en", "fr", "de", "es"];

/// Cognito's messages: one section each, these fields.
const MESSAGE_SECTIONS: [&str; 8] = [
    "sign_up",
    "admin_create_user",
    "resend_code",
    "forgot_password",
    "update_user_attribute",
    "verify_user_attribute",
    "authentication",
    // The passwordless sign-in link (create-auth-challenge), not one of Cognito's.
    "sign_in_link",
];
const MESSAGE_FIELDS: [&str; 4] = ["subject", "heading", "intro", "sms"];
/// A message with a link of its own says what it is (else `[common]` does).
const MESSAGE_OPTIONAL_FIELDS: [&str; 2] = ["link_intro", "link_label"];
const MESSAGE_VARS: [Var; 5] = [
    Var::AppName,
    Var::Name,
    Var::Code,
    Var::Username,
    Var::SupportEmail,
];

/// The notices this project sends itself.
const NOTICE_SECTIONS: [&str; 4] = [
    "new_sign_in",
    "welcome",
    "password_changed",
    "risky_sign_in",
];
const NOTICE_VARS: [Var; 4] = [Var::AppName, Var::Name, Var::SupportEmail, Var::Time];

/// Shared by messages and notices, so they may mention what both set.
const COMMON_FIELDS: [&str; 6] = [
    "greeting",
    "greeting_anonymous",
    "ignore",
    "footer",
    "link_intro",
    "link_label",
];
const COMMON_VARS: [Var; 3] = [Var::AppName, Var::Name, Var::SupportEmail];

/// The layouts and what the renderer fills each with.
const LAYOUTS: [(&str, &str, &[Var]); 3] = [
    (
        "EMAIL_HTML",
        "email.html",
        &[
            Var::Lang,
            Var::Subject,
            Var::Heading,
            Var::Greeting,
            Var::Intro,
            Var::Code,
            Var::Details,
            Var::Link,
            Var::LinkIntro,
            Var::LinkLabel,
            Var::Ignore,
            Var::Footer,
        ],
    ),
    (
        "MESSAGE_TEXT",
        "message.txt",
        &[
            Var::Greeting,
            Var::Intro,
            Var::Code,
            Var::Link,
            Var::LinkIntro,
            Var::Ignore,
            Var::Footer,
        ],
    ),
    (
        "NOTICE_TEXT",
        "notice.txt",
        &[
            Var::Greeting,
            Var::Intro,
            Var::When,
            Var::Advice,
            Var::Footer,
        ],
    ),
];

fn main() {
    println!("cargo::rerun-if-changed=src/syntax.rs");
    println!("cargo::rerun-if-changed=locales");
    println!("cargo::rerun-if-changed=templates");
    let written = generate().and_then(|code| {
        let out =
            std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("compiled.rs");
        std::fs::write(out, code).map_err(|e| format!("writing the compiled templates: {e}"))
    });
    if let Err(e) = written {
        // Fails the build with the reason as cargo's error.
        println!("cargo::error=message templates: {e}");
    }
}

fn generate() -> Result<String, String> {
    let mut code = String::new();
    for (name, file, allowed) in LAYOUTS {
        let source = read(&format!("templates/{file}"))?;
        let nodes = checked(&source, allowed).map_err(|e| format!("templates/{file}: {e}"))?;
        let _ = writeln!(code, "static {name}: &[Node] = {};", emit(&nodes));
    }
    let _ = writeln!(
        code,
        "static CATALOGS: [(&str, Catalog); {}] = [",
        LANGUAGES.len()
    );
    for lang in LANGUAGES {
        let path = format!("locales/{lang}.toml");
        let catalog = catalog(&read(&path)?).map_err(|e| format!("{path}: {e}"))?;
        let _ = writeln!(code, "(\"{lang}\", {catalog}),");
    }
    code.push_str("];\n");
    Ok(code)
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
}

/// One catalog as a `Catalog` literal; every section and field required, no others.
fn catalog(source: &str) -> Result<String, String> {
    let table: toml::Table = toml::from_str(source).map_err(|e| e.to_string())?;
    let known: BTreeSet<&str> = ["language", "common"]
        .into_iter()
        .chain(MESSAGE_SECTIONS)
        .chain(NOTICE_SECTIONS)
        .collect();
    if let Some(extra) = table.keys().find(|k| !known.contains(k.as_str())) {
        return Err(format!("unknown section or key {extra:?}"));
    }
    let language = table
        .get("language")
        .and_then(toml::Value::as_str)
        .ok_or("`language` (the language's own name) is missing")?;
    let mut out = format!("Catalog {{ language: {language:?}, common: Common {{ ");
    out += &fields(&table, "common", &COMMON_FIELDS, &[], &COMMON_VARS)?;
    out += " }, ";
    for section in MESSAGE_SECTIONS {
        let texts = fields(
            &table,
            section,
            &MESSAGE_FIELDS,
            &MESSAGE_OPTIONAL_FIELDS,
            &MESSAGE_VARS,
        )?;
        let _ = write!(out, "{section}: Texts {{ {texts} }}, ");
    }
    for section in NOTICE_SECTIONS {
        let texts = fields(
            &table,
            section,
            &["subject", "heading", "intro", "advice"],
            &["when"],
            &NOTICE_VARS,
        )?;
        let _ = write!(out, "{section}: NoticeTexts {{ {texts} }}, ");
    }
    out.push('}');
    Ok(out)
}

/// The fields of one section as `name: <nodes>, …` (optional ones as `Some`/`None`).
fn fields(
    table: &toml::Table,
    section: &str,
    required: &[&str],
    optional: &[&str],
    allowed: &[Var],
) -> Result<String, String> {
    let texts = table
        .get(section)
        .and_then(toml::Value::as_table)
        .ok_or_else(|| format!("section [{section}] is missing"))?;
    if let Some(extra) = texts
        .keys()
        .find(|k| !required.contains(&k.as_str()) && !optional.contains(&k.as_str()))
    {
        return Err(format!("[{section}] has an unknown field {extra:?}"));
    }
    let mut out = String::new();
    for (field, is_required) in required
        .iter()
        .map(|f| (f, true))
        .chain(optional.iter().map(|f| (f, false)))
    {
        let nodes = match texts.get(*field) {
            None if is_required => return Err(format!("[{section}] {field} is missing")),
            None => None,
            Some(value) => {
                let text = value
                    .as_str()
                    .ok_or_else(|| format!("[{section}] {field} is not a string"))?;
                if text.trim().is_empty() {
                    return Err(format!("[{section}] {field} is empty"));
                }
                let nodes =
                    checked(text, allowed).map_err(|e| format!("[{section}] {field}: {e}"))?;
                Some(emit(&nodes))
            }
        };
        let value = match (nodes, is_required) {
            (Some(n), true) => n,
            (Some(n), false) => format!("Some({n})"),
            (None, _) => "None".to_owned(),
        };
        let _ = write!(out, "{field}: {value}, ");
    }
    Ok(out)
}

/// Parses a template and refuses a variable its renderer does not set.
fn checked(source: &str, allowed: &[Var]) -> Result<Vec<Parsed>, String> {
    let nodes = parse(source)?;
    let mut used = Vec::new();
    Parsed::vars(&nodes, &mut used);
    match used.into_iter().find(|v| !allowed.contains(v)) {
        Some(v) => Err(format!(
            "mentions {}, which is not set here (it may mention {})",
            v.name(),
            allowed
                .iter()
                .map(|v| v.name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => Ok(nodes),
    }
}

/// Parsed nodes as a `&[Node]` literal.
fn emit(nodes: &[Parsed]) -> String {
    let mut out = String::from("&[");
    for node in nodes {
        match node {
            Parsed::Text(text) => {
                let _ = write!(out, "Node::Text({text:?}),");
            }
            Parsed::Var(v) => {
                let _ = write!(out, "Node::Var(Var::{v:?}),");
            }
            Parsed::If(v, body) => {
                let _ = write!(out, "Node::If(Var::{v:?}, {}),", emit(body));
            }
        }
    }
    out.push(']');
    out
}
