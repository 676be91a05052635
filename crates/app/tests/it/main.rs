//! The app core's integration tests, in one binary (one link instead of six): each file of this
//! folder is a module. The bindings' check stays a binary of its own (`--test bindings`).

mod analytics;
mod app;
mod assistant;
mod inbox;
mod presence;
mod updates;
