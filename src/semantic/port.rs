//! Ports: a number (or an inclusive range), a protocol, and where it is declared — in every
//! way a repository writes one:
//!
//! - port specs of policies and Terraform (`443`, `"20-25"`, `"*"`, `"80,443"`, lists):
//!   [`parse_port_text`], [`node_ports`];
//! - Dockerfile `EXPOSE` (`8080`, `8080/tcp`, `8000-8010/udp`, ARG/ENV resolved) and the ports
//!   the final image exposes (every stage of the final image counts: `EXPOSE` is inherited
//!   through `FROM <stage>`): [`expose_spec`], [`exposed`], [`image_ports`];
//! - Kubernetes `containerPort`, Service `port`/`targetPort` (numbers and names), and Istio
//!   `number`s: [`container_ports`], [`service_ports`], [`port_ref`], [`number`];
//! - Docker Compose `ports:` (`"127.0.0.1:8080:80/tcp"`, ranges, the long syntax):
//!   [`parse_compose_port`], [`compose_port`];
//! - the port a Python service listens on: a server call in the code (`app.run(port=)`,
//!   `uvicorn.run`, `web.run_app`, `serve`, `make_server`, `HTTPServer(("", 8000), …)`,
//!   `socketserver`, `add_insecure_port("[::]:50051")`…, names resolved through imports) —
//!   [`python_listeners`] — or a server's command line (`gunicorn --bind`, `uvicorn --port`,
//!   `flask run -p`, `streamlit --server.port`, `daphne -p`, `python -m http.server 8000`…) —
//!   [`command_listeners`].
//!
//! A port written with a variable, an expression or a template is unknown: the functions
//! return `None` (or say the list is incomplete) and no rule compares it.

use crate::lang::docker::{Dockerfile, Instruction};
use crate::lang::k8s::{Container, Object};
use crate::lang::python::{Call, Expr, Module, Value};
use crate::source::{Node, NodeValue, Span};

/// The transport of a port; TCP unless written otherwise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    /// `tcp`, `UDP`, `sctp` (any case).
    pub fn parse(s: &str) -> Option<Protocol> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tcp" => Some(Protocol::Tcp),
            "udp" => Some(Protocol::Udp),
            "sctp" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }
}

/// An inclusive port range; a single port is `(p, p)`, `*` is `(0, 65535)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    pub start: u32,
    pub end: u32,
}

impl PortRange {
    pub fn single(p: u32) -> Self {
        PortRange { start: p, end: p }
    }
    pub fn is_all(&self) -> bool {
        self.start <= 1 && self.end >= 65535
    }
    pub fn is_single(&self) -> bool {
        self.start == self.end
    }
    pub fn contains(&self, port: u32) -> bool {
        self.start <= port && port <= self.end
    }
    /// Whether every port of the range is in `allowed`.
    pub fn within(&self, allowed: &[PortRange]) -> bool {
        // ranges are small in practice except `*`; walk the covered intervals instead of ports
        let mut from = self.start;
        loop {
            let Some(cover) = allowed.iter().find(|a| a.start <= from && from <= a.end) else {
                return false;
            };
            if cover.end >= self.end {
                return true;
            }
            from = cover.end + 1;
        }
    }
    pub fn render(&self) -> String {
        if self.is_all() {
            "*".into()
        } else if self.start == self.end {
            self.start.to_string()
        } else {
            format!("{}-{}", self.start, self.end)
        }
    }
}

/// A port number as written: `8080`, at most 65535.
fn port_number(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u32>().ok().filter(|p| *p <= 65535)
}

/// `8080` or `8000-8010` (start not above end).
fn range_text(s: &str) -> Option<PortRange> {
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (port_number(a)?, port_number(b)?);
            (a <= b).then_some(PortRange { start: a, end: b })
        }
        None => port_number(s).map(PortRange::single),
    }
}

/// Parse one textual port spec: `443`, `20-25`, `*`, `0-65535`, `80,443`. `None` when it is
/// not a port spec (a reference, a name like `http`).
pub fn parse_port_text(text: &str) -> Option<Vec<PortRange>> {
    let mut out = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        if part == "*" || part.eq_ignore_ascii_case("any") {
            out.push(PortRange { start: 0, end: 65535 });
        } else {
            out.push(range_text(part)?);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The ports a node denotes, each with the node it came from. `None` when some part is
/// unknown or not a port spec: the caller must not report anything then.
pub fn node_ports(node: &Node) -> Option<Vec<(PortRange, &Node)>> {
    let mut out = Vec::new();
    let mut stack = vec![(node, 0usize)];
    while let Some((n, depth)) = stack.pop() {
        match &n.value {
            NodeValue::Number { value, .. } => {
                if value.fract() != 0.0 || *value < 0.0 || *value > 65535.0 {
                    return None;
                }
                out.push((PortRange::single(*value as u32), n));
            }
            NodeValue::String(s) => {
                for r in parse_port_text(s)? {
                    out.push((r, n));
                }
            }
            NodeValue::Seq(items) if depth < 4 => {
                for i in items.iter().rev() {
                    stack.push((i, depth + 1));
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

pub fn render_ports(ports: &[PortRange]) -> String {
    ports.iter().map(PortRange::render).collect::<Vec<_>>().join(", ")
}

/// A port (or range) as declared somewhere, with its protocol and where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declared {
    pub range: PortRange,
    pub protocol: Protocol,
    pub span: Span,
}

impl Declared {
    /// `8080`, `8000-8010`, `53/udp`: as messages show it (TCP implied).
    pub fn render(&self) -> String {
        match self.protocol {
            Protocol::Tcp => self.range.render(),
            p => format!("{}/{}", self.range.render(), p.as_str()),
        }
    }
}

/// One word of `EXPOSE`, its variables already resolved: `8080`, `8080/tcp`, `8000-8010/udp`.
pub fn expose_spec(text: &str) -> Option<(PortRange, Protocol)> {
    let (ports, protocol) = match text.split_once('/') {
        Some((p, proto)) => (p, Protocol::parse(proto)?),
        None => (text, Protocol::Tcp),
    };
    Some((range_text(ports)?, protocol))
}

/// The ports of one `EXPOSE` instruction, word by word: `Ok` with the port, or `Err` with the
/// word's span when it is unknown (an ARG without a default, not a port).
pub fn exposed(d: &Dockerfile, i: &Instruction) -> Vec<Result<Declared, Span>> {
    if !i.is("EXPOSE") {
        return Vec::new();
    }
    i.args
        .iter()
        .map(|a| {
            d.resolve(&a.text, i.index)
                .and_then(|spec| expose_spec(&spec))
                .map(|(range, protocol)| Declared {
                    range,
                    protocol,
                    span: a.span,
                })
                .ok_or(a.span)
        })
        .collect()
}

/// The ports an image exposes: its final stage's `EXPOSE`s and those of the stages it is
/// built `FROM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePorts {
    pub ports: Vec<Declared>,
    /// The first `EXPOSE` of the final image (where labels point).
    pub at: Span,
    /// `false` when some `EXPOSE` word is unknown: a port missing from [`ImagePorts::ports`]
    /// may still be exposed.
    pub complete: bool,
}

impl ImagePorts {
    /// Whether the image exposes `port` over `protocol`.
    pub fn exposes(&self, port: u32, protocol: Protocol) -> bool {
        self.ports
            .iter()
            .any(|p| p.protocol == protocol && p.range.contains(port))
    }

    /// `8080, 9090/udp`: the exposed ports as messages list them.
    pub fn render(&self) -> String {
        let mut shown: Vec<String> = Vec::new();
        for p in &self.ports {
            let r = p.render();
            if !shown.contains(&r) {
                shown.push(r);
            }
        }
        shown.join(", ")
    }
}

/// The ports the image a Dockerfile builds exposes; `None` when no stage of the final image
/// says `EXPOSE` (its base image may expose ports linea cannot see).
pub fn image_ports(d: &Dockerfile) -> Option<ImagePorts> {
    let mut ports = Vec::new();
    let mut at: Option<Span> = None;
    let mut complete = true;
    // the final stage first, then its bases: `at` is the EXPOSE nearest the final image
    for stage in d.final_chain.iter().filter_map(|&s| d.stages.get(s)) {
        for i in d.stage_instructions(stage).iter().filter(|i| i.is("EXPOSE")) {
            at.get_or_insert(i.span);
            for p in exposed(d, i) {
                match p {
                    Ok(p) => ports.push(p),
                    Err(_) => complete = false,
                }
            }
        }
    }
    Some(ImagePorts {
        ports,
        at: at?,
        complete,
    })
}

/// A Kubernetes port reference: a number, or the name of a container port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortRef<'a> {
    Number(u32),
    Name(&'a str),
}

/// A literal port number node (an integer, or a string of digits); `None` otherwise.
pub fn number(node: &Node) -> Option<u32> {
    match &node.value {
        NodeValue::Number { value, .. } if value.fract() == 0.0 && *value >= 0.0 && *value <= 65535.0 => {
            Some(*value as u32)
        }
        NodeValue::String(s) => port_number(s),
        _ => None,
    }
}

/// A `targetPort` / `port` value: a number, or a port name (`http`, `grpc-web`: lower-case
/// letters, digits and `-`, with a letter). `None` when it is neither (a template, an
/// expression).
pub fn port_ref(node: &Node) -> Option<PortRef<'_>> {
    if let Some(n) = number(node) {
        return Some(PortRef::Number(n));
    }
    let name = node.as_str()?.trim();
    let valid = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.bytes().any(|b| b.is_ascii_lowercase())
        && !name.starts_with('-')
        && !name.ends_with('-');
    valid.then_some(PortRef::Name(name))
}

fn protocol_of(node: &Node) -> Protocol {
    node.get("protocol")
        .and_then(Node::as_str)
        .and_then(Protocol::parse)
        .unwrap_or_default()
}

/// One entry of a container's `ports:`.
#[derive(Debug, Clone, Copy)]
pub struct ContainerPort<'a> {
    /// `None` when `containerPort` is absent or not a literal.
    pub number: Option<u32>,
    pub name: Option<&'a str>,
    pub protocol: Protocol,
    /// The `containerPort` value, else the entry.
    pub node: &'a Node,
}

/// The ports a container declares.
pub fn container_ports<'a>(c: &Container<'a>) -> Vec<ContainerPort<'a>> {
    c.node
        .get("ports")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .map(|p| {
            let value = p.get("containerPort");
            ContainerPort {
                number: value.and_then(number),
                name: p.get("name").and_then(Node::as_str),
                protocol: protocol_of(p),
                node: value.unwrap_or(p),
            }
        })
        .collect()
}

/// One entry of a Service's `spec.ports`.
#[derive(Debug, Clone, Copy)]
pub struct ServicePort<'a> {
    /// The Service's own port; `None` when not a literal.
    pub port: Option<u32>,
    /// Where traffic goes in the pod: `targetPort`, which defaults to `port`. `None` when not a
    /// literal number or name.
    pub target: Option<PortRef<'a>>,
    /// The `targetPort` value, else the `port` value, else the entry.
    pub target_node: &'a Node,
    pub name: Option<&'a str>,
    pub protocol: Protocol,
    pub node: &'a Node,
}

/// The ports of a Service.
pub fn service_ports(svc: &Object) -> Vec<ServicePort<'_>> {
    svc.root
        .at("spec.ports")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .map(|p| {
            let port = p.get("port");
            let target = p.get("targetPort").or(port);
            ServicePort {
                port: port.and_then(number),
                target: target.and_then(port_ref),
                target_node: target.unwrap_or(p),
                name: p.get("name").and_then(Node::as_str),
                protocol: protocol_of(p),
                node: p,
            }
        })
        .collect()
}

/// A Compose `ports:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposePort {
    /// The host address it binds (`127.0.0.1`, `::1`); `None` binds every address.
    pub host_ip: Option<String>,
    /// The host port(s); `None` when Compose picks one.
    pub published: Option<PortRange>,
    /// The container port(s).
    pub target: PortRange,
    pub protocol: Protocol,
    pub span: Span,
}

/// The short syntax `[[HOST_IP:]PUBLISHED:]TARGET[/PROTOCOL]`: `"80"`, `"8080:80"`,
/// `"127.0.0.1:8080:80/tcp"`, `"[::1]:6000:6000"`, `"9090-9091:8080-8081"`,
/// `"127.0.0.1::5000"`. `None` for a variable (`"${PORT}:80"`) or anything else.
pub fn parse_compose_port(text: &str) -> Option<(Option<String>, Option<PortRange>, PortRange, Protocol)> {
    let text = text.trim();
    if text.contains('$') {
        return None;
    }
    let (ports, protocol) = match text.rsplit_once('/') {
        Some((p, proto)) => (p, Protocol::parse(proto)?),
        None => (text, Protocol::Tcp),
    };
    let (rest, target) = match ports.rsplit_once(':') {
        Some((r, t)) => (Some(r), t),
        None => (None, ports),
    };
    let target = range_text(target)?;
    let Some(rest) = rest else {
        return Some((None, None, target, protocol));
    };
    let (host, published) = match rest.rsplit_once(':') {
        // `[::1]:8080`, `127.0.0.1:8080`, `::1:8080`
        Some((h, p)) => (Some(h.trim_start_matches('[').trim_end_matches(']')), p),
        None => (None, rest),
    };
    let published = if published.is_empty() {
        None
    } else {
        Some(range_text(published)?)
    };
    let host = host.filter(|h| !h.is_empty()).map(str::to_string);
    if host.is_none() && published.is_none() {
        return None;
    }
    Some((host, published, target, protocol))
}

/// A Compose `ports:` item: a short-syntax string or number, or the long syntax map
/// (`target`, `published`, `host_ip`, `protocol`). `None` when unknown.
pub fn compose_port(node: &Node) -> Option<ComposePort> {
    match &node.value {
        NodeValue::Map(_) => {
            let target = node.get("target").and_then(number).map(PortRange::single)?;
            let published = match node.get("published") {
                None => None,
                Some(p) => Some(match number(p) {
                    Some(n) => PortRange::single(n),
                    None => range_text(p.as_str()?)?,
                }),
            };
            Some(ComposePort {
                host_ip: node.get("host_ip").and_then(Node::as_str).map(str::to_string),
                published,
                target,
                protocol: protocol_of(node),
                span: node.span,
            })
        }
        _ => {
            let text = node.scalar_text()?;
            let (host_ip, published, target, protocol) = parse_compose_port(&text)?;
            Some(ComposePort {
                host_ip,
                published,
                target,
                protocol,
                span: node.span,
            })
        }
    }
}

/// What a listening port serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serves {
    /// The application itself.
    App,
    /// A metrics endpoint beside it (`prometheus_client.start_http_server`).
    Metrics,
}

/// A port a service listens on, as its code or its command line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub port: u32,
    /// The literal port (or the flag's value).
    pub span: Span,
    /// What listens, as a message names it: `` `uvicorn.run` ``, `` `gunicorn` ``.
    pub server: String,
    pub serves: Serves,
}

/// Where a server call takes its port.
#[derive(Clone, Copy)]
enum PortArg {
    /// `port=` only.
    Keyword,
    /// `port=`, or the positional argument at this index.
    Positional(usize),
    /// The `(host, port)` address tuple at this position (or `server_address=`).
    AddressTuple(usize),
    /// A `"host:port"` string at this position.
    Address(usize),
}

/// Server calls by qualified name: where the port is, and what it serves.
const SERVER_CALLS: &[(&str, PortArg, Serves)] = &[
    ("uvicorn.run", PortArg::Keyword, Serves::App),
    ("uvicorn.Config", PortArg::Keyword, Serves::App),
    ("aiohttp.web.run_app", PortArg::Keyword, Serves::App),
    ("aiohttp.web.TCPSite", PortArg::Positional(2), Serves::App),
    ("waitress.serve", PortArg::Keyword, Serves::App),
    ("bottle.run", PortArg::Keyword, Serves::App),
    ("wsgiref.simple_server.make_server", PortArg::Positional(1), Serves::App),
    ("werkzeug.serving.make_server", PortArg::Positional(1), Serves::App),
    ("werkzeug.serving.run_simple", PortArg::Positional(1), Serves::App),
    ("werkzeug.run_simple", PortArg::Positional(1), Serves::App),
    ("asyncio.start_server", PortArg::Positional(2), Serves::App),
    ("http.server.HTTPServer", PortArg::AddressTuple(0), Serves::App),
    ("http.server.ThreadingHTTPServer", PortArg::AddressTuple(0), Serves::App),
    ("socketserver.TCPServer", PortArg::AddressTuple(0), Serves::App),
    ("socketserver.ThreadingTCPServer", PortArg::AddressTuple(0), Serves::App),
    ("socketserver.ForkingTCPServer", PortArg::AddressTuple(0), Serves::App),
    (
        "prometheus_client.start_http_server",
        PortArg::Positional(0),
        Serves::Metrics,
    ),
    (
        "prometheus_client.start_wsgi_server",
        PortArg::Positional(0),
        Serves::Metrics,
    ),
    (
        "prometheus_client.exposition.start_http_server",
        PortArg::Positional(0),
        Serves::Metrics,
    ),
];

/// Methods that start a server on whatever object they are called on (`app.run(port=)`,
/// `server.add_insecure_port("[::]:50051")`): the receiver is a variable, not an import.
const SERVER_METHODS: &[(&str, PortArg, Serves)] = &[
    ("run", PortArg::Keyword, Serves::App),
    ("run_app", PortArg::Keyword, Serves::App),
    ("serve", PortArg::Keyword, Serves::App),
    ("run_simple", PortArg::Positional(1), Serves::App),
    ("make_server", PortArg::Positional(1), Serves::App),
    ("start_http_server", PortArg::Positional(0), Serves::Metrics),
    ("add_insecure_port", PortArg::Address(0), Serves::App),
    ("add_secure_port", PortArg::Address(0), Serves::App),
];

/// Modules whose `run`/`serve` are not servers.
const NOT_SERVERS: &[&str] = &[
    "subprocess",
    "asyncio",
    "os",
    "multiprocessing",
    "trio",
    "anyio",
    "docker",
];

fn server_of(m: &Module, call: &Call) -> Option<(PortArg, Serves)> {
    if let Some((_, arg, serves)) = SERVER_CALLS.iter().find(|(q, _, _)| *q == call.qualified) {
        return Some((*arg, *serves));
    }
    let head = call.qualified.split('.').next().unwrap_or("");
    if NOT_SERVERS.contains(&head) {
        return None;
    }
    // a method of an object (`app.run`) by its name; a function of an imported module that
    // is not in the table (`from invoke import run`, `invoke.run`) is something else
    let written_head = call.callee.split('.').next().unwrap_or("");
    if m.bindings.contains_key(written_head) {
        return None;
    }
    let (_, arg, serves) = SERVER_METHODS.iter().find(|(name, _, _)| *name == call.method())?;
    // `app.run("0.0.0.0", 8080)`: Flask takes the host then the port
    let arg = match arg {
        PortArg::Keyword
            if call.method() == "run" && matches!(call.positional(0).map(|a| &a.value.value), Some(Value::Str(_))) =>
        {
            PortArg::Positional(1)
        }
        a => *a,
    };
    Some((arg, *serves))
}

fn int_port(e: &Expr) -> Option<(u32, Span)> {
    match e.value {
        Value::Int(n) => u32::try_from(n)
            .ok()
            .filter(|p| *p > 0 && *p <= 65535)
            .map(|p| (p, e.span)),
        _ => None,
    }
}

/// `"[::]:50051"`, `"0.0.0.0:8080"`, `"*:8080"` → 50051, 8080.
fn address_port(text: &str) -> Option<u32> {
    let (_, port) = text.rsplit_once(':')?;
    port_number(port).filter(|p| *p > 0)
}

/// The literal ports a module's server calls listen on.
pub fn python_listeners(m: &Module) -> Vec<Listener> {
    let mut out = Vec::new();
    for call in &m.calls {
        let Some((arg, serves)) = server_of(m, call) else {
            continue;
        };
        let found = match arg {
            PortArg::Keyword => call.keyword("port").and_then(|a| int_port(&a.value)),
            PortArg::Positional(i) => call
                .keyword("port")
                .or(call.positional(i))
                .and_then(|a| int_port(&a.value)),
            PortArg::AddressTuple(i) => match call
                .keyword("server_address")
                .or(call.positional(i))
                .map(|a| &a.value.value)
            {
                Some(Value::Tuple(items)) => items.get(1).and_then(int_port),
                _ => None,
            },
            PortArg::Address(i) => call.positional(i).and_then(|a| match &a.value.value {
                Value::Str(s) => address_port(s).map(|p| (p, a.value.span)),
                _ => None,
            }),
        };
        // `waitress.serve(app, listen="*:8080")`
        let found = found.or_else(|| {
            let a = call.keyword("listen")?;
            match &a.value.value {
                Value::Str(s) => address_port(s).map(|p| (p, a.value.span)),
                _ => None,
            }
        });
        if let Some((port, span)) = found {
            out.push(Listener {
                port,
                span,
                server: call.display(),
                serves,
            });
        }
    }
    out
}

/// What a command line says about the port it serves on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandPort {
    /// No server this module knows is started.
    NoServer,
    /// A server, on its default port or on ports that are variables: unknown.
    Unknown,
    /// A server on literal ports.
    Ports(Vec<Listener>),
}

/// Python servers started from a command line, and how each is given its port.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cli {
    /// `--bind HOST:PORT` / `-b` (gunicorn, hypercorn).
    Bind,
    /// `--port N` (uvicorn, granian, fastapi).
    Port,
    /// `-p N` / `--port N` (flask run, daphne).
    PortShort,
    /// `--server.port N` (streamlit).
    Streamlit,
    /// `--port=N` / `--listen=HOST:PORT` (waitress-serve).
    Waitress,
    /// `python -m http.server [PORT]`.
    HttpServer,
}

fn cli_of(word: &str) -> Option<(&'static str, Cli)> {
    let program = word.rsplit('/').next().unwrap_or(word);
    Some(match program {
        "gunicorn" => ("gunicorn", Cli::Bind),
        "hypercorn" => ("hypercorn", Cli::Bind),
        "uvicorn" => ("uvicorn", Cli::Port),
        "granian" => ("granian", Cli::Port),
        "fastapi" => ("fastapi", Cli::Port),
        "flask" => ("flask", Cli::PortShort),
        "daphne" => ("daphne", Cli::PortShort),
        "streamlit" => ("streamlit", Cli::Streamlit),
        "waitress-serve" => ("waitress-serve", Cli::Waitress),
        "http.server" => ("http.server", Cli::HttpServer),
        _ => return None,
    })
}

/// The ports a server's command line names: `gunicorn --bind 0.0.0.0:8000 app:app`,
/// `python -m uvicorn main:app --port 8080`, `flask run -p 5000`. `words` are the command's
/// words with their spans (quotes removed).
pub fn command_listeners(words: &[(String, Span)]) -> CommandPort {
    let Some((k, (name, cli))) = words
        .iter()
        .enumerate()
        .find_map(|(k, (w, _))| cli_of(w).map(|c| (k, c)))
    else {
        return CommandPort::NoServer;
    };
    let server = format!("`{name}`");
    let mut ports = Vec::new();
    let mut unknown = false;
    let rest = words.get(k + 1..).unwrap_or(&[]);
    let mut push = |value: Option<u32>, span: Span| match value {
        Some(port) if port > 0 => ports.push(Listener {
            port,
            span,
            server: server.clone(),
            serves: Serves::App,
        }),
        _ => unknown = true,
    };
    if cli == Cli::HttpServer {
        // no port word: the default port, unknown here
        let (value, span) = match rest.first() {
            Some((w, span)) if !w.starts_with('-') => (port_number(w), *span),
            _ => (None, Span::default()),
        };
        push(value, span);
    }
    for (i, (w, span)) in rest.iter().enumerate() {
        let next = rest.get(i + 1);
        // (the flag's value, and whether it is `HOST:PORT`)
        let value: Option<(&str, Span, bool)> = match (cli, w.as_str()) {
            (Cli::Bind, "--bind" | "-b") => next.map(|(v, s)| (v.as_str(), *s, true)),
            (Cli::Bind, _) if w.starts_with("--bind=") => Some((&w["--bind=".len()..], *span, true)),
            (Cli::Bind, _) if w.starts_with("-b") && w.len() > 2 => Some((&w[2..], *span, true)),
            (Cli::Port | Cli::PortShort, "--port") => next.map(|(v, s)| (v.as_str(), *s, false)),
            (Cli::PortShort, "-p") => next.map(|(v, s)| (v.as_str(), *s, false)),
            (Cli::Port | Cli::PortShort, _) if w.starts_with("--port=") => Some((&w["--port=".len()..], *span, false)),
            (Cli::Streamlit, "--server.port") => next.map(|(v, s)| (v.as_str(), *s, false)),
            (Cli::Streamlit, _) if w.starts_with("--server.port=") => {
                Some((&w["--server.port=".len()..], *span, false))
            }
            (Cli::Waitress, _) if w.starts_with("--port=") => Some((&w["--port=".len()..], *span, false)),
            (Cli::Waitress, _) if w.starts_with("--listen=") => Some((&w["--listen=".len()..], *span, true)),
            _ => None,
        };
        let Some((v, s, address)) = value else { continue };
        if address {
            // `unix:/run/app.sock`, `fd://3`: no TCP port
            if v.starts_with("unix:") || v.starts_with("fd://") {
                continue;
            }
            push(address_port(v), s);
        } else {
            push(port_number(v), s);
        }
    }
    if unknown || ports.is_empty() {
        CommandPort::Unknown
    } else {
        CommandPort::Ports(ports)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        assert_eq!(parse_port_text("443"), Some(vec![PortRange::single(443)]));
        assert_eq!(parse_port_text("20-25"), Some(vec![PortRange { start: 20, end: 25 }]));
        assert!(parse_port_text("*").unwrap()[0].is_all());
        assert_eq!(parse_port_text("80, 443").map(|v| v.len()), Some(2));
        assert_eq!(parse_port_text("http"), None);
        assert_eq!(parse_port_text("25-20"), None);
        assert_eq!(parse_port_text("70000"), None);
        assert_eq!(parse_port_text("+80"), None);
    }

    #[test]
    fn within() {
        let allowed = vec![PortRange::single(443), PortRange { start: 8000, end: 8010 }];
        assert!(PortRange::single(443).within(&allowed));
        assert!(PortRange { start: 8000, end: 8005 }.within(&allowed));
        assert!(!PortRange { start: 442, end: 443 }.within(&allowed));
        assert!(!PortRange { start: 0, end: 65535 }.within(&allowed));
        let adjacent = vec![PortRange { start: 1, end: 5 }, PortRange { start: 6, end: 9 }];
        assert!(PortRange { start: 2, end: 8 }.within(&adjacent));
    }

    #[test]
    fn expose_words() {
        assert_eq!(expose_spec("8080"), Some((PortRange::single(8080), Protocol::Tcp)));
        assert_eq!(expose_spec("53/UDP"), Some((PortRange::single(53), Protocol::Udp)));
        assert_eq!(
            expose_spec("8000-8010/tcp"),
            Some((PortRange { start: 8000, end: 8010 }, Protocol::Tcp))
        );
        assert_eq!(expose_spec("8080/http"), None);
        assert_eq!(expose_spec("$PORT"), None);
    }

    #[test]
    fn the_final_image_inherits_exposed_ports_from_its_stages() {
        let d = crate::lang::docker::parse(
            "FROM python:3.12 AS base\nARG PORT=8080\nEXPOSE ${PORT}\nFROM base\nEXPOSE 9090/udp\nFROM golang AS tools\nEXPOSE 1\nFROM base AS final\n",
        )
        .expect("parses");
        let p = image_ports(&d).expect("ports");
        assert!(p.complete);
        assert!(p.exposes(8080, Protocol::Tcp));
        assert!(
            !p.exposes(9090, Protocol::Udp),
            "a sibling stage is not in the final image"
        );
        assert!(!p.exposes(1, Protocol::Tcp));
        assert_eq!(p.render(), "8080");
        let d = crate::lang::docker::parse("FROM python:3.12\nEXPOSE $NOPE 8000\n").expect("parses");
        let p = image_ports(&d).expect("ports");
        assert!(!p.complete);
        assert_eq!(p.render(), "8000");
        let d = crate::lang::docker::parse("FROM nginx\n").expect("parses");
        assert_eq!(image_ports(&d), None);
    }

    #[test]
    fn compose_short_and_long_syntax() {
        let t = |s: &str| parse_compose_port(s);
        let r = PortRange::single;
        assert_eq!(t("80"), Some((None, None, r(80), Protocol::Tcp)));
        assert_eq!(t("8080:80"), Some((None, Some(r(8080)), r(80), Protocol::Tcp)));
        assert_eq!(
            t("127.0.0.1:8080:80/tcp"),
            Some((Some("127.0.0.1".into()), Some(r(8080)), r(80), Protocol::Tcp))
        );
        assert_eq!(
            t("[::1]:6000:6000/udp"),
            Some((Some("::1".into()), Some(r(6000)), r(6000), Protocol::Udp))
        );
        assert_eq!(
            t("127.0.0.1::5000"),
            Some((Some("127.0.0.1".into()), None, r(5000), Protocol::Tcp))
        );
        assert_eq!(
            t("9090-9091:8080-8081"),
            Some((
                None,
                Some(PortRange { start: 9090, end: 9091 }),
                PortRange { start: 8080, end: 8081 },
                Protocol::Tcp
            ))
        );
        assert_eq!(t("${PORT}:80"), None);
        assert_eq!(t("web:80"), None);
        let doc = crate::lang::yaml::parse(
            "- target: 80\n  published: \"8080\"\n  host_ip: 127.0.0.1\n  protocol: udp\n- 3000\n",
        );
        let items = doc.documents[0].root.items();
        let long = compose_port(&items[0]).expect("long syntax");
        assert_eq!(
            (long.host_ip.as_deref(), long.published, long.target, long.protocol),
            (Some("127.0.0.1"), Some(r(8080)), r(80), Protocol::Udp)
        );
        assert_eq!(compose_port(&items[1]).map(|p| p.target), Some(r(3000)));
    }

    #[test]
    fn kubernetes_port_references() {
        let doc = crate::lang::yaml::parse("[8080, \"9090\", http, \"{{ .Values.port }}\", Http, 70000]");
        let refs: Vec<_> = doc.documents[0].root.items().iter().map(port_ref).collect();
        assert_eq!(
            refs,
            [
                Some(PortRef::Number(8080)),
                Some(PortRef::Number(9090)),
                Some(PortRef::Name("http")),
                None,
                None,
                None
            ]
        );
    }

    fn ports_of(src: &str) -> Vec<(u32, String, Serves)> {
        let m = crate::lang::python::parse(src);
        python_listeners(&m)
            .into_iter()
            .map(|l| (l.port, l.server, l.serves))
            .collect()
    }

    #[test]
    fn python_servers_in_code() {
        let src = "import uvicorn as uv\nfrom wsgiref.simple_server import make_server\nfrom http.server import HTTPServer\n\
                   import socketserver\nfrom aiohttp import web\nfrom prometheus_client import start_http_server\n\
                   uv.run(app, host=\"0.0.0.0\", port=8001)\nmake_server(\"\", 9000, app)\nHTTPServer((\"\", 8002), H)\n\
                   socketserver.TCPServer((\"\", 8003), H)\nweb.run_app(app, port=8004)\napp.run(\"0.0.0.0\", 8005)\n\
                   server.add_insecure_port(\"[::]:50051\")\nstart_http_server(9100)\nsubprocess.run(cmd, port=1)\n\
                   asyncio.run(main())\nserve(app, listen=\"*:8006\")\napp.run(port=PORT)\n";
        let ports = ports_of(src);
        let numbers: Vec<u32> = ports.iter().map(|p| p.0).collect();
        assert_eq!(numbers, [8001, 9000, 8002, 8003, 8004, 8005, 50051, 9100, 8006]);
        assert_eq!(ports[0].1, "`uv.run` (`uvicorn.run`)");
        assert_eq!(ports[7].2, Serves::Metrics);
    }

    #[test]
    fn an_imported_function_of_another_module_is_not_a_server() {
        assert!(ports_of("from invoke import run\nrun(\"make\", port=8080)\n").is_empty());
        assert_eq!(
            ports_of("from flask import Flask\napp = Flask(__name__)\napp.run(port=5000)\n").len(),
            1
        );
    }

    fn words(cmd: &str) -> Vec<(String, Span)> {
        cmd.split_whitespace()
            .map(|w| (w.to_string(), Span::default()))
            .collect()
    }

    fn cli(cmd: &str) -> Option<Vec<u32>> {
        match command_listeners(&words(cmd)) {
            CommandPort::Ports(p) => Some(p.iter().map(|l| l.port).collect()),
            CommandPort::Unknown => Some(Vec::new()),
            CommandPort::NoServer => None,
        }
    }

    #[test]
    fn python_servers_on_the_command_line() {
        assert_eq!(cli("gunicorn --bind 0.0.0.0:8000 app:app"), Some(vec![8000]));
        assert_eq!(cli("gunicorn -b :8000 -b [::]:8001 app:app"), Some(vec![8000, 8001]));
        assert_eq!(cli("gunicorn --bind=unix:/run/app.sock app:app"), Some(vec![]));
        assert_eq!(
            cli("python -m uvicorn main:app --host 0.0.0.0 --port 8080"),
            Some(vec![8080])
        );
        assert_eq!(cli("uvicorn main:app --port=8081"), Some(vec![8081]));
        assert_eq!(cli("uvicorn main:app --port $PORT"), Some(vec![]));
        assert_eq!(cli("uvicorn main:app"), Some(vec![]), "the default port is unknown");
        assert_eq!(cli("flask run -h 0.0.0.0 -p 5001"), Some(vec![5001]));
        assert_eq!(cli("daphne -b 0.0.0.0 -p 8002 app.asgi:application"), Some(vec![8002]));
        assert_eq!(cli("streamlit run app.py --server.port 8501"), Some(vec![8501]));
        assert_eq!(cli("hypercorn -b0.0.0.0:8003 app:app"), Some(vec![8003]));
        assert_eq!(cli("waitress-serve --listen=*:8004 app:app"), Some(vec![8004]));
        assert_eq!(cli("python -m http.server 8005"), Some(vec![8005]));
        assert_eq!(cli("python -m orders"), None);
    }
}
