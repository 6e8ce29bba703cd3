//! The one place that decides whether a viewer may act on a unit: some active grant whose role
//! allows the action and whose unit subtree contains the target.

use crate::auth::Viewer;
use crate::error::Problem;
use axum::http::StatusCode;
use hocvuso_core::roles::{Action, Role, may_act_on_account};
use hocvuso_db::accounts::Grant;

pub fn can(viewer: &Viewer, action: Action, unit_path: &str) -> bool {
    viewer
        .grants
        .iter()
        .any(|g| g.role.allows(action) && unit_path.starts_with(&g.unit_path))
}

/// 403 when the viewer may not act here.
pub fn require(viewer: &Viewer, action: Action, unit_path: &str) -> Result<(), Problem> {
    if can(viewer, action, unit_path) {
        Ok(())
    } else {
        Err(Problem::forbidden())
    }
}

/// For personal data the answer outside the scope is 404: not even the existence of the record
/// is revealed.
pub fn require_person(viewer: &Viewer, action: Action, unit_path: &str) -> Result<(), Problem> {
    if can(viewer, action, unit_path) {
        Ok(())
    } else {
        Err(Problem::not_found())
    }
}

/// Grants on which the viewer may do `action`, widest first.
pub fn scopes(viewer: &Viewer, action: Action) -> Vec<&hocvuso_db::accounts::Grant> {
    viewer.grants.iter().filter(|g| g.role.allows(action)).collect()
}

pub fn has_role(viewer: &Viewer, role: Role) -> bool {
    viewer.grants.iter().any(|g| g.role == role)
}

/// Villages and organisations are managed by whoever holds `ManageUnits` on them; the official
/// provinces and communes only by a steering or system administrator of a wider unit.
pub fn can_manage_unit(viewer: &Viewer, unit: &hocvuso_db::units::Unit) -> bool {
    use hocvuso_core::units::Level;
    match unit.level() {
        Level::Village | Level::Organisation => can(viewer, Action::ManageUnits, &unit.path),
        _ => viewer.grants.iter().any(|g| {
            matches!(g.role, Role::SteeringAdmin | Role::SystemAdmin)
                && unit.path.starts_with(&g.unit_path)
                && unit.path.len() > g.unit_path.len()
        }),
    }
}

/// Whether the viewer may act on an account holding `target` grants (reset its password, grant or
/// revoke its roles): only when every one of those grants is one the viewer could grant.
pub fn can_act_on_account(viewer: &Viewer, target: &[Grant]) -> bool {
    let mine: Vec<(Role, &str)> = viewer.grants.iter().map(|g| (g.role, g.unit_path.as_str())).collect();
    // A grant whose role this release does not know never gets here: reading it fails (strict
    // decoding, hocvuso_db::stored), so the request ends in a 500 with the reason logged.
    let theirs: Vec<(Role, &str)> = target.iter().map(|g| (g.role, g.unit_path.as_str())).collect();
    may_act_on_account(mine.iter().copied(), theirs)
}

/// 403 with a message saying that a holder of a wider role (the province) must do it.
pub fn require_act_on_account(viewer: &Viewer, target: &[Grant]) -> Result<(), Problem> {
    if can_act_on_account(viewer, target) {
        Ok(())
    } else {
        Err(Problem::new(StatusCode::FORBIDDEN, "err-account-wider-rights"))
    }
}
