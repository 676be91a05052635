//! The route table: an axum router that also records every `(method, path)`, so the OpenAPI
//! file can be checked against the routes that really exist.

use axum::Router;
use axum::handler::Handler;
use axum::routing::MethodRouter;

use crate::state::AppState;

/// Builds the router while recording every `(method, path)`, so the OpenAPI file can be checked
/// against the routes that really exist.
#[derive(Debug)]
pub struct Routes {
    pub(crate) router: Router<AppState>,
    pub(crate) list: Vec<(&'static str, &'static str)>,
}

macro_rules! method_fns {
    ($($name:ident),*) => {$(
        pub fn $name<H, T>(self, path: &'static str, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.add(stringify!($name), path, axum::routing::$name(handler))
        }
    )*};
}

impl Routes {
    pub(crate) fn new() -> Self {
        Self {
            router: Router::new(),
            list: Vec::new(),
        }
    }

    /// Adds a route whose method router is `method` (possibly with layers).
    pub fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        mr: MethodRouter<AppState>,
    ) -> Self {
        self.router = self.router.route(path, mr);
        self.list.push((method, path));
        self
    }

    method_fns!(get, post, put, patch, delete);
}
