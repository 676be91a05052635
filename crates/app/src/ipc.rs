//! The IPC surface, declared once: every command the UI may call, with its
//! argument and result types. From this list come
//! - the TypeScript bindings, `ui/src/lib/bindings.ts` (committed; the test
//!   `tests/bindings.rs` fails when they are stale);
//! - the shell's allowlist: `src-tauri/build.rs` and its capability file are
//!   checked against [`COMMANDS`] by `src-tauri`'s tests.
//!
//! A command takes at most one argument, named `args`.

use stepup_i18n::{Direction, Locale};
use ts_rs::{Config, TS};

use crate::{
    AppInfo, Availability, Boot, BootCall, DesktopSettings, ErrorCode, IpcError,
    NotificationSettings, QuietHours, Settings, SettingsPatch, ThemePreference,
    accounts::{AccountView, OpenAccount, SignIn, SignOut},
    actions::{Action, AddNote, ConversationAction, SendTemplate, SuggestionView},
    analytics::{AnalyticsView, ExportedFile},
    inbox::{
        AgentView, AttachmentView, CannedView, CardView, ContactCardView, ContactView,
        ConversationView, Directory, FirstScreen, IdentityView, InboxEvent, InboxPage, InboxQuery,
        InboxRow, LabelView, MessageView, QuoteView, SearchResult, SendText, SnippetPart,
        SyncPhase, SyncStatus, TeamView, TemplateView, WindowView,
    },
    media::{InlineMedia, SaveAttachment, SendAttachment},
    notifications::{MuteConversation, NavigateTo},
    saved_views::{ListFilters, ListSort, ListView, SavedView},
    settings::AnalyticsSettings,
};

/// Names a type in TypeScript.
type TsName = fn(&Config) -> String;

/// One command: its name and the TypeScript names of its types.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub name: &'static str,
    pub args: Option<TsName>,
    pub result: TsName,
}

macro_rules! commands {
    ($( $name:ident ( $($args:ty)? ) -> $result:ty; )*) => {
        /// Every command, in the order they are registered.
        pub const COMMANDS: &[CommandSpec] = &[
            $( CommandSpec {
                name: stringify!($name),
                args: commands!(@args $($args)?),
                result: <$result as TS>::name,
            }, )*
        ];
    };
    (@args) => { None };
    (@args $args:ty) => { Some(<$args as TS>::name) };
}

commands! {
    app_info() -> AppInfo;
    get_settings() -> Settings;
    update_settings(SettingsPatch) -> Settings;
    start_demo() -> SyncStatus;
    sync_status() -> SyncStatus;
    inbox_list(InboxQuery) -> InboxPage;
    first_screen(InboxQuery) -> FirstScreen;
    inbox_rows(Vec<String>) -> Vec<InboxRow>;
    open_conversation(String) -> ConversationView;
    send_text(SendText) -> ();
    search(String) -> Vec<SearchResult>;
    directory() -> Directory;
    conversation_action(ConversationAction) -> ();
    add_note(AddNote) -> ();
    send_template(SendTemplate) -> ();
    retry_message(String) -> ();
    discard_message(String) -> ();
    suggestions(String) -> Vec<SuggestionView>;
    mark_read(String) -> ();
    mark_unread(String) -> ();
    load_older(String) -> bool;
    saved_views() -> Vec<SavedView>;
    save_view(SavedView) -> Vec<SavedView>;
    delete_view(String) -> Vec<SavedView>;
    accounts() -> Vec<AccountView>;
    sign_in(SignIn) -> SyncStatus;
    open_account(OpenAccount) -> SyncStatus;
    sign_out(SignOut) -> ();
    export_data() -> String;
    wipe_cache() -> SyncStatus;
    inline_media(String) -> InlineMedia;
    save_attachment(SaveAttachment) -> String;
    open_link(String) -> ();
    send_attachment(SendAttachment) -> ();
    ui_ready(String) -> ();
    show_window() -> ();
    update_notification_settings(NotificationSettings) -> Settings;
    update_desktop_settings(DesktopSettings) -> Settings;
    update_analytics_settings(AnalyticsSettings) -> Settings;
    mute_conversation(MuteConversation) -> Settings;
    analytics(stepup_analytics::Query) -> AnalyticsView;
    export_analytics_csv(stepup_analytics::Query) -> ExportedFile;
}

/// The events the backend emits, by name, with their payload types.
pub const EVENTS: &[(&str, TsName)] = &[
    ("settings-changed", <Settings as TS>::name),
    ("inbox", <InboxEvent as TS>::name),
    ("navigate", <NavigateTo as TS>::name),
];

/// The contents of `ui/src/lib/bindings.ts`.
pub fn typescript_bindings() -> String {
    let cfg = Config::default();
    let decls = [
        stepup_protocol::Channel::decl(&cfg),
        stepup_protocol::ConversationStatus::decl(&cfg),
        stepup_protocol::Priority::decl(&cfg),
        stepup_protocol::Role::decl(&cfg),
        stepup_protocol::Presence::decl(&cfg),
        stepup_protocol::MessageKind::decl(&cfg),
        stepup_protocol::AttachmentKind::decl(&cfg),
        stepup_protocol::Preview::decl(&cfg),
        stepup_protocol::WindowState::decl(&cfg),
        stepup_protocol::Origin::decl(&cfg),
        stepup_protocol::ConversationEventKind::decl(&cfg),
        stepup_protocol::MessageStatus::decl(&cfg),
        crate::views::EntryDirection::decl(&cfg),
        stepup_store::SearchKind::decl(&cfg),
        Locale::decl(&cfg),
        Direction::decl(&cfg),
        ThemePreference::decl(&cfg),
        QuietHours::decl(&cfg),
        NotificationSettings::decl(&cfg),
        Availability::decl(&cfg),
        DesktopSettings::decl(&cfg),
        AnalyticsSettings::decl(&cfg),
        Settings::decl(&cfg),
        SettingsPatch::decl(&cfg),
        AppInfo::decl(&cfg),
        Boot::decl(&cfg),
        BootCall::decl(&cfg),
        ErrorCode::decl(&cfg),
        IpcError::decl(&cfg),
        LabelView::decl(&cfg),
        InboxRow::decl(&cfg),
        QuoteView::decl(&cfg),
        AttachmentView::decl(&cfg),
        ContactCardView::decl(&cfg),
        CardView::decl(&cfg),
        MessageView::decl(&cfg),
        IdentityView::decl(&cfg),
        ContactView::decl(&cfg),
        WindowView::decl(&cfg),
        ConversationView::decl(&cfg),
        InboxQuery::decl(&cfg),
        ListView::decl(&cfg),
        ListSort::decl(&cfg),
        ListFilters::decl(&cfg),
        SavedView::decl(&cfg),
        InboxPage::decl(&cfg),
        FirstScreen::decl(&cfg),
        SendText::decl(&cfg),
        SyncPhase::decl(&cfg),
        SyncStatus::decl(&cfg),
        SnippetPart::decl(&cfg),
        SearchResult::decl(&cfg),
        InboxEvent::decl(&cfg),
        AgentView::decl(&cfg),
        TeamView::decl(&cfg),
        CannedView::decl(&cfg),
        TemplateView::decl(&cfg),
        Directory::decl(&cfg),
        Action::decl(&cfg),
        ConversationAction::decl(&cfg),
        AddNote::decl(&cfg),
        SendTemplate::decl(&cfg),
        SuggestionView::decl(&cfg),
        AccountView::decl(&cfg),
        SignIn::decl(&cfg),
        OpenAccount::decl(&cfg),
        SignOut::decl(&cfg),
        InlineMedia::decl(&cfg),
        SaveAttachment::decl(&cfg),
        SendAttachment::decl(&cfg),
        MuteConversation::decl(&cfg),
        NavigateTo::decl(&cfg),
        stepup_analytics::Range::decl(&cfg),
        stepup_analytics::Filters::decl(&cfg),
        stepup_analytics::Targets::decl(&cfg),
        stepup_analytics::Country::decl(&cfg),
        stepup_analytics::Digits::decl(&cfg),
        stepup_analytics::Query::decl(&cfg),
        stepup_analytics::Unit::decl(&cfg),
        stepup_analytics::Figure::decl(&cfg),
        stepup_analytics::HijriDate::decl(&cfg),
        stepup_analytics::Day::decl(&cfg),
        stepup_analytics::Heatmap::decl(&cfg),
        stepup_analytics::ChannelRow::decl(&cfg),
        stepup_analytics::AgentRow::decl(&cfg),
        stepup_analytics::Csat::decl(&cfg),
        stepup_analytics::Choice::decl(&cfg),
        stepup_analytics::Dashboard::decl(&cfg),
        AnalyticsView::decl(&cfg),
        ExportedFile::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types in crates/app (src/ipc.rs). Do not edit.\n\
         // Regenerate: STEPUP_UPDATE_BINDINGS=1 cargo test -p stepup-app --test bindings\n\n",
    );
    for decl in decls {
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
    for (name, payload) in EVENTS {
        out.push_str(&format!("  {name:?}: {};\n", payload(&cfg)));
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
