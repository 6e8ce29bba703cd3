//! Roles and what each may do. Scope (which unit subtree) is checked by the caller against the
//! grant's unit; this module answers "may this role do this at all".

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Learner,
    Helper,
    Author,
    Inspector,
    Officer,
    SteeringAdmin,
    SystemAdmin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ViewUnits,
    ManageUnits,
    ViewDenominators,
    ManageDenominators,
    ViewPeople,
    ManagePeople,
    ImportPeople,
    RegisterPerson,
    UnmaskPersonalId,
    ResetPassword,
    GrantRoles,
    ViewAudit,
    ExportPeople,
    ManageApiTokens,
    /// Learning figures of a unit subtree: who enrolled, started, completed (counts, no names).
    ViewLearning,
    /// Write drafts of the lessons of courses owned in scope and send them for review.
    AuthorContent,
    /// Publish (or return) what another person sent for review; the four-eyes rule is the use
    /// case's, since it needs the stored draft.
    PublishContent,
    /// Correct the titles, descriptions and source notes of a stored framework (the steering
    /// committee at the country's level: a framework is national).
    ManageFrameworks,
    /// Set the levels each target group must reach, per year, for a province or the country.
    SetRequirements,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Learner,
        Role::Helper,
        Role::Author,
        Role::Inspector,
        Role::Officer,
        Role::SteeringAdmin,
        Role::SystemAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Helper => "helper",
            Role::Author => "author",
            Role::Inspector => "inspector",
            Role::Officer => "officer",
            Role::SteeringAdmin => "steering_admin",
            Role::SystemAdmin => "system_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("role-{}", self.as_str())
    }

    /// The single table of permissions. Inspectors read everything in scope and change nothing.
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Learner => false,
            Role::Helper => matches!(action, ViewUnits | ViewPeople | RegisterPerson),
            Role::Author => matches!(action, ViewUnits | AuthorContent | PublishContent),
            Role::Inspector => matches!(
                action,
                ViewUnits | ViewDenominators | ViewPeople | ViewAudit | ViewLearning
            ),
            Role::Officer => !matches!(
                action,
                ViewAudit | AuthorContent | PublishContent | ManageFrameworks | SetRequirements
            ),
            Role::SteeringAdmin | Role::SystemAdmin => true,
        }
    }

    /// Whether a holder of `self` on a scope may grant `other`. The scope rule — the grant must be
    /// inside the granter's subtree, and strictly narrower unless the role granted is lower — is
    /// applied by [`may_grant`].
    fn may_grant_role(self, other: Role) -> bool {
        match self {
            Role::SystemAdmin => true,
            Role::SteeringAdmin => other != Role::SystemAdmin,
            Role::Officer => matches!(other, Role::Helper | Role::Officer | Role::Learner),
            _ => false,
        }
    }
}

/// May someone holding `granter` on `granter_path` grant `role` on `target_path`?
/// Paths are materialised unit paths ("/1/25/"), so containment is a prefix test.
pub fn may_grant(granter: Role, granter_path: &str, role: Role, target_path: &str) -> bool {
    if !granter.may_grant_role(role) || !target_path.starts_with(granter_path) {
        return false;
    }
    let strictly_wider = target_path.len() > granter_path.len();
    strictly_wider || role < granter || granter == Role::SystemAdmin
}

/// May someone holding `actor` grants act on an account holding `target` grants (reset its
/// password, change or revoke its roles)? Only when every grant of the account is one the actor
/// could have granted: otherwise acting on it (a reset, then signing in with the temporary
/// password) would hand the actor rights wider than their own. An account with no grant (a
/// resident) is anyone's to help, within the scope the caller checks for the person.
pub fn may_act_on_account<'a, 'b>(
    actor: impl IntoIterator<Item = (Role, &'a str)> + Clone,
    target: impl IntoIterator<Item = (Role, &'b str)>,
) -> bool {
    target.into_iter().all(|(role, path)| {
        actor
            .clone()
            .into_iter()
            .any(|(mine, my_path)| may_grant(mine, my_path, role, path))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspector_is_read_only() {
        for a in [
            Action::ManagePeople,
            Action::ImportPeople,
            Action::ResetPassword,
            Action::GrantRoles,
        ] {
            assert!(!Role::Inspector.allows(a));
        }
        assert!(Role::Inspector.allows(Action::ViewAudit));
    }

    #[test]
    fn content_is_written_by_authors_and_published_by_authors_or_the_steering_committee() {
        let writers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.allows(Action::AuthorContent))
            .collect();
        assert_eq!(writers, vec![Role::Author, Role::SteeringAdmin, Role::SystemAdmin]);
        let publishers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.allows(Action::PublishContent))
            .collect();
        assert_eq!(publishers, writers);
    }

    #[test]
    fn frameworks_and_requirements_are_the_steering_committees() {
        for a in [Action::ManageFrameworks, Action::SetRequirements] {
            let who: Vec<Role> = Role::ALL.into_iter().filter(|r| r.allows(a)).collect();
            assert_eq!(who, vec![Role::SteeringAdmin, Role::SystemAdmin], "{a:?}");
        }
    }

    #[test]
    fn granting_needs_a_wider_scope() {
        assert!(may_grant(Role::SteeringAdmin, "/1/", Role::Officer, "/1/20/"));
        assert!(may_grant(Role::SteeringAdmin, "/1/", Role::SteeringAdmin, "/1/20/"));
        assert!(!may_grant(Role::SteeringAdmin, "/1/", Role::SteeringAdmin, "/1/"));
        assert!(!may_grant(Role::SteeringAdmin, "/1/", Role::Officer, "/2/20/"));
        assert!(!may_grant(Role::Officer, "/1/20/", Role::SteeringAdmin, "/1/20/30/"));
        assert!(may_grant(Role::Officer, "/1/20/", Role::Helper, "/1/20/"));
        assert!(!may_grant(Role::Inspector, "/1/", Role::Helper, "/1/20/"));
    }

    #[test]
    fn acting_on_an_account_needs_every_grant_within_reach() {
        let officer = [(Role::Officer, "/1/20/")];
        // A resident with no grant, or helpers and learners of the commune: the officer may.
        assert!(may_act_on_account(officer, []));
        assert!(may_act_on_account(officer, [(Role::Helper, "/1/20/30/")]));
        assert!(may_act_on_account(
            officer,
            [(Role::Learner, "/1/20/"), (Role::Helper, "/1/20/")]
        ));
        // One province-wide role among narrow ones is enough to refuse.
        assert!(!may_act_on_account(
            officer,
            [(Role::Helper, "/1/20/"), (Role::SteeringAdmin, "/1/")]
        ));
        assert!(!may_act_on_account(officer, [(Role::Officer, "/1/")]));
        // The same role on the same scope is a peer, not a subordinate.
        assert!(!may_act_on_account(officer, [(Role::Officer, "/1/20/")]));
        // A grant in another commune is out of reach.
        assert!(!may_act_on_account(officer, [(Role::Helper, "/1/21/")]));
        // An inspector grants nothing, so may act only on accounts without grants.
        assert!(!may_act_on_account(
            [(Role::Inspector, "/1/")],
            [(Role::Helper, "/1/20/")]
        ));
        // The province, holding a wider role, may.
        let province = [(Role::SteeringAdmin, "/1/")];
        assert!(may_act_on_account(
            province,
            [(Role::Officer, "/1/"), (Role::Helper, "/1/20/")]
        ));
        assert!(!may_act_on_account(province, [(Role::SystemAdmin, "/")]));
        // Any one of the actor's grants may cover each of the account's grants.
        assert!(may_act_on_account(
            [(Role::Officer, "/1/20/"), (Role::Officer, "/1/21/")],
            [(Role::Helper, "/1/20/"), (Role::Helper, "/1/21/5/")]
        ));
    }
}
