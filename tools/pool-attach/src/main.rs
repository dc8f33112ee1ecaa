//! `pool-attach --user-pool-id ID --stack-outputs outputs.json [--only a,b] [--apply]`
//!
//! Shows which trigger points of an existing user pool would change, which stay and
//! which function of someone else's would be replaced, and with `--apply` writes the
//! pool's `LambdaConfig` back through `UpdateUserPool` carrying every other setting,
//! then reads the pool again and compares every field. `--detach` takes this stack's
//! functions out. Exit status: 0 planned or written as planned, 1 refused or failed.

use std::collections::BTreeSet;
use std::process::ExitCode;

use clap::Parser;
use pool_attach::aws::{self, Clients};
use pool_attach::carry::COMPARED;
use pool_attach::outputs::{self, Offer};
use pool_attach::plan::Plan;
use pool_attach::points::{self, Point, TokenVersion};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Attaches this stack's trigger functions to a user pool you already have, changing nothing else"
)]
struct Args {
    /// The pool (e.g. eu-west-1_AbCdEf123).
    #[arg(long, env = "USER_POOL_ID")]
    user_pool_id: String,
    /// The stack's outputs as JSON: `aws cloudformation describe-stacks --stack-name S
    /// --query 'Stacks[0].Outputs'`, `sam list stack-outputs --output json`, or an object.
    #[arg(long, required_unless_present = "function")]
    stack_outputs: Option<std::path::PathBuf>,
    /// A function by hand, TRIGGER=ARN (e.g. user-migration=arn:aws:lambda:...); repeatable.
    #[arg(long = "function", value_name = "TRIGGER=ARN")]
    function: Vec<String>,
    /// Only these triggers (e.g. pre-token-generation,user-migration); every one the
    /// stack has when not given.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// The pre token generation event version: V1_0 (ID token), V2_0 (and access
    /// token; Essentials or Plus tier), V3_0 (and machine tokens). Default: the stack's
    /// PreTokenGenerationVersion output, else V1_0.
    #[arg(long, value_parser = points::parse_version)]
    pre_token_version: Option<TokenVersion>,
    /// Replace a function this stack did not put there.
    #[arg(long)]
    replace: bool,
    /// Take this stack's functions out instead.
    #[arg(long)]
    detach: bool,
    /// Write the change (without it, only the plan is shown).
    #[arg(long)]
    apply: bool,
    /// A Cognito endpoint other than AWS's (a local stand-in).
    #[arg(long)]
    endpoint_url: Option<String>,
}

fn offer(args: &Args) -> Result<Offer, String> {
    match &args.stack_outputs {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let mut offer = outputs::parse(&text, args.pre_token_version)?;
            // --function adds to (or overrides) what the outputs name.
            let extra = by_hand(args)?;
            offer.targets.extend(extra.targets);
            Ok(offer)
        }
        None => by_hand(args),
    }
}

fn by_hand(args: &Args) -> Result<Offer, String> {
    if args.function.is_empty() {
        return Ok(Offer::default());
    }
    let mut pairs = Vec::new();
    for item in &args.function {
        let (name, arn) = item
            .split_once('=')
            .ok_or_else(|| format!("--function {item:?}: expected TRIGGER=ARN"))?;
        if Point::from_trigger(name).is_none() {
            return Err(format!("--function {name}: not a trigger ({})", names()));
        }
        pairs.push((name, arn));
    }
    outputs::from_pairs(pairs, args.pre_token_version.unwrap_or(TokenVersion::V1))
}

fn names() -> String {
    Point::ALL
        .iter()
        .map(|p| p.trigger())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn run(args: Args) -> Result<(), String> {
    let offer = offer(&args)?;
    let mut only = BTreeSet::new();
    for name in &args.only {
        only.insert(
            Point::from_trigger(name)
                .ok_or_else(|| format!("--only {name}: not a trigger ({})", names()))?,
        );
    }
    let clients = Clients::new(args.endpoint_url.as_deref()).await;
    let before = aws::describe(&clients.idp, &args.user_pool_id).await?;
    let current = points::read(before.lambda_config());
    let plan = if args.detach {
        Plan::detach(&current, &offer.ours(), (!only.is_empty()).then_some(&only))
    } else {
        Plan::attach(
            &current,
            &offer.narrowed(&only)?,
            &offer.ours(),
            args.replace,
        )
    };
    let tier = before.user_pool_tier().map(|t| t.as_str().to_owned());
    println!(
        "user pool {} ({}), tier {}",
        args.user_pool_id,
        before.name().unwrap_or("unnamed"),
        tier.as_deref().unwrap_or("not reported")
    );
    print!("{}", plan.render());
    if let Some(Some(token)) = plan.changes().get(&Point::PreTokenGeneration) {
        let version = token.version.unwrap_or(TokenVersion::V1);
        let name = version.lambda_version();
        if points::needs_essentials(version) && tier.as_deref() == Some("LITE") {
            return Err(format!(
                "pre token generation {name} customises access tokens, which needs the Essentials or Plus tier; the pool is Lite (--pre-token-version V1_0, or change the pool's tier first)"
            ));
        }
    }
    let refused = plan.refused();
    if !refused.is_empty() {
        let list: Vec<_> = refused.iter().map(|p| p.cognito_name()).collect();
        return Err(format!("{} hold(s) a function this stack did not put there; nothing written (--replace replaces it)", list.join(", ")));
    }
    let changes = plan.changes();
    if changes.is_empty() {
        println!("nothing to change");
        return Ok(());
    }
    if !args.apply {
        println!("dry run: nothing written; --apply writes these {} change(s), carrying every other setting", changes.len());
        return Ok(());
    }
    let config = points::write(before.lambda_config(), &changes)?;
    let written = aws::write(&clients.idp, &before, config).await?;
    if !written.moved.is_empty() {
        return Err(format!(
            "written, but the pool read back differs besides the triggers in: {} (compare with the plan above)",
            written.moved.join(", ")
        ));
    }
    if !written.triggers_as_planned {
        return Err("written, but the pool's triggers read back are not the ones planned".into());
    }
    println!(
        "written: {} change(s); the pool read back has every other field as it was ({} fields compared)",
        changes.len(),
        COMPARED.len()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pool-attach: {e}");
            ExitCode::from(1)
        }
    }
}
