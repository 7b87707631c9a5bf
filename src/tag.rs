//! What reflow says about a line beside the line's own bytes: the output
//! stream it came from, a label naming its source, its arrival time, the
//! hanging indent of its wrapped rows. This module owns that metadata: the
//! public [`Tag`] a sender puts on its lines, the one header it travels in,
//! and the only code that writes or reads that header.
//!
//! # The header
//!
//! On a display, a line that carries metadata starts with exactly one
//! header, an APC string `ESC _ reflow:FIELD;FIELD… ESC \` (fields `out`,
//! `err`, `t=HH:MM:SS.mmm`, `indent=N`, and last `label=W[,save]:NAME`).
//! Only reflow writes it: the queue puts it before each line a tagged
//! sender starts, the printer adds the arrival time into it, the logger
//! writes the hanging indent. Input bytes can never make one: a line whose
//! own bytes start like a header is given an empty header first
//! (`guard`), so whatever follows a line's one header is the line as
//! received. Readers take that one header and nothing after it.
//!
//! Why in the bytes and not beside them: the history keeps lines as bytes
//! in compressed chunks, in a spill file, or in place in the file being
//! viewed. A header costs nothing for the lines that carry none (the
//! common case, and every line read in place), and a line and its
//! metadata can never part. The record fields of the log-records issue (a
//! level, a time, a source) are read from the text when drawn, searched or
//! filtered; a field reflow itself must carry goes here.

/// How a header starts.
pub(crate) const PREFIX: &[u8] = b"\x1b_reflow:";
/// How a header ends (`ESC \`, the string terminator).
const END: &[u8] = b"\x1b\\";
/// A header with no field: put before a line whose own bytes start like a
/// header, so they are read as text.
pub(crate) const EMPTY: &[u8] = b"\x1b_reflow:\x1b\\";

/// Where a line came from and how it is labelled, drawn beside its text on
/// a display: a stderr bar, a label column. Give it to
/// [`Sender::tagged`](crate::Sender::tagged); every line that sender starts
/// carries it. Without a display (lines copied through, `--save`) a tag
/// adds nothing to the bytes, but a label asked to be
/// [saved](Tag::save_label) is written as text before the line in the saved
/// file.
///
/// ```
/// use reflow::{Printer, Tag};
///
/// let printer = Printer::builder().output(std::io::sink()).spawn()?;
/// let db = printer.sender().tagged(Tag::new().label("db"));
/// let errors = printer.sender().tagged(Tag::new().stderr());
/// db.line("connected")?;
/// errors.line("warning: slow query")?;
/// drop((db, errors));
/// printer.join()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tag {
    stream: Option<Stream>,
    label: Option<String>,
    label_width: Option<usize>,
    save_label: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stream {
    Out,
    Err,
}

impl Tag {
    /// The widest label column a display draws: a longer label is cut
    /// with `…`.
    pub const MAX_LABEL_WIDTH: usize = 16;

    /// A tag that says nothing yet.
    pub fn new() -> Tag {
        Tag::default()
    }

    /// The lines are a program's standard output: a blank column where
    /// stderr's bar is, so both line up.
    pub fn stdout(mut self) -> Tag {
        self.stream = Some(Stream::Out);
        self
    }

    /// The lines are a program's standard error: a red bar before every
    /// row.
    pub fn stderr(mut self) -> Tag {
        self.stream = Some(Stream::Err);
        self
    }

    /// A label column before the first row of each line, in a colour of
    /// its own (the same for a name every time). Control characters in
    /// `name` are dropped.
    pub fn label(mut self, name: impl Into<String>) -> Tag {
        let name: String = name.into();
        // No ESC, so nothing in the name can end the header: a backslash
        // (`C:\logs`, `printf '\033'`) stays.
        self.label = Some(name.chars().filter(|&c| !c.is_control()).collect());
        self
    }

    /// The label column's width, so labels of several lengths line up
    /// (default: the label's own width); at most
    /// [`MAX_LABEL_WIDTH`](Tag::MAX_LABEL_WIDTH).
    pub fn label_width(mut self, columns: usize) -> Tag {
        self.label_width = Some(columns);
        self
    }

    /// Write the label as text (`NAME: `) before each line in the
    /// [`save`](crate::Builder::save)d file too. Off by default: the file
    /// holds the bytes as received.
    pub fn save_label(mut self, on: bool) -> Tag {
        self.save_label = on;
        self
    }

    /// The header lines with this tag start with; `None` for a tag that
    /// says nothing.
    pub(crate) fn header(&self) -> Option<Vec<u8>> {
        let head = Head {
            err: self.stream == Some(Stream::Err),
            out: self.stream == Some(Stream::Out),
            label: self.label.as_ref().map(|name| Label {
                width: self
                    .label_width
                    .unwrap_or_else(|| crate::layout::width::width_of(name))
                    .clamp(1, Tag::MAX_LABEL_WIDTH),
                name: name.clone(),
                save: self.save_label,
            }),
            ..Head::default()
        };
        (head != Head::default()).then(|| head.encode())
    }
}

/// A header, read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Head {
    /// The line came from a program's stderr.
    pub(crate) err: bool,
    /// The line came from a program's stdout.
    pub(crate) out: bool,
    /// The line's arrival time, `HH:MM:SS.mmm`.
    pub(crate) time: Option<String>,
    /// Columns the rows after the first are indented by.
    pub(crate) indent: usize,
    /// The first row is indented too: a record's further line, under its
    /// message.
    pub(crate) continued: bool,
    /// The label column.
    pub(crate) label: Option<Label>,
    /// The level of the record the line starts, as the logger knew it.
    pub(crate) level: Option<crate::Level>,
}

/// A label column: a name in `width` columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Label {
    pub(crate) width: usize,
    /// No controls.
    pub(crate) name: String,
    /// Written as text in the saved file.
    pub(crate) save: bool,
}

impl Head {
    /// A header with only a hanging indent (the logger's records).
    #[cfg_attr(not(feature = "log"), allow(dead_code))]
    pub(crate) fn indent(columns: usize) -> Head {
        Head {
            indent: columns,
            ..Head::default()
        }
    }

    /// This header, saying the line starts a record of `level` (the
    /// logger's records: read with no parsing).
    #[cfg_attr(not(feature = "log"), allow(dead_code))]
    pub(crate) fn with_level(mut self, level: crate::Level) -> Head {
        self.level = Some(level);
        self
    }

    /// A header for a record's further line: every row indented.
    #[cfg_attr(not(feature = "log"), allow(dead_code))]
    pub(crate) fn continued(columns: usize) -> Head {
        Head {
            indent: columns,
            continued: true,
            ..Head::default()
        }
    }

    /// The header's bytes.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut fields: Vec<String> = Vec::new();
        if self.err {
            fields.push("err".into());
        } else if self.out {
            fields.push("out".into());
        }
        if let Some(time) = &self.time {
            fields.push(format!("t={time}"));
        }
        if self.indent > 0 {
            fields.push(format!("indent={}", self.indent));
            if self.continued {
                fields.push("cont".into());
            }
        }
        if let Some(level) = self.level {
            fields.push(format!("lvl={}", &level.name()[..1]));
        }
        if let Some(label) = &self.label {
            let save = if label.save { ",save" } else { "" };
            // Last: a name may hold `;`. It holds no ESC (no control).
            fields.push(format!("label={}{save}:{}", label.width, label.name));
        }
        let mut out = PREFIX.to_vec();
        out.extend_from_slice(fields.join(";").as_bytes());
        out.extend_from_slice(END);
        out
    }

    /// Reads a header's fields (what lies between the prefix and the end).
    /// A field reflow does not know, or one out of shape, is ignored.
    fn parse(body: &[u8]) -> Head {
        let mut head = Head::default();
        let mut rest = body;
        while !rest.is_empty() {
            if let Some(label) = rest.strip_prefix(b"label=".as_slice()) {
                head.label = Label::parse(label);
                break;
            }
            let end = memchr::memchr(b';', rest).unwrap_or(rest.len());
            let field = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or_default();
            if field == b"err" {
                head.err = true;
            } else if field == b"out" {
                head.out = true;
            } else if field == b"cont" {
                head.continued = true;
            } else if let Some(level) = field.strip_prefix(b"lvl=".as_slice()) {
                head.level = match level {
                    b"e" => Some(crate::Level::Error),
                    b"w" => Some(crate::Level::Warn),
                    b"i" => Some(crate::Level::Info),
                    b"d" => Some(crate::Level::Debug),
                    b"t" => Some(crate::Level::Trace),
                    _ => None,
                };
            } else if let Some(time) = field.strip_prefix(b"t=".as_slice())
                && time.len() <= 12
                && time.iter().all(|b| b.is_ascii_digit() || b":.".contains(b))
            {
                head.time = std::str::from_utf8(time).ok().map(str::to_owned);
            } else if let Some(n) = field.strip_prefix(b"indent=".as_slice())
                && !n.is_empty()
                && n.iter().all(u8::is_ascii_digit)
            {
                head.indent = std::str::from_utf8(n)
                    .ok()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
            }
        }
        head
    }
}

impl Label {
    /// Reads `W:NAME` or `W,save:NAME`; `None` when out of shape.
    fn parse(body: &[u8]) -> Option<Label> {
        let colon = memchr::memchr(b':', body)?;
        let params = std::str::from_utf8(&body[..colon]).ok()?;
        let (width, save) = match params.strip_suffix(",save") {
            Some(width) => (width, true),
            None => (params, false),
        };
        if width.is_empty() || !width.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let width = width.parse::<usize>().ok()?.clamp(1, Tag::MAX_LABEL_WIDTH);
        let name = String::from_utf8_lossy(&body[colon + 1..])
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        Some(Label { width, name, save })
    }
}

/// The length of the header `line` starts with (0 for none).
pub(crate) fn header_len(line: &[u8]) -> usize {
    // Most lines: no ESC first, no call to compare the prefix.
    if line.first() != Some(&PREFIX[0]) {
        return 0;
    }
    line.strip_prefix(PREFIX)
        .and_then(|body| memchr::memmem::find(body, END))
        .map_or(0, |end| PREFIX.len() + end + END.len())
}

/// `line`'s header, read, and the line as received after it. A line of a
/// history whose lines carry no headers (`headed` false: a file read in
/// place) is all text.
pub(crate) fn split(line: &[u8], headed: bool) -> (Head, &[u8]) {
    let len = if headed { header_len(line) } else { 0 };
    if len == 0 {
        return (Head::default(), line);
    }
    let head = Head::parse(&line[PREFIX.len()..len - END.len()]);
    (head, &line[len..])
}

/// Whether a line whose own bytes (so far) are `start` needs an
/// [`EMPTY`] header before it, so no reader takes its bytes for a header:
/// it starts like one, or is cut (`more` follows in a later piece) where
/// it still could.
pub(crate) fn needs_guard(start: &[u8], more: bool) -> bool {
    start.starts_with(PREFIX) || (more && !start.is_empty() && PREFIX.starts_with(start))
}

/// Whether no line that starts in `bytes` can need a guard
/// ([`Heading::Guard`]): none starts with ESC, the first byte included.
pub(crate) fn unguarded(bytes: &[u8]) -> bool {
    bytes.first() != Some(&PREFIX[0]) && memchr::memmem::find(bytes, b"\n\x1b").is_none()
}

/// What a sender puts before the lines it starts.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) enum Heading<'a> {
    /// Nothing: no display reads headers, or the lines carry reflow's
    /// own.
    #[default]
    Off,
    /// An empty header before a line that starts like one.
    Guard,
    /// This header before every line.
    Tag(&'a [u8]),
}

/// Appends `bytes` to `out` as `heading` says. `at_start`: the first byte
/// starts a line; `more`: the last line goes on in a later piece. Returns
/// whether what follows starts a line.
pub(crate) fn head_lines(
    out: &mut Vec<u8>,
    bytes: &[u8],
    mut at_start: bool,
    more: bool,
    heading: Heading<'_>,
) -> bool {
    if bytes.is_empty() {
        return at_start;
    }
    match heading {
        Heading::Off => out.extend_from_slice(bytes),
        Heading::Guard => {
            // Fast: only a line start followed by ESC can need a guard.
            let mut from = 0;
            let starts = at_start
                .then_some(0)
                .into_iter()
                .chain(memchr::memmem::find_iter(bytes, b"\n\x1b").map(|at| at + 1));
            for start in starts {
                let end = memchr::memchr(b'\n', &bytes[start..]).map(|at| start + at);
                let line = &bytes[start..end.map_or(bytes.len(), |at| at + 1)];
                if needs_guard(line, more && end.is_none()) {
                    out.extend_from_slice(&bytes[from..start]);
                    out.extend_from_slice(EMPTY);
                    from = start;
                }
            }
            out.extend_from_slice(&bytes[from..]);
        }
        Heading::Tag(header) => {
            let mut rest = bytes;
            while !rest.is_empty() {
                if at_start {
                    out.extend_from_slice(header);
                }
                let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |at| at + 1);
                out.extend_from_slice(&rest[..end]);
                at_start = true;
                rest = &rest[end..];
            }
        }
    }
    bytes.last() == Some(&b'\n')
}

/// How many bytes [`head_lines`] may add to `bytes`, at most.
pub(crate) fn added_at_most(bytes: &[u8], heading: Heading<'_>) -> usize {
    let header = match heading {
        Heading::Off => return 0,
        Heading::Guard => EMPTY.len(),
        Heading::Tag(header) => header.len(),
    };
    (memchr::memchr_iter(b'\n', bytes).count() + 1) * header
}

/// `batch` with the arrival time `time` in the header of each line that
/// starts in it (the first byte starts one when `at_start`): added into
/// the header a line has, or as a header of its own.
pub(crate) fn stamp(batch: &[u8], at_start: bool, time: &str) -> Vec<u8> {
    let field = format!("t={time}");
    let lines = memchr::memchr_iter(b'\n', batch).count() + 1;
    let mut out = Vec::with_capacity(batch.len() + lines * (field.len() + EMPTY.len() + 1));
    let mut rest = batch;
    let mut start = at_start;
    while !rest.is_empty() {
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |at| at + 1);
        let mut line = &rest[..end];
        if start {
            out.extend_from_slice(PREFIX);
            out.extend_from_slice(field.as_bytes());
            match header_len(line) {
                0 => out.extend_from_slice(END),
                _ => {
                    line = &line[PREFIX.len()..];
                    if !line.starts_with(END) {
                        out.push(b';');
                    }
                }
            }
        }
        out.extend_from_slice(line);
        start = true;
        rest = &rest[end..];
    }
    out
}

/// The saved form of `line`'s header: `NAME: ` for a label asked to be
/// saved, nothing otherwise.
pub(crate) fn saved_prefix(line: &[u8]) -> Option<Vec<u8>> {
    let (head, _) = split(line, true);
    let label = head.label.filter(|label| label.save)?;
    Some(format!("{}: ", label.name).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headed(heading: Heading<'_>, pieces: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut at_start = true;
        for (i, piece) in pieces.iter().enumerate() {
            at_start = head_lines(&mut out, piece, at_start, i + 1 < pieces.len(), heading);
        }
        out
    }

    #[test]
    fn a_tag_is_one_header_that_reads_back() {
        let header = Tag::new()
            .stderr()
            .label("a;b.log")
            .label_width(40)
            .save_label(true)
            .header()
            .unwrap_or_default();
        assert_eq!(header, b"\x1b_reflow:err;label=16,save:a;b.log\x1b\\");
        let mut line = header.clone();
        line.extend_from_slice(b"text");
        let (head, text) = split(&line, true);
        assert!(head.err && !head.out);
        let label = head.label.unwrap_or_else(|| panic!("no label"));
        assert_eq!(
            (label.width, label.name.as_str(), label.save),
            (16, "a;b.log", true)
        );
        assert_eq!(text, b"text");
        assert_eq!(Tag::new().header(), None);
        assert_eq!(
            Tag::new().label("a\x1b\\b\n").header().unwrap_or_default(),
            b"\x1b_reflow:label=3:a\\b\x1b\\"
        );
        // A backslash ends no header, even last in the name.
        let mut line = Tag::new().label("C:\\logs\\").header().unwrap_or_default();
        line.extend_from_slice(b"text");
        let (head, text) = split(&line, true);
        let label = head.label.unwrap_or_else(|| panic!("no label"));
        assert_eq!(
            (label.name.as_str(), text),
            ("C:\\logs\\", b"text".as_slice())
        );
    }

    #[test]
    fn only_the_first_header_is_read_and_the_rest_is_text() {
        let line = b"\x1b_reflow:out\x1b\\\x1b_reflow:err\x1b\\FAKE";
        let (head, text) = split(line, true);
        assert!(head.out && !head.err);
        assert_eq!(text, b"\x1b_reflow:err\x1b\\FAKE");
        // A file read in place has no headers at all.
        let (head, text) = split(b"\x1b_reflow:err\x1b\\x", false);
        assert_eq!(
            (head, text),
            (Head::default(), &b"\x1b_reflow:err\x1b\\x"[..])
        );
    }

    #[test]
    fn a_line_that_starts_like_a_header_is_guarded_and_kept_as_received() {
        let guarded = headed(Heading::Guard, &[b"a\n\x1b_reflow:err\x1b\\b\n\x1b[31mc\n"]);
        assert_eq!(
            guarded,
            b"a\n\x1b_reflow:\x1b\\\x1b_reflow:err\x1b\\b\n\x1b[31mc\n"
        );
        let line = &guarded[2..guarded.len() - b"\x1b[31mc\n".len()];
        assert_eq!(
            split(line, true),
            (Head::default(), &b"\x1b_reflow:err\x1b\\b\n"[..])
        );
        // Cut where it could still become one: guarded too.
        assert_eq!(
            headed(Heading::Guard, &[b"x\n\x1b_ref", b"low:err\x1b\\y\n"]),
            b"x\n\x1b_reflow:\x1b\\\x1b_reflow:err\x1b\\y\n"
        );
        // Nothing else changes.
        assert_eq!(
            headed(Heading::Guard, &[b"\x1b[1mbold\n", b"plain"]),
            b"\x1b[1mbold\nplain"
        );
    }

    #[test]
    fn a_tag_goes_before_each_line_a_piece_starts() {
        let h: &[u8] = b"H";
        assert_eq!(
            headed(Heading::Tag(h), &[b"a\nb", b"c\nd\n", b"e"]),
            b"Ha\nHbc\nHd\nHe"
        );
        assert_eq!(headed(Heading::Off, &[b"a\nb"]), b"a\nb");
        for (bytes, heading) in [
            (&b"a\nb\n"[..], Heading::Tag(h)),
            (b"\x1b_reflow:", Heading::Guard),
        ] {
            let mut out = Vec::new();
            head_lines(&mut out, bytes, true, true, heading);
            assert!(out.len() - bytes.len() <= added_at_most(bytes, heading));
        }
    }

    #[test]
    fn the_arrival_time_goes_into_the_header_a_line_has_or_one_of_its_own() {
        let batch = b"a\n\x1b_reflow:\x1b\\b\n\x1b_reflow:err\x1b\\c";
        let stamped = stamp(batch, true, "12:00:00.000");
        assert_eq!(
            stamped,
            b"\x1b_reflow:t=12:00:00.000\x1b\\a\n\x1b_reflow:t=12:00:00.000\x1b\\b\n\
              \x1b_reflow:t=12:00:00.000;err\x1b\\c"
        );
        assert_eq!(stamp(b"a\nb\n", false, "T"), b"a\n\x1b_reflow:t=T\x1b\\b\n");
        assert_eq!(stamp(b"", true, "T"), b"");
        let last = stamped.rsplit(|&b| b == b'\n').next().unwrap_or_default();
        let (head, text) = split(last, true);
        assert_eq!(
            (head.err, head.time.as_deref(), text),
            (true, Some("12:00:00.000"), &b"c"[..])
        );
    }

    #[test]
    fn a_saved_label_is_text_only_when_asked() {
        let saved = Tag::new()
            .label("a.log")
            .save_label(true)
            .header()
            .unwrap_or_default();
        assert_eq!(saved_prefix(&saved).as_deref(), Some(&b"a.log: "[..]));
        let plain = Tag::new().label("a.log").header().unwrap_or_default();
        assert_eq!(saved_prefix(&plain), None);
        assert_eq!(saved_prefix(b"\x1b_reflow:err\x1b\\"), None);
    }

    #[test]
    fn labels_are_read_strictly_and_their_names_made_safe() {
        let parsed = |body: &[u8]| Label::parse(body).map(|l| (l.width, l.name, l.save));
        assert_eq!(parsed(b"3:a:b"), Some((3, "a:b".into(), false)));
        assert_eq!(
            parsed(b"99,save:x"),
            Some((Tag::MAX_LABEL_WIDTH, "x".into(), true))
        );
        assert_eq!(parsed(b"0:x"), Some((1, "x".into(), false)));
        assert_eq!(parsed(b"x:y"), None);
        assert_eq!(parsed(b"3"), None);
        assert_eq!(parsed(b"3:a\x07b"), Some((3, "ab".into(), false)));
    }

    #[test]
    fn fields_out_of_shape_are_ignored() {
        let (head, _) = split(b"\x1b_reflow:t=now;indent=x;label=:n;zz\x1b\\", true);
        assert_eq!(head, Head::default());
        let (head, _) = split(&Head::indent(6).encode(), true);
        assert_eq!(head.indent, 6);
    }
}
