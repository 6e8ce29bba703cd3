//! The one place that decides whether a viewer may act on a unit: some active grant whose role
//! allows the action and whose unit subtree contains the target.

use crate::auth::Viewer;
use crate::error::Problem;
use hocvuso_core::roles::{Action, Role};

pub fn can(viewer: &Viewer, action: Action, unit_path: &str) -> bool {
    viewer
        .grants
        .iter()
        .any(|g| g.role().is_some_and(|r| r.allows(action)) && unit_path.starts_with(&g.unit_path))
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
    viewer
        .grants
        .iter()
        .filter(|g| g.role().is_some_and(|r| r.allows(action)))
        .collect()
}

pub fn has_role(viewer: &Viewer, role: Role) -> bool {
    viewer.grants.iter().any(|g| g.role() == Some(role))
}

/// Villages and organisations are managed by whoever holds `ManageUnits` on them; the official
/// provinces and communes only by a steering or system administrator of a wider unit.
pub fn can_manage_unit(viewer: &Viewer, unit: &hocvuso_db::units::Unit) -> bool {
    use hocvuso_core::units::Level;
    match unit.level() {
        Level::Village | Level::Organisation => can(viewer, Action::ManageUnits, &unit.path),
        _ => viewer.grants.iter().any(|g| {
            matches!(g.role(), Some(Role::SteeringAdmin | Role::SystemAdmin))
                && unit.path.starts_with(&g.unit_path)
                && unit.path.len() > g.unit_path.len()
        }),
    }
}
