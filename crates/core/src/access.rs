//! Access decided by type. Every rule of who may do what where lives in this file as a pure
//! function, and the answer to "may this principal do A here?" is a [`Scope<A>`]: a value that can
//! only be obtained by passing the check. Storage functions that read or change personal data take
//! a scope, so forgetting the check does not compile.
//!
//! Scope is a unit subtree: units carry materialised paths ("/1/25/300/"), and a grant on "/1/25/"
//! covers every path that starts with it.

use crate::roles::{Action, Role, may_grant};
use crate::units::Level;
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;

/// Whether `path` lies inside the subtree rooted at `root` (both materialised paths ending in '/').
/// The one definition of "inside"; [`subtree_bounds`] is the same rule as an index range.
pub fn within(path: &str, root: &str) -> bool {
    root.ends_with('/') && path.starts_with(root)
}

/// The half-open range of paths inside the subtree rooted at `root` ("/1/25/" → ["/1/25/",
/// "/1/250")): a range scan on both databases. '0' is the byte after '/'.
pub fn subtree_bounds(root: &str) -> (String, String) {
    let mut hi = root.trim_end_matches('/').to_string();
    hi.push('0');
    (root.to_string(), hi)
}

/// One role held on one unit subtree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleOn {
    pub role: Role,
    pub unit_path: String,
}

/// Whoever acts: a signed-in account with its roles, or the platform itself (the command line run
/// by the operator of the machine, the demo seeding).
#[derive(Debug, Clone)]
pub struct Principal {
    pub account_id: Option<i64>,
    /// The resident record the account belongs to, if any: the one record it may always see.
    pub person_id: Option<i64>,
    /// Shown in the audit log: the account's display name, or what the platform was doing.
    pub label: String,
    pub ip: String,
    grants: Vec<RoleOn>,
}

/// Why a check failed. Personal data out of sight is [`Denied::Hidden`] (answered as "not found",
/// so not even the record's existence is revealed); everything else is [`Denied::Forbidden`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    Forbidden,
    Hidden,
    /// Acting on an account that holds a role the actor could not have granted (the province must).
    WiderAccount,
}

/// An action known at compile time, so a scope says what it was granted for.
pub trait Act: Send + Sync + 'static {
    const ACTION: Action;
}

/// One zero-sized type per [`Action`]: `Scope<act::ViewPeople>` is the proof a storage function asks for.
pub mod act {
    use super::Act;
    use crate::roles::Action;
    macro_rules! acts {
        ($($name:ident),* $(,)?) => {
            $(
                #[derive(Debug, Clone, Copy)]
                pub struct $name;
                impl Act for $name {
                    const ACTION: Action = Action::$name;
                }
            )*
        };
    }
    acts!(
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
        ViewLearning,
        AuthorContent,
        PublishContent,
        ManageFrameworks,
        SetRequirements,
    );
}

/// Proof that `actor` may do `A` anywhere inside the subtree rooted at [`Scope::root`].
/// Private fields: only [`Principal::authorize`] and its siblings make one.
#[derive(Debug, Clone)]
pub struct Scope<A: Act> {
    root: String,
    account_id: Option<i64>,
    _act: PhantomData<A>,
}

impl<A: Act> Scope<A> {
    fn new(root: &str, account_id: Option<i64>) -> Self {
        Scope {
            root: root.to_string(),
            account_id,
            _act: PhantomData,
        }
    }
    /// The subtree's root path.
    pub fn root(&self) -> &str {
        &self.root
    }
    pub fn contains(&self, path: &str) -> bool {
        within(path, &self.root)
    }
    pub fn bounds(&self) -> (String, String) {
        subtree_bounds(&self.root)
    }
    /// The account the scope was granted to (none for the platform itself).
    pub fn account_id(&self) -> Option<i64> {
        self.account_id
    }
    pub fn action(&self) -> Action {
        A::ACTION
    }
    /// The same right on a smaller subtree inside this one.
    pub fn narrow(&self, path: &str) -> Option<Scope<A>> {
        self.contains(path).then(|| Scope::new(path, self.account_id))
    }
}

/// Proof that the principal is the resident whose record this is.
#[derive(Debug, Clone, Copy)]
pub struct OwnRecord {
    person_id: i64,
}

impl OwnRecord {
    pub fn person_id(&self) -> i64 {
        self.person_id
    }
}

impl Principal {
    pub fn account(account_id: i64, label: &str, ip: &str, grants: Vec<RoleOn>) -> Principal {
        let mut grants = grants;
        // Widest first, so lists and "home" read from the top.
        grants.sort_by(|a, b| {
            let depth = |p: &str| p.matches('/').count();
            depth(&a.unit_path)
                .cmp(&depth(&b.unit_path))
                .then(a.unit_path.cmp(&b.unit_path))
        });
        Principal {
            account_id: Some(account_id),
            person_id: None,
            label: label.to_string(),
            ip: ip.to_string(),
            grants,
        }
    }

    /// The platform acting on its own (command line, demo seeding): every right everywhere.
    pub fn system(label: &str) -> Principal {
        Principal {
            account_id: None,
            person_id: None,
            label: label.to_string(),
            ip: "local".into(),
            grants: vec![RoleOn {
                role: Role::SystemAdmin,
                unit_path: "/".into(),
            }],
        }
    }

    /// The account belongs to this resident (set once, when the account is loaded).
    pub fn for_person(mut self, person_id: Option<i64>) -> Principal {
        self.person_id = person_id;
        self
    }

    /// Proof that the principal is the resident `person_id` (their own record, consent, history).
    pub fn own_record(&self) -> Result<OwnRecord, Denied> {
        match self.person_id {
            Some(person_id) => Ok(OwnRecord { person_id }),
            None => Err(Denied::Hidden),
        }
    }

    pub fn grants(&self) -> &[RoleOn] {
        &self.grants
    }

    /// The widest grant's subtree, for entries about the principal themself.
    pub fn home_path(&self) -> &str {
        self.grants.first().map(|g| g.unit_path.as_str()).unwrap_or("/")
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Some grant whose role allows `action` and whose subtree contains `path`.
    pub fn can(&self, action: Action, path: &str) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.allows(action) && within(path, &g.unit_path))
    }

    /// May do `A` at any unit at all (to show a menu entry, say).
    pub fn can_somewhere(&self, action: Action) -> bool {
        self.grants.iter().any(|g| g.role.allows(action))
    }

    /// The scope for acting on the unit at `path`.
    pub fn authorize<A: Act>(&self, path: &str) -> Result<Scope<A>, Denied> {
        if self.can(A::ACTION, path) {
            Ok(Scope::new(path, self.account_id))
        } else {
            Err(Denied::Forbidden)
        }
    }

    /// The scope for acting on a person living at `path`: out of sight (no right to view people
    /// there) is [`Denied::Hidden`]; in sight but without `A` is [`Denied::Forbidden`].
    pub fn authorize_person<A: Act>(&self, path: &str) -> Result<Scope<A>, Denied> {
        if !self.can(Action::ViewPeople, path) {
            return Err(Denied::Hidden);
        }
        self.authorize(path)
    }

    /// Every subtree where the principal may do `A`, widest first, none inside another.
    pub fn scopes<A: Act>(&self) -> Vec<Scope<A>> {
        let mut roots: Vec<&str> = Vec::new();
        for g in self.grants.iter().filter(|g| g.role.allows(A::ACTION)) {
            if !roots.iter().any(|r| within(&g.unit_path, r)) {
                roots.push(&g.unit_path);
            }
        }
        roots.into_iter().map(|r| Scope::new(r, self.account_id)).collect()
    }

    /// Villages and organisations are managed by whoever may manage units there; the official
    /// provinces and communes only by a steering or system administrator of a wider unit.
    pub fn authorize_unit_change(&self, path: &str, level: Level) -> Result<Scope<act::ManageUnits>, Denied> {
        let allowed = match level {
            Level::Village | Level::Organisation => self.can(Action::ManageUnits, path),
            _ => self.grants.iter().any(|g| {
                matches!(g.role, Role::SteeringAdmin | Role::SystemAdmin)
                    && within(path, &g.unit_path)
                    && path.len() > g.unit_path.len()
            }),
        };
        if allowed {
            Ok(Scope::new(path, self.account_id))
        } else {
            Err(Denied::Forbidden)
        }
    }

    /// New communes (a split, a new ward) are official units: only a steering or system
    /// administrator whose scope contains the province (`parent_path`) may add one.
    pub fn may_add_commune(&self, parent_path: &str) -> bool {
        self.grants
            .iter()
            .any(|g| matches!(g.role, Role::SteeringAdmin | Role::SystemAdmin) && within(parent_path, &g.unit_path))
    }

    /// May act on an account holding `target` roles (reset its password, grant or revoke its
    /// roles): only when every one of them is a role the principal could have granted, otherwise
    /// acting on it would hand the principal rights wider than their own.
    pub fn may_act_on_account<'a>(&self, target: impl IntoIterator<Item = (Role, &'a str)>) -> bool {
        let mine: Vec<(Role, &str)> = self.grants.iter().map(|g| (g.role, g.unit_path.as_str())).collect();
        crate::roles::may_act_on_account(mine.iter().copied(), target)
    }

    pub fn authorize_account<'a>(&self, target: impl IntoIterator<Item = (Role, &'a str)>) -> Result<(), Denied> {
        if self.may_act_on_account(target) {
            Ok(())
        } else {
            Err(Denied::WiderAccount)
        }
    }

    /// May grant `role` on the unit at `path` through one of the principal's grants.
    pub fn may_grant(&self, role: Role, path: &str) -> bool {
        self.grants.iter().any(|g| may_grant(g.role, &g.unit_path, role, path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn officer_of(path: &str) -> Principal {
        Principal::account(
            5,
            "Cán bộ",
            "127.0.0.1",
            vec![RoleOn {
                role: Role::Officer,
                unit_path: path.into(),
            }],
        )
    }

    #[test]
    fn inside_is_a_prefix_of_whole_segments() {
        assert!(within("/1/25/300/", "/1/25/"));
        assert!(within("/1/25/", "/1/25/"));
        assert!(!within("/1/250/", "/1/25/"));
        assert!(!within("/1/2/", "/1/25/"));
        // A root without its trailing slash would let "/1/25" cover "/1/250/": refused.
        assert!(!within("/1/250/", "/1/25"));
        let (lo, hi) = subtree_bounds("/1/25/");
        for (p, inside) in [
            ("/1/25/", true),
            ("/1/25/9/", true),
            ("/1/250/", false),
            ("/1/26/", false),
        ] {
            assert_eq!(p >= lo.as_str() && p < hi.as_str(), inside, "{p}");
            assert_eq!(within(p, "/1/25/"), inside, "{p}");
        }
    }

    #[test]
    fn a_scope_is_granted_only_inside_a_grant() {
        let o = officer_of("/1/25/");
        let s = o
            .authorize::<act::ViewPeople>("/1/25/300/")
            .expect("own commune's village");
        assert_eq!(s.root(), "/1/25/300/");
        assert_eq!(s.account_id(), Some(5));
        assert!(s.contains("/1/25/300/"));
        assert!(!s.contains("/1/25/301/"));
        assert!(o.authorize::<act::ViewPeople>("/1/26/").is_err());
        assert!(
            o.authorize::<act::ViewAudit>("/1/25/").is_err(),
            "officers do not read the audit log"
        );
        assert!(s.narrow("/1/25/300/7/").is_some());
        assert!(s.narrow("/1/25/").is_none(), "a scope never widens");
    }

    #[test]
    fn personal_data_out_of_sight_is_hidden_not_forbidden() {
        let helper = Principal::account(
            7,
            "Tổ CNS",
            "",
            vec![RoleOn {
                role: Role::Helper,
                unit_path: "/1/25/".into(),
            }],
        );
        assert_eq!(
            helper.authorize_person::<act::ViewPeople>("/1/26/").err(),
            Some(Denied::Hidden)
        );
        assert_eq!(
            helper.authorize_person::<act::UnmaskPersonalId>("/1/25/").err(),
            Some(Denied::Forbidden)
        );
        assert!(helper.authorize_person::<act::ViewPeople>("/1/25/3/").is_ok());
    }

    #[test]
    fn scopes_are_widest_first_without_nesting() {
        let p = Principal::account(
            1,
            "",
            "",
            vec![
                RoleOn {
                    role: Role::Officer,
                    unit_path: "/1/25/".into(),
                },
                RoleOn {
                    role: Role::Inspector,
                    unit_path: "/1/".into(),
                },
                RoleOn {
                    role: Role::Officer,
                    unit_path: "/2/9/".into(),
                },
            ],
        );
        let roots: Vec<String> = p
            .scopes::<act::ViewPeople>()
            .iter()
            .map(|s| s.root().to_string())
            .collect();
        assert_eq!(roots, ["/1/", "/2/9/"]);
        let roots: Vec<String> = p
            .scopes::<act::ManagePeople>()
            .iter()
            .map(|s| s.root().to_string())
            .collect();
        assert_eq!(roots, ["/1/25/", "/2/9/"]);
        assert!(p.scopes::<act::GrantRoles>().iter().all(|s| s.root() != "/1/"));
        assert_eq!(p.home_path(), "/1/");
    }

    #[test]
    fn official_units_change_only_from_above() {
        let o = officer_of("/1/25/");
        assert!(o.authorize_unit_change("/1/25/300/", Level::Village).is_ok());
        assert!(o.authorize_unit_change("/1/25/", Level::Commune).is_err());
        let steering = Principal::account(
            2,
            "",
            "",
            vec![RoleOn {
                role: Role::SteeringAdmin,
                unit_path: "/1/".into(),
            }],
        );
        assert!(steering.authorize_unit_change("/1/25/", Level::Commune).is_ok());
        assert!(steering.authorize_unit_change("/1/", Level::Province).is_err());
        assert!(
            Principal::system("cli")
                .authorize_unit_change("/1/", Level::Province)
                .is_ok()
        );
    }

    #[test]
    fn accounts_within_reach() {
        let o = officer_of("/1/25/");
        assert!(o.may_act_on_account([]));
        assert!(o.may_act_on_account([(Role::Helper, "/1/25/3/")]));
        assert!(!o.may_act_on_account([(Role::Officer, "/1/25/")]));
        assert_eq!(
            o.authorize_account([(Role::SteeringAdmin, "/1/")]),
            Err(Denied::WiderAccount)
        );
        assert!(o.may_grant(Role::Helper, "/1/25/"));
        assert!(!o.may_grant(Role::Helper, "/1/26/"));
    }

    #[test]
    fn a_principal_without_grants_may_nothing() {
        let learner = Principal::account(8, "", "", vec![]);
        for a in [Action::ViewUnits, Action::ViewPeople, Action::ViewAudit] {
            assert!(!learner.can(a, "/"));
            assert!(!learner.can_somewhere(a));
        }
        assert!(learner.scopes::<act::ViewUnits>().is_empty());
    }
}
