//! `linea server`: the Language Server Protocol over stdio, so an editor shows linea's findings
//! while you type.
//!
//! Every change to an open document re-lints the whole workspace once: the files `linea check`
//! would discover under the workspace root, with each open document's unsaved text standing in
//! for its file on disk. Cross-file rules therefore see the editor's buffers. Findings are
//! published for open documents only (a finding whose primary location is in a file that is not
//! open is skipped; the editor asks for a file's findings by opening it).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub mod transport;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Exit,
    LogMessage, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{CodeActionRequest, RegisterCapability, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams, CodeActionProviderCapability,
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, DidChangeWatchedFilesRegistrationOptions,
    DocumentChanges, FileSystemWatcher, GlobPattern, Location, LogMessageParams, MessageType, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, Position, PublishDiagnosticsParams, Range, Registration,
    RegistrationParams, ServerCapabilities, ServerInfo, ShowMessageParams, TextDocumentEdit,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit,
    Uri, WorkspaceEdit,
};
use serde_json::Value;

use crate::config::{self, Settings};
use crate::discover::{self, FileKind};
use crate::panics;
use crate::project;
use crate::rules::engine::{self, Outcome, SourceInput};
use crate::rules::registry::Registry;
use crate::rules::{Applicability, Diagnostic, Severity};
use crate::source::{SourceFile, Span};

/// Run the server on stdin/stdout until the client says `exit`; returns the process exit code
/// (0 after `shutdown` then `exit`, 1 when the client exits or hangs up without `shutdown`, as
/// the protocol asks; 2 when the server cannot start).
pub fn run() -> i32 {
    let (connection, writer) = transport::stdio();
    let code = match serve(&connection) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("linea: error: language server: {e}");
            2
        }
    };
    // the writer thread ends when the last sender is gone, after writing what is queued
    drop(connection);
    if writer.join().is_err() {
        eprintln!("linea: error: language server: the writer thread panicked");
    }
    code
}

fn serve(connection: &Connection) -> Result<i32, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(8 * 1024 * 1024)
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let root = workspace_root(&params).map(|r| project::absolute(&r));
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo {
            name: "linea".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    });
    connection.initialize_finish(id, result).map_err(|e| e.to_string())?;

    let mut server = Server {
        connection,
        pool,
        root,
        settings: Settings::default(),
        registry: Registry::default(),
        documents: BTreeMap::new(),
        shutting_down: false,
    };
    if let Some(root) = server.root.clone() {
        // paths in messages then read as they do for `linea check` run there
        if let Err(e) = std::env::set_current_dir(&root) {
            server.show_error(&format!("linea: cannot enter the workspace `{}`: {e}", root.display()));
            server.root = None;
        }
    }
    server.load_workspace();
    let watch = params
        .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if watch && server.root.is_some() {
        server.watch_files();
    }
    Ok(server.main_loop())
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::FULL),
            save: Some(TextDocumentSyncSaveOptions::Supported(true)),
            ..Default::default()
        })),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        ..Default::default()
    }
}

/// The directory of `workspaceFolders[0]`, else `rootUri`, else `rootPath`.
fn workspace_root(params: &Value) -> Option<PathBuf> {
    let folder = params
        .get("workspaceFolders")
        .and_then(|f| f.get(0))
        .and_then(|f| f.get("uri"))
        .and_then(Value::as_str);
    let uri = folder.or_else(|| params.get("rootUri").and_then(Value::as_str));
    if let Some(path) = uri.and_then(|u| Uri::from_str(u).ok()).and_then(|u| uri_to_path(&u)) {
        return Some(path);
    }
    params.get("rootPath").and_then(Value::as_str).map(PathBuf::from)
}

/// An open document.
struct Document {
    uri: Uri,
    /// Absolute and normalised, to match discovered files and diagnostics' files.
    path: PathBuf,
    /// `None` for a document linea does not check (`discover::classify` knows no kind).
    kind: Option<FileKind>,
    version: i32,
    text: String,
    /// The fixes of the last run's findings in this document, as quick fixes for that version.
    fixes: Vec<QuickFix>,
}

/// One finding's fix, ready to hand to the editor.
struct QuickFix {
    diagnostic: lsp_types::Diagnostic,
    title: String,
    edits: Vec<TextEdit>,
    safe: bool,
    /// The document version the edits apply to.
    version: i32,
}

struct Server<'c> {
    connection: &'c Connection,
    pool: rayon::ThreadPool,
    root: Option<PathBuf>,
    settings: Settings,
    registry: Registry,
    /// By URI as the client spelled it, so diagnostics go back under the same URI.
    documents: BTreeMap<String, Document>,
    shutting_down: bool,
}

/// What handling a message asks the loop to do next.
enum Next {
    Continue,
    Lint,
    Exit(i32),
}

impl Server<'_> {
    fn main_loop(&mut self) -> i32 {
        loop {
            let Ok(msg) = self.connection.receiver.recv() else {
                return 1;
            };
            let mut lint = false;
            let mut next = self.handle(msg);
            // handle what queued up while the last run was going before linting again: a burst
            // of keystrokes costs one run
            loop {
                match next {
                    Next::Exit(code) => return code,
                    Next::Lint => lint = true,
                    Next::Continue => {}
                }
                match self.connection.receiver.try_recv() {
                    Ok(msg) => next = self.handle(msg),
                    Err(e) if e.is_empty() => break,
                    Err(_) => return 1,
                }
            }
            if lint {
                self.lint();
            }
        }
    }

    fn handle(&mut self, msg: Message) -> Next {
        match msg {
            Message::Request(req) => {
                self.request(req);
                Next::Continue
            }
            Message::Notification(n) => self.notification(n),
            // the server sends no requests, so it expects no responses
            Message::Response(_) => Next::Continue,
        }
    }

    fn request(&mut self, req: Request) {
        let response = if self.shutting_down {
            Response::new_err(
                req.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            )
        } else if req.method == "shutdown" {
            self.shutting_down = true;
            Response::new_ok(req.id, ())
        } else if req.method == CodeActionRequest::METHOD {
            match serde_json::from_value::<CodeActionParams>(req.params) {
                Ok(p) => Response::new_ok(req.id, self.code_actions(&p)),
                Err(e) => Response::new_err(req.id, ErrorCode::InvalidParams as i32, e.to_string()),
            }
        } else {
            Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("unsupported request `{}`", req.method),
            )
        };
        self.send(response.into());
    }

    fn notification(&mut self, n: Notification) -> Next {
        match n.method.as_str() {
            Exit::METHOD => Next::Exit(if self.shutting_down { 0 } else { 1 }),
            DidOpenTextDocument::METHOD => {
                let Some(p) = self.params::<lsp_types::DidOpenTextDocumentParams>(n) else {
                    return Next::Continue;
                };
                let doc = p.text_document;
                self.open(doc.uri, doc.version, doc.text);
                Next::Lint
            }
            DidChangeTextDocument::METHOD => {
                let Some(p) = self.params::<lsp_types::DidChangeTextDocumentParams>(n) else {
                    return Next::Continue;
                };
                let Some(doc) = self.documents.get_mut(p.text_document.uri.as_str()) else {
                    return Next::Continue;
                };
                // full sync: the last change without a range is the whole new text
                match p.content_changes.into_iter().rev().find(|c| c.range.is_none()) {
                    Some(change) => {
                        doc.text = change.text;
                        doc.version = p.text_document.version;
                        Next::Lint
                    }
                    None => {
                        self.log(
                            MessageType::WARNING,
                            "ignored an incremental change: linea asks for full text sync",
                        );
                        Next::Continue
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                let Some(p) = self.params::<lsp_types::DidSaveTextDocumentParams>(n) else {
                    return Next::Continue;
                };
                if uri_to_path(&p.text_document.uri).is_some_and(|saved| self.configures(&saved)) {
                    self.load_workspace();
                }
                // other files' findings may depend on what is now on disk
                Next::Lint
            }
            DidChangeWatchedFiles::METHOD => {
                let Some(p) = self.params::<lsp_types::DidChangeWatchedFilesParams>(n) else {
                    return Next::Continue;
                };
                let changed: Vec<PathBuf> = p.changes.iter().filter_map(|c| uri_to_path(&c.uri)).collect();
                if changed.iter().any(|path| self.configures(path)) {
                    self.load_workspace();
                }
                Next::Lint
            }
            DidCloseTextDocument::METHOD => {
                let Some(p) = self.params::<lsp_types::DidCloseTextDocumentParams>(n) else {
                    return Next::Continue;
                };
                if let Some(doc) = self.documents.remove(p.text_document.uri.as_str()) {
                    self.publish(doc.uri, Vec::new(), None);
                }
                // cross-file findings in the other documents may have depended on its buffer
                Next::Lint
            }
            _ => Next::Continue,
        }
    }

    /// Ask the client to report changes to the workspace's files made outside the editor (a
    /// `git checkout`, a generator), which change what cross-file rules see.
    fn watch_files(&self) {
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*".into()),
                kind: None,
            }],
        };
        let registration = Registration {
            id: "linea-watch-files".into(),
            method: DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(options).ok(),
        };
        let params = RegistrationParams {
            registrations: vec![registration],
        };
        let request = Request::new(
            lsp_server::RequestId::from("linea-watch-files".to_string()),
            RegisterCapability::METHOD.into(),
            params,
        );
        self.send(request.into());
    }

    /// Whether saving `path` changes what the server loads at start: a config file, or a file
    /// in one of the config's custom rule directories.
    fn configures(&self, path: &Path) -> bool {
        let path = project::absolute(path);
        path.file_name()
            .is_some_and(|n| config::CONFIG_FILES.iter().any(|c| n == *c))
            || self
                .settings
                .config
                .rules
                .iter()
                .any(|d| path.starts_with(project::absolute(&self.settings.root.join(d))))
    }

    fn params<P: serde::de::DeserializeOwned>(&self, n: Notification) -> Option<P> {
        let method = n.method.clone();
        match serde_json::from_value(n.params) {
            Ok(p) => Some(p),
            Err(e) => {
                self.log(MessageType::ERROR, &format!("invalid `{method}` parameters: {e}"));
                None
            }
        }
    }

    fn open(&mut self, uri: Uri, version: i32, text: String) {
        let path = uri_to_path(&uri).map(|p| project::absolute(&p));
        let kind = path.as_deref().and_then(discover::classify);
        let key = uri.as_str().to_string();
        self.documents.insert(
            key,
            Document {
                path: path.unwrap_or_default(),
                kind,
                uri,
                version,
                text,
                fixes: Vec::new(),
            },
        );
    }

    /// Load the config and the custom rules the way `check` does, from the workspace root. An
    /// error is shown to the user and the server goes on with the defaults (or the built-in
    /// rules only).
    fn load_workspace(&mut self) {
        let start = PathBuf::from(".");
        self.settings = match config::load(None, &start) {
            Ok(s) => s,
            Err(e) => {
                self.show_error(&format!("linea: {}: {}", e.location(), e.message));
                Settings::from_config(config::Config::default(), None, PathBuf::from(".")).unwrap_or_default()
            }
        };
        let mut registry = match Registry::builtin() {
            Ok(r) => r,
            Err(e) => {
                self.show_error(&format!("linea: built-in rules: {}", e.message));
                Registry::default()
            }
        };
        let dirs: Vec<PathBuf> = self
            .settings
            .config
            .rules
            .iter()
            .map(|d| self.settings.root.join(d))
            .collect();
        for dir in &dirs {
            let repository = config::repository_root(&self.settings.root).unwrap_or_else(|| self.settings.root.clone());
            if let Err(e) = registry.load_dir_within(dir, Some(&repository)) {
                let pos = crate::source::LineIndex::new(&e.text).position(&e.text, e.span.start);
                self.show_error(&format!(
                    "linea: {}:{}:{}: {}",
                    e.path.display(),
                    pos.line,
                    pos.column,
                    e.message
                ));
                registry = Registry::builtin().unwrap_or_default();
                break;
            }
        }
        if let Err(e) = self
            .settings
            .check_rule_names(&registry.iter().map(|r| &r.meta).collect::<Vec<_>>())
        {
            self.show_error(&format!("linea: {}: {}", e.location(), e.message));
        }
        self.registry = registry;
    }

    /// Lint the workspace with the open documents' text and publish every open document's
    /// findings (an empty list clears what was shown before).
    fn lint(&mut self) {
        let inputs = self.inputs();
        // each directory's nearest config governs its files, as in `check`
        let dirs: Vec<PathBuf> = inputs
            .iter()
            .filter_map(|i| match i {
                SourceInput::Disk(d) | SourceInput::Context(d) => d.path.parent().map(Path::to_path_buf),
                SourceInput::Memory { path, .. } => path.parent().map(Path::to_path_buf),
                SourceInput::Problem { problem, .. } => problem.path.parent().map(Path::to_path_buf),
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let configs = match config::Configs::load(
            None,
            Path::new("."),
            Path::new("."),
            &dirs,
            &config::Overrides::default(),
        ) {
            Ok(c) => c,
            Err(e) => {
                // logged, not shown: this runs on every change
                self.log(MessageType::ERROR, &format!("linea: {}: {}", e.location(), e.message));
                config::Configs::single(self.settings.clone())
            }
        };
        let registry = &self.registry;
        let outcome = self.pool.install(|| {
            panics::catch(|| engine::run_configs_keeping(registry, &configs, inputs, engine::Models::LetGo))
        });
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => {
                self.log(MessageType::ERROR, &format!("internal error: {e}"));
                return;
            }
        };
        for e in &outcome.internal_errors {
            self.log(MessageType::ERROR, &format!("internal error: {e}"));
        }
        let mut fixes = self.quick_fixes(&outcome);
        let mut dropped_fixes = Vec::new();
        for (key, doc) in self.documents.iter_mut() {
            doc.fixes = fixes.remove(key).unwrap_or_default();
            // kept until the next lint: bounded like the diagnostics
            let cap = crate::budget::LSP_CODE_ACTIONS_PER_DOCUMENT.get();
            if doc.fixes.len() > cap {
                dropped_fixes.push((doc.uri.as_str().to_string(), doc.fixes.len() - cap));
                doc.fixes.truncate(cap);
            }
        }
        for (uri, n) in dropped_fixes {
            let l = &crate::budget::LSP_CODE_ACTIONS_PER_DOCUMENT;
            self.log(
                MessageType::WARNING,
                &format!(
                    "linea: {uri}: {n} quick fixes not offered: over the document budget of {}",
                    l.amount()
                ),
            );
        }
        let mut found = self.diagnostics(&outcome);
        let published: Vec<(Uri, i32, Vec<lsp_types::Diagnostic>)> = self
            .documents
            .iter()
            .map(|(key, doc)| {
                (
                    doc.uri.clone(),
                    doc.version,
                    capped(found.remove(key).unwrap_or_default()),
                )
            })
            .collect();
        for (uri, version, diagnostics) in published {
            self.publish(uri, diagnostics, Some(version));
        }
    }

    /// The workspace's files as `check` discovers them, with the open documents' buffers in
    /// place of their files.
    fn inputs(&self) -> Vec<SourceInput> {
        let open: HashMap<&Path, &Document> = self
            .documents
            .values()
            .filter(|d| d.kind.is_some() && !self.settings.is_excluded(&d.path))
            .map(|d| (d.path.as_path(), d))
            .collect();
        // the working directory is the root: discovered paths read `./k8s/app.yaml`, as in `check`
        let mut inputs: Vec<SourceInput> = match &self.root {
            Some(_) => {
                let found = discover::walk(&[PathBuf::from(".")], &self.settings, &globset::GlobSet::empty(), 0);
                let problems = found.problems.into_iter().map(|problem| SourceInput::Problem {
                    problem,
                    reported: true,
                });
                found
                    .inputs
                    .into_iter()
                    .filter(|i| !open.contains_key(project::absolute(&i.path).as_path()))
                    .map(SourceInput::Disk)
                    .chain(problems)
                    .collect()
            }
            None => Vec::new(),
        };
        for doc in open.values() {
            if let Some(kind) = doc.kind {
                let path = match self.root.as_deref().and_then(|r| doc.path.strip_prefix(r).ok()) {
                    Some(rel) => Path::new(".").join(rel),
                    None => doc.path.clone(),
                };
                inputs.push(SourceInput::Memory {
                    path,
                    kind,
                    text: doc.text.clone(),
                });
            }
        }
        inputs
    }

    /// The outcome's unsuppressed findings as LSP diagnostics, by the key of the open document
    /// they are in.
    fn diagnostics(&self, outcome: &Outcome) -> HashMap<String, Vec<lsp_types::Diagnostic>> {
        let by_path: HashMap<&Path, &Document> = self.documents.values().map(|d| (d.path.as_path(), d)).collect();
        let uri_of = |path: &Path| -> Option<Uri> {
            let abs = project::absolute(path);
            match by_path.get(abs.as_path()) {
                Some(doc) => Some(doc.uri.clone()),
                None => path_to_uri(&abs),
            }
        };
        let mut out: HashMap<String, Vec<lsp_types::Diagnostic>> = HashMap::new();
        for d in outcome.diagnostics.iter().filter(|d| d.suppressed.is_none()) {
            let Some(file) = outcome.project.file(d.file) else {
                continue;
            };
            let Some(doc) = by_path.get(project::absolute(file.source.path()).as_path()) else {
                continue;
            };
            let help_uri = self.registry.find(&d.rule).map(|r| r.meta.help_uri());
            let mut lsp = to_lsp(d, &file.source, help_uri.as_deref());
            let related: Vec<DiagnosticRelatedInformation> = d
                .labels
                .iter()
                .filter_map(|l| {
                    let source = &outcome.project.file(l.file)?.source;
                    Some(DiagnosticRelatedInformation {
                        location: Location::new(uri_of(source.path())?, range(source, l.span)),
                        message: l.message.clone(),
                    })
                })
                .collect();
            if !related.is_empty() {
                lsp.related_information = Some(related);
            }
            out.entry(doc.uri.as_str().to_string()).or_default().push(lsp);
        }
        out
    }

    /// The fixes of the outcome's unsuppressed findings, by the key of the open document they
    /// are in; edits are computed on the text that was linted, so they carry its version.
    fn quick_fixes(&self, outcome: &Outcome) -> HashMap<String, Vec<QuickFix>> {
        let by_path: HashMap<&Path, (&String, &Document)> =
            self.documents.iter().map(|(k, d)| (d.path.as_path(), (k, d))).collect();
        let mut out: HashMap<String, Vec<QuickFix>> = HashMap::new();
        for d in outcome.diagnostics.iter().filter(|d| d.suppressed.is_none()) {
            let Some(fix) = &d.fix else { continue };
            let Some(file) = outcome.project.file(d.file) else {
                continue;
            };
            let Some((key, doc)) = by_path.get(project::absolute(file.source.path()).as_path()) else {
                continue;
            };
            let safe = fix.applicability == Applicability::Safe;
            let edits = fix
                .edits
                .iter()
                .map(|e| TextEdit::new(range(&file.source, e.span), e.replacement.clone()))
                .collect();
            let help_uri = self.registry.find(&d.rule).map(|r| r.meta.help_uri());
            out.entry((*key).clone()).or_default().push(QuickFix {
                diagnostic: to_lsp(d, &file.source, help_uri.as_deref()),
                title: format!("Fix {}: {}{}", d.rule, d.message, if safe { "" } else { " (unsafe)" }),
                edits,
                safe,
                version: doc.version,
            });
        }
        out
    }

    /// `textDocument/codeAction`: the quick fixes of the findings in the requested range.
    fn code_actions(&self, p: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let Some(doc) = self.documents.get(p.text_document.uri.as_str()) else {
            return Vec::new();
        };
        let overlaps = |r: &Range| r.start <= p.range.end && p.range.start <= r.end;
        doc.fixes
            .iter()
            .filter(|f| overlaps(&f.diagnostic.range))
            .map(|f| {
                let change = TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri: doc.uri.clone(),
                        // an editor refuses the edits if the buffer changed since that run
                        version: Some(f.version),
                    },
                    edits: f.edits.iter().cloned().map(OneOf::Left).collect(),
                };
                CodeActionOrCommand::CodeAction(CodeAction {
                    title: f.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![f.diagnostic.clone()]),
                    edit: Some(WorkspaceEdit {
                        document_changes: Some(DocumentChanges::Edits(vec![change])),
                        ..Default::default()
                    }),
                    is_preferred: Some(f.safe),
                    ..Default::default()
                })
            })
            .collect()
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(PublishDiagnostics::METHOD.into(), params).into());
    }

    fn log(&self, typ: MessageType, message: &str) {
        let params = LogMessageParams {
            typ,
            message: message.into(),
        };
        self.send(Notification::new(LogMessage::METHOD.into(), params).into());
    }

    fn show_error(&self, message: &str) {
        let params = ShowMessageParams {
            typ: MessageType::ERROR,
            message: message.into(),
        };
        self.send(Notification::new(ShowMessage::METHOD.into(), params).into());
    }

    fn send(&self, msg: Message) {
        // a closed channel means the client is gone; the main loop notices and stops
        let _ = self.connection.sender.send(msg);
    }
}

/// At most [`crate::budget::LSP_DIAGNOSTICS_PER_DOCUMENT`] diagnostics, in order, and one
/// notice at the top of the document for the rest.
fn capped(mut diagnostics: Vec<lsp_types::Diagnostic>) -> Vec<lsp_types::Diagnostic> {
    let l = &crate::budget::LSP_DIAGNOSTICS_PER_DOCUMENT;
    if diagnostics.len() <= l.get() {
        return diagnostics;
    }
    let rest = diagnostics.len() - l.get();
    diagnostics.truncate(l.get());
    diagnostics.push(lsp_types::Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::INFORMATION),
        source: Some("linea".into()),
        message: format!(
            "{rest} more findings not shown: over the document budget of {}; run `linea check` for all",
            l.amount()
        ),
        ..Default::default()
    });
    diagnostics
}

/// A finding as an LSP diagnostic (without related information, which needs other files).
fn to_lsp(d: &Diagnostic, file: &SourceFile, help_uri: Option<&str>) -> lsp_types::Diagnostic {
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    lsp_types::Diagnostic {
        range: range(file, d.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.rule.clone())),
        code_description: help_uri
            .and_then(|u| Uri::from_str(u).ok())
            .map(|href| CodeDescription { href }),
        source: Some("linea".into()),
        message,
        ..Default::default()
    }
}

/// A span as an LSP range: 0-based lines, UTF-16 columns.
fn range(file: &SourceFile, span: Span) -> Range {
    let at = |offset: usize| {
        let (line, character) = file.line_index.utf16(&file.text, offset);
        Position { line, character }
    };
    Range {
        start: at(span.start),
        end: at(span.end.max(span.start)),
    }
}

/// The local path of a `file:` URI.
fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme()?.as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    let decoded = percent_decode(uri.path().as_str())?;
    if cfg!(windows) {
        // `/C:/src/app` → `C:\src\app`
        let trimmed = match decoded.as_bytes() {
            [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() => &decoded[1..],
            _ => decoded.as_str(),
        };
        return Some(PathBuf::from(trimmed.replace('/', "\\")));
    }
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute path.
fn path_to_uri(path: &Path) -> Option<Uri> {
    let mut s = crate::source::slashed(path.to_str()?).into_owned();
    if !s.starts_with('/') {
        s.insert(0, '/');
    }
    let mut uri = String::from("file://");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&uri).ok()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Label;
    use crate::source::FileId;

    #[test]
    fn file_uris_round_trip() {
        let uri = Uri::from_str("file:///home/dev/my%20service/%C3%A9t%C3%A9/Dockerfile").unwrap();
        let path = uri_to_path(&uri).unwrap();
        if !cfg!(windows) {
            assert_eq!(path, PathBuf::from("/home/dev/my service/été/Dockerfile"));
            assert_eq!(path_to_uri(&path).unwrap().as_str(), uri.as_str());
        }
        assert!(uri_to_path(&Uri::from_str("untitled:Untitled-1").unwrap()).is_none());
    }

    #[test]
    fn ranges_count_utf16_units() {
        // `é` is 1 UTF-16 unit, `😀` is 2: `privileged` starts at character 10 of line 1
        let text = "kind: Pod\nx: \"é😀\", privileged: true\n";
        let f = SourceFile::new(FileId(0), "pod.yaml".into(), text);
        let at = text.find("privileged").unwrap();
        let r = range(&f, Span::new(at, at + "privileged".len()));
        assert_eq!((r.start.line, r.start.character), (1, 10));
        assert_eq!((r.end.line, r.end.character), (1, 20));
    }

    #[test]
    fn maps_a_finding() {
        let f = SourceFile::new(FileId(0), "Dockerfile".into(), "FROM python:latest\n");
        let mut d = Diagnostic::new(
            "DF001",
            Severity::Warning,
            FileId(0),
            Span::new(5, 18),
            "image `python:latest`",
        );
        d.help = Some("pin a version".into());
        d.labels.push(Label {
            file: FileId(0),
            span: Span::new(0, 4),
            message: "here".into(),
        });
        let lsp = to_lsp(&d, &f, Some("https://example.com/DF001.md"));
        assert_eq!(lsp.range.start, Position::new(0, 5));
        assert_eq!(lsp.range.end, Position::new(0, 18));
        assert_eq!(lsp.severity, Some(DiagnosticSeverity::WARNING));
        assert_eq!(lsp.code, Some(NumberOrString::String("DF001".into())));
        assert_eq!(lsp.message, "image `python:latest`\nhelp: pin a version");
        assert_eq!(
            lsp.code_description.map(|c| c.href.as_str().to_string()),
            Some("https://example.com/DF001.md".into())
        );
    }
}
