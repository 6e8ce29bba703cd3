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
            Role::Author => matches!(action, ViewUnits),
            Role::Inspector => matches!(action, ViewUnits | ViewDenominators | ViewPeople | ViewAudit),
            Role::Officer => !matches!(action, ViewAudit),
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
    fn granting_needs_a_wider_scope() {
        assert!(may_grant(Role::SteeringAdmin, "/1/", Role::Officer, "/1/20/"));
        assert!(may_grant(Role::SteeringAdmin, "/1/", Role::SteeringAdmin, "/1/20/"));
        assert!(!may_grant(Role::SteeringAdmin, "/1/", Role::SteeringAdmin, "/1/"));
        assert!(!may_grant(Role::SteeringAdmin, "/1/", Role::Officer, "/2/20/"));
        assert!(!may_grant(Role::Officer, "/1/20/", Role::SteeringAdmin, "/1/20/30/"));
        assert!(may_grant(Role::Officer, "/1/20/", Role::Helper, "/1/20/"));
        assert!(!may_grant(Role::Inspector, "/1/", Role::Helper, "/1/20/"));
    }
}
