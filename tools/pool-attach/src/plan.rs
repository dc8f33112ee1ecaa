//! What an attach or a detach would change, point by point, decided before anything is
//! written: a function this stack did not put there is never replaced unless asked.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::points::{Point, Target};

/// What happens at one point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Empty now; ours is attached.
    Attach(Target),
    /// Ours already, as wanted.
    Unchanged,
    /// Ours, at another ARN or version: ours as wanted replaces it.
    Update { from: Target, to: Target },
    /// Someone else's; replaced by ours because `--replace` was given.
    Replace { theirs: Target, to: Target },
    /// Someone else's; ours is not attached (no `--replace`).
    Refused { theirs: Target, wanted: Target },
    /// Ours; removed.
    Detach(Target),
    /// Someone else's, or ours but not asked for: left as it is.
    Stays(Target),
}

impl Action {
    /// The change to write at this point, if any.
    pub fn change(&self) -> Option<Option<Target>> {
        match self {
            Action::Attach(to) | Action::Update { to, .. } | Action::Replace { to, .. } => {
                Some(Some(to.clone()))
            }
            Action::Detach(_) => Some(None),
            Action::Unchanged | Action::Refused { .. } | Action::Stays(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub steps: BTreeMap<Point, Action>,
}

impl Plan {
    /// Attaching `wanted` (this stack's targets, already narrowed to the points asked
    /// for) to a pool whose points hold `current`; `ours` is every ARN of this stack.
    pub fn attach(
        current: &BTreeMap<Point, Target>,
        wanted: &BTreeMap<Point, Target>,
        ours: &BTreeSet<String>,
        replace: bool,
    ) -> Plan {
        let mut steps = BTreeMap::new();
        for (&point, want) in wanted {
            let action = match current.get(&point) {
                None => Action::Attach(want.clone()),
                Some(now) if now == want => Action::Unchanged,
                Some(now) if ours.contains(&now.arn) => Action::Update {
                    from: now.clone(),
                    to: want.clone(),
                },
                Some(now) if replace => Action::Replace {
                    theirs: now.clone(),
                    to: want.clone(),
                },
                Some(now) => Action::Refused {
                    theirs: now.clone(),
                    wanted: want.clone(),
                },
            };
            steps.insert(point, action);
        }
        for (&point, now) in current {
            steps
                .entry(point)
                .or_insert_with(|| Action::Stays(now.clone()));
        }
        Plan { steps }
    }

    /// Removing this stack's functions (those of `ours`, at the points of `only` when
    /// given). The custom senders' key goes too once no custom sender is left.
    pub fn detach(
        current: &BTreeMap<Point, Target>,
        ours: &BTreeSet<String>,
        only: Option<&BTreeSet<Point>>,
    ) -> Plan {
        let asked = |p: &Point| only.is_none_or(|o| o.contains(p));
        let mut steps = BTreeMap::new();
        for (&point, now) in current {
            let action = if point != Point::KmsKey && ours.contains(&now.arn) && asked(&point) {
                Action::Detach(now.clone())
            } else {
                Action::Stays(now.clone())
            };
            steps.insert(point, action);
        }
        let senders_left = steps
            .iter()
            .any(|(p, a)| p.is_custom_sender() && matches!(a, Action::Stays(_)));
        if let Some(Action::Stays(key)) = steps.get(&Point::KmsKey) {
            if ours.contains(&key.arn) && !senders_left {
                let key = key.clone();
                steps.insert(Point::KmsKey, Action::Detach(key));
            }
        }
        Plan { steps }
    }

    pub fn changes(&self) -> BTreeMap<Point, Option<Target>> {
        self.steps
            .iter()
            .filter_map(|(p, a)| a.change().map(|c| (*p, c)))
            .collect()
    }

    pub fn refused(&self) -> Vec<Point> {
        self.steps
            .iter()
            .filter(|(_, a)| matches!(a, Action::Refused { .. }))
            .map(|(p, _)| *p)
            .collect()
    }

    /// The plan as a person reads it: a line per point, what is there and what happens.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.steps.is_empty() {
            out.push_str("  (no trigger attached, and none to attach)\n");
        }
        for (point, action) in &self.steps {
            let name = point.cognito_name();
            let _ = match action {
                Action::Attach(to) => writeln!(out, "  + {name:<28} attach   {to}"),
                Action::Unchanged => writeln!(out, "  = {name:<28} already attached"),
                Action::Update { from, to } => writeln!(out, "  ~ {name:<28} update   {from} -> {to}"),
                Action::Replace { theirs, to } => {
                    writeln!(out, "  ! {name:<28} REPLACE  {theirs} (not this stack's) -> {to}")
                }
                Action::Refused { theirs, wanted } => writeln!(
                    out,
                    "  x {name:<28} refused  {theirs} is not this stack's: {wanted} is not attached (--replace replaces it)"
                ),
                Action::Detach(now) => writeln!(out, "  - {name:<28} detach   {now}"),
                Action::Stays(now) => writeln!(out, "    {name:<28} stays    {now}"),
            };
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(arn: &str) -> Target {
        Target::arn(arn)
    }

    #[test]
    fn someone_elses_function_is_kept_unless_replace_is_given() {
        let current = BTreeMap::from([
            (Point::PreSignUp, t("theirs")),
            (Point::CustomMessage, t("their-message")),
        ]);
        let wanted = BTreeMap::from([
            (Point::PreSignUp, t("ours-signup")),
            (Point::UserMigration, t("ours-migration")),
        ]);
        let ours = BTreeSet::from(["ours-signup".to_owned(), "ours-migration".to_owned()]);
        let plan = Plan::attach(&current, &wanted, &ours, false);
        assert_eq!(plan.refused(), vec![Point::PreSignUp]);
        assert_eq!(
            plan.changes(),
            BTreeMap::from([(Point::UserMigration, Some(t("ours-migration")))])
        );
        assert_eq!(
            plan.steps[&Point::CustomMessage],
            Action::Stays(t("their-message"))
        );
        let plan = Plan::attach(&current, &wanted, &ours, true);
        assert!(plan.refused().is_empty());
        assert_eq!(plan.changes()[&Point::PreSignUp], Some(t("ours-signup")));
        assert!(plan
            .render()
            .contains("REPLACE  theirs (not this stack's) -> ours-signup"));
    }

    #[test]
    fn detach_removes_ours_only_and_the_key_once_no_sender_is_left() {
        let current = BTreeMap::from([
            (Point::CustomEmailSender, t("ours-email")),
            (Point::CustomSmsSender, t("their-sms")),
            (Point::KmsKey, t("our-key")),
            (Point::PostAuthentication, t("ours-post")),
        ]);
        let ours = BTreeSet::from([
            "ours-email".to_owned(),
            "our-key".to_owned(),
            "ours-post".to_owned(),
        ]);
        let plan = Plan::detach(&current, &ours, None);
        // Their SMS sender still needs the key.
        assert_eq!(
            plan.changes(),
            BTreeMap::from([
                (Point::CustomEmailSender, None),
                (Point::PostAuthentication, None)
            ])
        );
        let mut without_theirs = current.clone();
        without_theirs.remove(&Point::CustomSmsSender);
        let plan = Plan::detach(
            &without_theirs,
            &ours,
            Some(&BTreeSet::from([Point::CustomEmailSender])),
        );
        assert_eq!(
            plan.changes(),
            BTreeMap::from([(Point::CustomEmailSender, None), (Point::KmsKey, None)])
        );
    }
}
