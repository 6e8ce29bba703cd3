//! A set of routes and the table of their paths with who may reach each, built by the same calls:
//! the application is served from it and the tests walk it (every role, anonymous, without a
//! CSRF token), so a route a feature adds is walked without anyone editing a list.

use crate::kit::state::AppState;
use axum::Router;
use axum::routing::MethodRouter;

/// Who may reach a route: declared with it, read by the tests that walk every route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account, acting on itself (its own record, password, tokens) or on what its
    /// own roles cover without a unit in the request.
    Own,
    /// A role on the unit, person or import named in the path.
    Scoped,
    /// A role on the unit named in the form's body.
    ScopedByForm,
}

pub struct Routes {
    router: Router<AppState>,
    table: Vec<(String, Access)>,
    /// Paths whose requests act on an account (its password, its roles): walked against an
    /// account holding a grant wider than the actor could give, which must refuse them.
    on_account: Vec<String>,
    /// POST routes that only read what they are sent (checking a credential file): they change
    /// nothing stored, so they take no CSRF token; the tests post to them and compare contents.
    pure: Vec<String>,
}

impl Default for Routes {
    fn default() -> Self {
        Routes::new()
    }
}

impl Routes {
    pub fn new() -> Routes {
        Routes {
            router: Router::new(),
            table: Vec::new(),
            on_account: Vec::new(),
            pure: Vec::new(),
        }
    }

    /// Same as `axum::Router::route`, and the path goes into the table with its access.
    pub fn route(mut self, path: &str, access: Access, method_router: MethodRouter<AppState>) -> Routes {
        self.router = self.router.route(path, method_router);
        self.table.push((path.to_string(), access));
        self
    }

    /// Same as [`Routes::route`], for a route that acts on an account (resets its password,
    /// grants or revokes its roles, ends its sessions): allowed only when every grant of that
    /// account is one the actor could give (`Principal::authorize_account`). The tests walk
    /// every such route against an account holding a wider grant.
    pub fn account_route(mut self, path: &str, access: Access, method_router: MethodRouter<AppState>) -> Routes {
        self.on_account.push(path.to_string());
        self.route(path, access, method_router)
    }

    /// Same as [`Routes::route`], for a POST that changes nothing stored (see `pure`).
    pub fn pure_route(mut self, path: &str, access: Access, method_router: MethodRouter<AppState>) -> Routes {
        self.pure.push(path.to_string());
        self.route(path, access, method_router)
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self.on_account.extend(other.on_account);
        self.pure.extend(other.pure);
        self
    }

    /// Serves `other` under `prefix` (e.g. the API under `/api`).
    pub fn nest(mut self, prefix: &str, other: Routes) -> Routes {
        self.router = self.router.nest(prefix, other.router);
        self.table
            .extend(other.table.into_iter().map(|(p, a)| (format!("{prefix}{p}"), a)));
        self.on_account
            .extend(other.on_account.into_iter().map(|p| format!("{prefix}{p}")));
        self.pure.extend(other.pure.into_iter().map(|p| format!("{prefix}{p}")));
        self
    }

    /// The paths declared with [`Routes::pure_route`].
    pub fn pure_paths(&self) -> &[String] {
        &self.pure
    }

    /// Every path served, with its `{parameters}` and its access, in the order declared.
    pub fn table(&self) -> &[(String, Access)] {
        &self.table
    }

    /// The paths declared with [`Routes::account_route`], in the order declared.
    pub fn account_paths(&self) -> &[String] {
        &self.on_account
    }

    /// Every path served, with its `{parameters}`.
    pub fn paths(&self) -> Vec<String> {
        self.table.iter().map(|(p, _)| p.clone()).collect()
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
