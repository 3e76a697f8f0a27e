//! The language server's framing over stdin and stdout, bounded and forgiving.
//!
//! `lsp-server`'s own stdio reader allocates whatever `Content-Length` says and stops for good
//! at the first malformed header or JSON value, so one bad frame from a client (or from a
//! document's text mangled on the way) ends the session. Here a frame is read to at most
//! [`budget::LSP_MESSAGE_BYTES`]: a larger one is skipped without being held, and a frame that
//! is not a JSON-RPC message gets an error response (`id` null when it has none) while the
//! server goes on. The channels are `lsp-server`'s, so the server itself does not change.

use std::io::{self, BufRead, Read, Write};
use std::sync::{Arc, Mutex};
use std::thread;

use lsp_server::{Connection, ErrorCode, Message};
use serde_json::Value;

use crate::budget;

/// The longest header line read; real ones are under 60 bytes.
const MAX_HEADER_LINE: u64 = 1024;

/// One frame from the client.
#[derive(Debug)]
pub enum Frame {
    Message(Message),
    /// Not a message: answer with this error (`id` as far as it could be read).
    Invalid {
        id: Value,
        code: i32,
        message: String,
    },
}

impl Frame {
    fn invalid(id: Value, code: ErrorCode, message: String) -> Frame {
        Frame::Invalid {
            id,
            code: code as i32,
            message,
        }
    }
}

/// Read one header line, at most [`MAX_HEADER_LINE`] bytes; a longer one is consumed to its end
/// in bounded memory and returned as `None`. `Ok(None)` at the end of input is `Err(eof)`.
fn header_line(r: &mut impl BufRead) -> io::Result<Option<Option<String>>> {
    let mut buf = Vec::new();
    let n = r.by_ref().take(MAX_HEADER_LINE).read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if !buf.ends_with(b"\n") {
        // skip the rest of the line without keeping it
        loop {
            let chunk = r.fill_buf()?;
            if chunk.is_empty() {
                return Ok(None);
            }
            match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    r.consume(i + 1);
                    return Ok(Some(None));
                }
                None => {
                    let len = chunk.len();
                    r.consume(len);
                }
            }
        }
    }
    let line = String::from_utf8_lossy(&buf);
    Ok(Some(Some(line.trim_end_matches(['\r', '\n']).to_string())))
}

/// Read the next frame; `Ok(None)` at the end of input.
pub fn read_frame(r: &mut impl BufRead, max: u64) -> io::Result<Option<Frame>> {
    let mut length: Option<Result<u64, String>> = None;
    let mut bad_header: Option<String> = None;
    let mut lines = 0usize;
    loop {
        let Some(line) = header_line(r)? else {
            return Ok(None);
        };
        lines += 1;
        let Some(line) = line else {
            bad_header.get_or_insert_with(|| format!("a header line is longer than {MAX_HEADER_LINE} bytes"));
            continue;
        };
        if line.is_empty() {
            if lines == 1 {
                // a stray blank line between frames
                lines = 0;
                continue;
            }
            break;
        }
        match line.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("Content-Length") => {
                length = Some(value.trim().parse::<u64>().map_err(|_| {
                    format!(
                        "`Content-Length: {}` is not a length",
                        crate::budget::truncate(value.trim(), 40)
                    )
                }));
            }
            Some(_) => {}
            None => {
                bad_header.get_or_insert_with(|| format!("malformed header `{}`", crate::budget::truncate(&line, 40)));
            }
        }
    }
    let len = match length {
        Some(Ok(n)) => n,
        Some(Err(e)) => return Ok(Some(Frame::invalid(Value::Null, ErrorCode::ParseError, e))),
        None => {
            let why = bad_header.unwrap_or_else(|| "a message without `Content-Length`".into());
            return Ok(Some(Frame::invalid(Value::Null, ErrorCode::ParseError, why)));
        }
    };
    if len > max {
        // skipped, never held: the next frame starts after it
        let skipped = io::copy(&mut r.by_ref().take(len), &mut io::sink())?;
        if skipped < len {
            return Ok(None);
        }
        let l = &budget::LSP_MESSAGE_BYTES;
        return Ok(Some(Frame::invalid(
            Value::Null,
            ErrorCode::InvalidRequest,
            format!(
                "a message of {len} bytes exceeds the {} budget of {}",
                l.per.as_str(),
                l.amount()
            ),
        )));
    }
    let mut body = Vec::with_capacity(len.min(1 << 20) as usize);
    r.by_ref().take(len).read_to_end(&mut body)?;
    if (body.len() as u64) < len {
        return Ok(None);
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return Ok(Some(Frame::invalid(
                Value::Null,
                ErrorCode::ParseError,
                format!("not JSON: {e}"),
            )))
        }
    };
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Ok(Some(match serde_json::from_value::<Message>(value) {
        Ok(m) => Frame::Message(m),
        Err(e) => Frame::invalid(id, ErrorCode::InvalidRequest, format!("not a JSON-RPC message: {e}")),
    }))
}

/// An error response written as is (its `id` may be null, which `lsp-server` cannot say).
fn write_error(w: &mut impl Write, id: &Value, code: i32, message: &str) -> io::Result<()> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": code, "message": message},
    })
    .to_string();
    write!(w, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    w.flush()
}

/// Serve frames from `input` to `send` (false: nobody listens) until the end of input or `exit`; errors for what is
/// not a message go to `out`.
pub fn pump(
    input: &mut impl BufRead,
    mut send: impl FnMut(Message) -> bool,
    out: &Mutex<impl Write>,
    max: u64,
) -> io::Result<()> {
    while let Some(frame) = read_frame(input, max)? {
        match frame {
            Frame::Message(msg) => {
                let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if !send(msg) || exit {
                    return Ok(());
                }
            }
            Frame::Invalid { id, code, message } => {
                let mut w = out.lock().map_err(|_| io::Error::other("stdout lock poisoned"))?;
                write_error(&mut *w, &id, code, &message)?;
            }
        }
    }
    Ok(())
}

/// The connection over stdin/stdout, and the thread that writes; the reading thread is left
/// to end with the process (it may be blocked on a client that never closes stdin).
pub fn stdio() -> (Connection, thread::JoinHandle<()>) {
    let (server, client) = Connection::memory();
    let Connection { sender, receiver } = client;
    let out = Arc::new(Mutex::new(io::stdout()));
    let w = out.clone();
    let writer = thread::spawn(move || {
        for msg in receiver {
            let Ok(mut o) = w.lock() else { break };
            if msg.write(&mut *o).is_err() {
                break;
            }
        }
    });
    thread::spawn(move || {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        let _ = pump(
            &mut input,
            |m| sender.send(m).is_ok(),
            &*out,
            budget::LSP_MESSAGE_BYTES.value,
        );
    });
    (server, writer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8], max: u64) -> Vec<Frame> {
        let mut r = io::BufReader::new(input);
        let mut out = Vec::new();
        while let Some(f) = read_frame(&mut r, max).unwrap() {
            out.push(f);
        }
        out
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn bad_frames_are_answered_and_reading_goes_on() {
        let shutdown = framed(r#"{"jsonrpc":"2.0","id":7,"method":"shutdown"}"#);
        let input = [
            framed("{not json"),
            framed(r#"{"jsonrpc":"2.0","id":3}"#),
            "Content-Length: 99999999999\r\n\r\n".into(),
            "X-Nothing\r\n\r\n".into(),
            "Content-Length: 12\r\n\r\n".to_string() + &"x".repeat(12),
            shutdown,
        ]
        .concat();
        let got = frames(input.as_bytes(), 1 << 20);
        let codes: Vec<String> = got
            .iter()
            .map(|f| match f {
                Frame::Message(m) => format!("{m:?}"),
                Frame::Invalid { id, code, .. } => format!("{code} {id}"),
            })
            .collect();
        // the length that cannot be skipped ends the input: the rest is swallowed as its body
        assert_eq!(codes[0], "-32700 null");
        assert_eq!(codes[1], "-32600 3");
        assert_eq!(codes.len(), 2, "{codes:?}");

        let input = [
            framed("{not json"),
            "Content-Length: 60\r\n\r\n".to_string() + &"y".repeat(60),
            "Content-Length: nope\r\n\r\n".into(),
            framed(r#"{"jsonrpc":"2.0","id":7,"method":"shutdown"}"#),
        ]
        .concat();
        let got = frames(input.as_bytes(), 50);
        assert_eq!(got.len(), 4);
        assert!(matches!(&got[1], Frame::Invalid { message, .. } if message.contains("exceeds the message budget")));
        assert!(matches!(&got[2], Frame::Invalid { code: -32700, .. }));
        assert!(
            matches!(&got[3], Frame::Message(Message::Request(r)) if r.method == "shutdown"),
            "{got:?}"
        );
    }
}
