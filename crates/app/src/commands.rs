// Every command the UI may call, declared once. Not a module: `src/ipc.rs` includes this file
// (with the types' imports) and so does `src-tauri/build.rs` (which reads only the names).
// From this list come the TypeScript bindings (`ui/src/lib/bindings.ts`), the shell's
// `#[tauri::command]` functions and their handler (`stepup_app::for_each_command!`), the
// commands of the app manifest and the permission set the window is granted.
//
// One line per command: how the shell calls it, its name, its argument (at most one, named
// `args`) and its result.
//   sync          `app.<name>(args)`, on the main thread
//   async         `app.<name>(args).await`
//   async [inbox] `app.inbox().<name>(args).await`
//   shell         written in the shell itself (`src-tauri/src/commands.rs`): it needs the window
// The method returns the result, or `Result<result, AppError>`.

commands! {
    sync          app_info() -> AppInfo;
    sync          get_settings() -> Settings;
    sync          update_settings(args: SettingsPatch) -> Settings;
    async         start_demo() -> SyncStatus;
    async         sync_status() -> SyncStatus;
    async         inbox_list(args: InboxQuery) -> InboxPage;
    async         first_screen(args: InboxQuery) -> FirstScreen;
    async         inbox_rows(args: Vec<String>) -> Vec<InboxRow>;
    async         open_conversation(args: String) -> ConversationView;
    async         open_conversation_at(args: OpenAt) -> ConversationView;
    async [inbox] send_text(args: SendText) -> ();
    async         search(args: SearchQuery) -> Vec<SearchResult>;
    async [inbox] directory() -> Directory;
    async         conversation_action(args: ConversationAction) -> ();
    async [inbox] add_note(args: AddNote) -> ();
    async [inbox] update_contact(args: UpdateContact) -> ();
    async [inbox] merge_contacts(args: MergeContacts) -> ();
    async [inbox] split_contact(args: SplitContact) -> ();
    async [inbox] send_template(args: SendTemplate) -> ();
    async [inbox] retry_message(args: String) -> ();
    async [inbox] discard_message(args: String) -> ();
    async [inbox] suggestions(args: String) -> Vec<SuggestionView>;
    async         conversation_summary(args: SummaryArgs) -> Option<SummaryView>;
    async [inbox] assistant_settings() -> AssistantSettingsView;
    async [inbox] set_assistant_settings(args: SetAssistantSettings) -> AssistantSettingsView;
    async [inbox] broadcasts() -> Vec<BroadcastView>;
    async [inbox] create_broadcast(args: NewBroadcastArgs) -> BroadcastView;
    async [inbox] mark_read(args: String) -> ();
    async [inbox] report_activity(args: ReportActivity) -> ();
    async [inbox] mark_unread(args: String) -> ();
    async [inbox] load_older(args: String) -> bool;
    async [inbox] saved_views() -> Vec<SavedView>;
    async         save_view(args: SavedView) -> Vec<SavedView>;
    async         delete_view(args: String) -> Vec<SavedView>;
    async         accounts() -> Vec<AccountView>;
    async         sign_in(args: SignIn) -> SyncStatus;
    async         open_account(args: OpenAccount) -> SyncStatus;
    async         sign_out(args: SignOut) -> ();
    async         export_data(args: ExportOptions) -> String;
    async [inbox] wipe_cache() -> SyncStatus;
    async [inbox] devices() -> Vec<Device>;
    async [inbox] revoke_device(args: String) -> Vec<Device>;
    async [inbox] inline_media(args: String) -> InlineMedia;
    async         save_attachment(args: SaveAttachment) -> String;
    async         open_link(args: String) -> ();
    async [inbox] send_attachment(args: SendAttachment) -> ();
    async [inbox] send_voice_note(args: SendVoiceNote) -> ();
    async         ui_ready(args: String) -> ();
    shell         show_window() -> ();
    sync          update_notification_settings(args: NotificationSettings) -> Settings;
    sync          update_desktop_settings(args: DesktopSettings) -> Settings;
    sync          update_analytics_settings(args: AnalyticsSettings) -> Settings;
    sync          mute_conversation(args: MuteConversation) -> Settings;
    async         analytics(args: stepup_analytics::Query) -> AnalyticsView;
    async         export_analytics_csv(args: stepup_analytics::Query) -> ExportedFile;
    async         fetch_history(args: FetchHistory) -> HistoryFetched;
    async         update_status() -> UpdateView;
    async         check_for_update() -> UpdateView;
    shell         install_update() -> ();
}
