//! Reference Stepup cloud server.
//!
//! Start it in-process with [`Server::start`]; it binds the configured address (port 0 picks a free
//! one) and returns a [`RunningServer`] with the bound address and a shutdown handle.
//!
//! # Layers
//!
//! No module imports from a layer below it in this list, and within a layer each module
//! imports only those listed before it; the module tree has no import cycle.
//!
//! 1. Foundations: `error`, `ids`, `clock`, `secret`, `sniff`, `ranker`, `window`, `password`,
//!    `vault` (channel credentials sealed at rest), `net` (addresses never reached on a tenant's
//!    behalf), `llm` (the OpenAI-compatible chat-completions client), `tls`, `config`.
//! 2. `store` (every SQL statement, on SQLite or PostgreSQL), `relay` (this node's stream
//!    channels, and how they hear other nodes' commits through the feed) and `extract` (the
//!    request extractors answering `{code, message}`).
//! 3. `state` ([`AppState`]), `connections` (a workspace's channel accounts: routing webhooks,
//!    the credentials replies leave with), then `routes` (the route table every door registers in).
//! 4. `contacts` (one customer across channels: linking by verified phone, merge, split, edits),
//!    `hours` (business hours, the away reply, SLA clocks), `assistant` (answers customers from
//!    the workspace's knowledge, hands off to a person, suggestions and summaries),
//!    `broadcasts_in` (opt-outs and replies to broadcasts), then `ingest`: inbound traffic of any
//!    channel into contacts, conversations and messages.
//! 5. `auth` (sign-in and the bearer-token extractor), `profiles` (customer names),
//!    `outbound` (sends to the channels' APIs), `media` (fetches customers' files from them),
//!    `broadcasts` (an audience chosen, a template sent to it at the provider's pace, the report).
//! 6. The channels' doors: `webhooks`, `webchat` (and `widget`, the Web Chat widget it serves).
//! 7. `api`: the `/v1` resources, and the router assembling every door's routes.
//! 8. `server` ([`Server`], [`RunningServer`]), then `demo` (seeds a workspace and drives a
//!    running server through its webhooks).

pub mod api;
pub mod assistant;
pub mod auth;
pub mod broadcasts;
pub mod broadcasts_in;
pub mod clock;
pub mod config;
pub mod connections;
pub mod contacts;
pub mod csat;
pub mod demo;
pub mod error;
pub mod extract;
pub mod hours;
pub mod ids;
pub mod ingest;
pub mod limits;
pub mod llm;
pub mod media;
#[cfg(feature = "test-model")]
pub mod model_standin;
pub mod net;
pub mod outbound;
pub mod password;
pub mod profiles;
pub mod ranker;
pub mod relay;
pub mod routes;
pub mod routing;
pub mod secret;
pub mod server;
pub mod sniff;
pub mod state;
pub mod store;
pub mod tls;
pub mod updates;
pub mod vault;
pub mod webchat;
pub mod webhooks;
pub mod widget;
pub mod window;

pub use crate::config::{ChannelSecrets, Config, OutboundConfig};
pub use crate::error::{ApiError, ServerError};
pub use crate::server::{RunningServer, Server};
pub use crate::state::AppState;
