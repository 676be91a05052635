//! The cloud's integration tests, in one binary (one link instead of twenty, and one copy of
//! the cloud on disk): each file of this folder is a module, with the shared harness in `common`.

mod common;

mod assistant;
mod auth;
mod broadcasts;
mod cli;
mod commands;
mod contacts;
mod csat;
mod demo;
mod devices;
mod feed;
mod feed_property;
mod history;
mod hours;
mod media;
mod nodes;
mod openapi;
mod outbound;
mod routing;
mod tenancy;
mod webchat;
mod webhooks;
