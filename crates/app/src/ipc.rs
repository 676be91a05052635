//! The IPC surface. The commands are declared once, in `src/commands.rs`; from that list
//! come
//! - [`COMMANDS`], and through it the TypeScript bindings, `ui/src/lib/bindings.ts`
//!   (committed; the test `tests/bindings.rs` fails when they are stale), with every type a
//!   command or an event carries, found through ts-rs's dependency graph;
//! - [`command`]: each command's argument and result types, by name;
//! - [`for_each_command!`](crate::for_each_command): the list again, for the shell to generate
//!   its `#[tauri::command]` functions and their handler;
//! - the shell's allowlist and the permissions its window is granted: `src-tauri/build.rs`
//!   includes `src/commands.rs` and reads the names.
//!
//! A command takes at most one argument, named `args`.

use std::{any::TypeId, collections::BTreeMap};

use ts_rs::{Config, TS, TypeVisitor};

use crate::{
    AppError, AppInfo, Boot, DesktopSettings, IpcError, NotificationSettings, Settings,
    SettingsPatch,
    accounts::{AccountView, ExportOptions, OpenAccount, SignIn, SignOut},
    actions::{
        AddNote, ConversationAction, MergeContacts, SendTemplate, SplitContact, UpdateContact,
    },
    analytics::{AnalyticsView, ExportedFile, FetchHistory, HistoryFetched},
    assistant::{
        AssistantSettingsView, SetAssistantSettings, SuggestionView, SummaryArgs, SummaryView,
    },
    broadcasts::{BroadcastView, NewBroadcastArgs},
    inbox::{
        ConversationView, Directory, FirstScreen, InboxEvent, InboxPage, InboxQuery, InboxRow,
        OpenAt, ReportActivity, SearchQuery, SearchResult, SendText, SyncStatus,
    },
    media::{InlineMedia, SaveAttachment, SendAttachment, SendVoiceNote},
    notifications::{MuteConversation, NavigateTo},
    saved_views::SavedView,
    settings::AnalyticsSettings,
    updates::UpdateView,
};
use stepup_protocol::Device;

/// Names a type in TypeScript.
type TsName = fn(&Config) -> String;

/// Walks a type and what it depends on, for the bindings.
type VisitTypes = fn(&mut Declarations);

/// One command: its name and its types.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub name: &'static str,
    /// How the shell calls it: `sync`, `async` or `shell` (see `src/commands.rs`).
    pub kind: &'static str,
    pub args: Option<TsName>,
    pub result: TsName,
    /// Visits the argument and result types.
    visit: VisitTypes,
}

/// What a command's method returns, as the shell answers it: the result itself, or
/// `Result<result, AppError>`. The shell's generated commands delegate through it.
pub trait Answer<T> {
    fn answer(self) -> Result<T, IpcError>;
}

impl<T> Answer<T> for T {
    fn answer(self) -> Result<T, IpcError> {
        Ok(self)
    }
}

impl<T> Answer<T> for Result<T, AppError> {
    fn answer(self) -> Result<T, IpcError> {
        self.map_err(Into::into)
    }
}

macro_rules! commands {
    (@with_dollar ($d:tt) $(
        $kind:ident $([$on:ident])? $name:ident ( $($arg:ident : $args:ty)? ) -> $result:ty;
    )*) => {
        /// Every command, in the order they are declared.
        pub const COMMANDS: &[CommandSpec] = &[
            $( CommandSpec {
                name: stringify!($name),
                kind: commands!(@kind $kind),
                args: commands!(@args $($args)?),
                result: <$result as TS>::name,
                visit: visit_types::<commands!(@args_type $($args)?), $result>,
            }, )*
        ];

        $($(
            const _: () = assert!(
                matches!(stringify!($arg).as_bytes(), b"args"),
                concat!("the argument of `", stringify!($name), "` must be named `args`"),
            );
        )?)*

        /// Each command's types, by name: `Args` (when it takes one) and `Output`.
        pub mod command {
            $(
                #[doc = concat!("The types of `", stringify!($name), "`.")]
                pub mod $name {
                    #[allow(unused_imports)]
                    use super::super::*;
                    $( pub type Args = $args; )?
                    pub type Output = $result;
                }
            )*
        }

        /// Calls `$callback! { … }` with every command, as declared in `src/commands.rs`, its
        /// types named by their paths in [`ipc::command`](crate::ipc::command):
        /// `kind [receiver] name(args: Args) -> Output;`. The shell generates its
        /// `#[tauri::command]` functions and their handler from it.
        #[macro_export]
        macro_rules! for_each_command {
            ($d callback:ident) => {
                $d callback! {
                    $(
                        $kind $([$on])? $name (
                            $($arg: $crate::ipc::command::$name::Args)?
                        ) -> $crate::ipc::command::$name::Output;
                    )*
                }
            };
        }
    };
    (@kind sync) => { "sync" };
    (@kind async) => { "async" };
    (@kind shell) => { "shell" };
    (@args) => { None };
    (@args $args:ty) => { Some(<$args as TS>::name) };
    (@args_type) => { () };
    (@args_type $args:ty) => { $args };
    // The declaration: the inner macro's `$` is passed in, not written.
    ($($list:tt)*) => {
        commands!(@with_dollar ($) $($list)*);
    };
}

include!("commands.rs");

/// One event: its name and its payload's type.
#[derive(Debug, Clone, Copy)]
pub struct EventSpec {
    pub name: &'static str,
    pub payload: TsName,
    visit: VisitTypes,
}

const fn event<T: TS + 'static>(name: &'static str) -> EventSpec {
    EventSpec {
        name,
        payload: <T as TS>::name,
        visit: visit_types::<T, ()>,
    }
}

/// The events the backend emits, by name, with their payload types.
pub const EVENTS: &[EventSpec] = &[
    event::<Settings>("settings-changed"),
    event::<InboxEvent>("inbox"),
    event::<NavigateTo>("navigate"),
    event::<UpdateView>("update"),
];

/// Types the UI uses that no command or event carries; their dependencies come along.
const EXTRA_TYPES: &[VisitTypes] = &[
    // `window.__STEPUP_BOOT__`, set by the window's boot script (`App::boot_script`).
    visit_types::<Boot, ()>,
    // How a failed command rejects its promise (`{ code, message }`).
    visit_types::<IpcError, ()>,
];

fn visit_types<A: TS + 'static, B: TS + 'static>(decls: &mut Declarations) {
    decls.visit::<A>();
    decls.visit::<B>();
}

/// The TypeScript declarations of the types visited and of everything they depend on, by
/// name (two Rust types with one TypeScript name are refused).
struct Declarations {
    cfg: Config,
    seen: BTreeMap<String, (TypeId, String)>,
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_none() {
            // Not a declared type (a primitive, `Vec<_>`, `Option<_>`, a tuple): what it holds may be.
            T::visit_dependencies(self);
            T::visit_generics(self);
            return;
        }
        let name = T::ident(&self.cfg);
        if let Some((id, _)) = self.seen.get(&name) {
            assert!(
                *id == TypeId::of::<T>(),
                "two types are named `{name}` in TypeScript: {}",
                std::any::type_name::<T>()
            );
            return;
        }
        let decl = T::decl(&self.cfg);
        self.seen.insert(name, (TypeId::of::<T>(), decl));
        T::visit_dependencies(self);
    }
}

/// The contents of `ui/src/lib/bindings.ts`.
pub fn typescript_bindings() -> String {
    let cfg = Config::default();
    let mut decls = Declarations {
        cfg: Config::default(),
        seen: BTreeMap::new(),
    };
    for visit in COMMANDS
        .iter()
        .map(|c| c.visit)
        .chain(EVENTS.iter().map(|e| e.visit))
        .chain(EXTRA_TYPES.iter().copied())
    {
        visit(&mut decls);
    }
    let mut out = String::from(
        "// Generated from the Rust types in crates/app (src/commands.rs, src/ipc.rs). Do not edit.\n\
         // Regenerate: STEPUP_UPDATE_BINDINGS=1 cargo test -p stepup-app --test bindings\n\n",
    );
    for (_, decl) in decls.seen.values() {
        out.push_str("export ");
        out.push_str(decl.trim());
        out.push('\n');
    }
    out.push_str("\n/** Every backend command: its argument (or `null`) and its result. */\n");
    out.push_str("export type Commands = {\n");
    for cmd in COMMANDS {
        let args = cmd.args.map_or_else(|| "null".to_owned(), |a| a(&cfg));
        out.push_str(&format!(
            "  {}: {{ args: {args}; result: {} }};\n",
            cmd.name,
            (cmd.result)(&cfg)
        ));
    }
    out.push_str("};\n\n/** Every backend event and its payload. */\nexport type Events = {\n");
    for event in EVENTS {
        out.push_str(&format!("  {:?}: {};\n", event.name, (event.payload)(&cfg)));
    }
    out.push_str("};\n\nexport const COMMAND_NAMES = [\n");
    for cmd in COMMANDS {
        out.push_str(&format!("  {:?},\n", cmd.name));
    }
    out.push_str("] as const;\n");
    out.push_str(&value_list(
        "Every channel, in the order the app lists them.",
        "CHANNELS",
        "Channel",
        stepup_protocol::Channel::ALL.iter().map(|c| c.as_str()),
    ));
    out.push_str(&value_list(
        "Every priority, lowest first.",
        "PRIORITIES",
        "Priority",
        stepup_protocol::Priority::ALL.iter().map(|p| p.as_str()),
    ));
    out.push_str(&value_list(
        "Every conversation status.",
        "STATUSES",
        "ConversationStatus",
        stepup_protocol::ConversationStatus::ALL
            .iter()
            .map(|s| s.as_str()),
    ));
    out.push_str(&value_list(
        "Every order of the conversation list.",
        "SORTS",
        "ListSort",
        stepup_store::ListSort::ALL.iter().map(|s| s.as_str()),
    ));
    out
}

/// The values of an enum as a typed constant, so the UI lists them from the Rust type.
fn value_list<'a>(
    doc: &str,
    name: &str,
    ty: &str,
    values: impl Iterator<Item = &'a str>,
) -> String {
    let mut out = format!("\n/** {doc} */\nexport const {name}: readonly {ty}[] = [\n");
    for v in values {
        out.push_str(&format!("  {v:?},\n"));
    }
    out.push_str("];\n");
    out
}
