//! The template language of the catalogs and layouts, and its parser. build.rs
//! compiles this file too: it parses every shipped template at build time and writes
//! the result out as static data, so the library holds the variables and the shapes
//! but runs no parser.
//!
//! The language is the part of Jinja the texts use, with Jinja's meaning:
//! `{{ var }}` writes a value (HTML-escaped in an HTML template unless the value is
//! already HTML), `{% if var %}…{% endif %}` keeps its body when the value is a
//! non-empty text, a `-` inside a tag's braces (`{%-`, `-%}`, `{{-`, `-}}`) removes
//! the whitespace on that side, and one newline at the end of a template is dropped.

/// Every name a template may mention. A template naming another fails the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    // What a catalog string may mention.
    AppName,
    Name,
    Code,
    Username,
    SupportEmail,
    Time,
    // What a layout is filled with.
    Lang,
    Subject,
    Heading,
    Greeting,
    Intro,
    Link,
    LinkIntro,
    LinkLabel,
    Ignore,
    Footer,
    Details,
    When,
    Advice,
}

impl Var {
    pub const COUNT: usize = 19;
    pub const ALL: [Var; Var::COUNT] = [
        Var::AppName,
        Var::Name,
        Var::Code,
        Var::Username,
        Var::SupportEmail,
        Var::Time,
        Var::Lang,
        Var::Subject,
        Var::Heading,
        Var::Greeting,
        Var::Intro,
        Var::Link,
        Var::LinkIntro,
        Var::LinkLabel,
        Var::Ignore,
        Var::Footer,
        Var::Details,
        Var::When,
        Var::Advice,
    ];

    /// The name a template writes.
    pub fn name(self) -> &'static str {
        match self {
            Var::AppName => "app_name",
            Var::Name => "name",
            Var::Code => "code",
            Var::Username => "username",
            Var::SupportEmail => "support_email",
            Var::Time => "time",
            Var::Lang => "lang",
            Var::Subject => "subject",
            Var::Heading => "heading",
            Var::Greeting => "greeting",
            Var::Intro => "intro",
            Var::Link => "link",
            Var::LinkIntro => "link_intro",
            Var::LinkLabel => "link_label",
            Var::Ignore => "ignore",
            Var::Footer => "footer",
            Var::Details => "details",
            Var::When => "when",
            Var::Advice => "advice",
        }
    }

    pub fn from_name(name: &str) -> Option<Var> {
        Var::ALL.into_iter().find(|v| v.name() == name)
    }
}

/// A parsed template: text, values and conditional parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Text(String),
    Var(Var),
    If(Var, Vec<Parsed>),
}

impl Parsed {
    /// Every variable this template mentions, in order, with repeats.
    pub fn vars(nodes: &[Parsed], out: &mut Vec<Var>) {
        for node in nodes {
            match node {
                Parsed::Text(_) => {}
                Parsed::Var(v) => out.push(*v),
                Parsed::If(v, body) => {
                    out.push(*v);
                    Parsed::vars(body, out);
                }
            }
        }
    }
}

/// Parses one template; the error says what is wrong and where.
pub fn parse(source: &str) -> Result<Vec<Parsed>, String> {
    let source = source.strip_suffix('\n').unwrap_or(source);
    let source = source.strip_suffix('\r').unwrap_or(source);
    // The open `if`s, innermost last: its variable and the nodes before it.
    let mut open: Vec<(Var, Vec<Parsed>)> = Vec::new();
    let mut nodes: Vec<Parsed> = Vec::new();
    let mut rest = source;
    let mut trim_next = false;
    loop {
        let next = [rest.find("{{"), rest.find("{%")]
            .into_iter()
            .flatten()
            .min();
        let (text, tag) = match next {
            Some(at) => (&rest[..at], Some(&rest[at..])),
            None => (rest, None),
        };
        let mut text = if trim_next { text.trim_start() } else { text };
        let Some(tag) = tag else {
            push_text(&mut nodes, text);
            break;
        };
        let block = tag.starts_with("{%");
        let close = if block { "%}" } else { "}}" };
        let end = tag[2..]
            .find(close)
            .ok_or_else(|| format!("unclosed tag at byte {}", source.len() - tag.len()))?
            + 2;
        let mut inner = &tag[2..end];
        if let Some(i) = inner.strip_prefix('-') {
            text = text.trim_end();
            inner = i;
        }
        trim_next = false;
        if let Some(i) = inner.strip_suffix('-') {
            trim_next = true;
            inner = i;
        }
        push_text(&mut nodes, text);
        let words: Vec<&str> = inner.split_whitespace().collect();
        match (block, words.as_slice()) {
            (false, [name]) => nodes.push(Parsed::Var(var(name)?)),
            (true, ["if", name]) => {
                let v = var(name)?;
                open.push((v, std::mem::take(&mut nodes)));
            }
            (true, ["endif"]) => {
                let (v, before) = open.pop().ok_or("endif without if")?;
                let body = std::mem::replace(&mut nodes, before);
                nodes.push(Parsed::If(v, body));
            }
            _ => return Err(format!("unsupported tag {:?}", &tag[..end + 2])),
        }
        rest = &tag[end + 2..];
    }
    match open.last() {
        Some((v, _)) => Err(format!("if {} is never closed", v.name())),
        None => Ok(nodes),
    }
}

fn var(name: &str) -> Result<Var, String> {
    Var::from_name(name).ok_or_else(|| format!("unknown variable {name:?}"))
}

fn push_text(nodes: &mut Vec<Parsed>, text: &str) {
    if !text.is_empty() {
        nodes.push(Parsed::Text(text.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Parsed {
        Parsed::Text(t.to_owned())
    }

    #[test]
    fn values_conditions_and_whitespace_control() {
        assert_eq!(
            parse("Hello {{ name }},\n").unwrap(),
            [text("Hello "), Parsed::Var(Var::Name), text(",")]
        );
        assert_eq!(
            parse("a\n  {%- if link %}\n<p>{{link}}</p>\n{%- endif -%}\n  b").unwrap(),
            [
                text("a"),
                Parsed::If(
                    Var::Link,
                    vec![text("\n<p>"), Parsed::Var(Var::Link), text("</p>")]
                ),
                text("b"),
            ]
        );
        // Only one newline at the end is dropped.
        assert_eq!(parse("x\n\n").unwrap(), [text("x\n")]);
    }

    #[test]
    fn mistakes_are_refused_with_a_reason() {
        for (source, reason) in [
            ("{{ nmae }}", "unknown variable \"nmae\""),
            ("{% if code %}x", "if code is never closed"),
            ("x{% endif %}", "endif without if"),
            ("{{ code", "unclosed tag at byte 0"),
            ("{% for x in y %}{% endfor %}", "unsupported tag"),
            ("{{ code | upper }}", "unsupported tag"),
        ] {
            let err = parse(source).unwrap_err();
            assert!(err.contains(reason), "{source}: {err}");
        }
    }
}
