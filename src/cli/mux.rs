//! Several inputs into one display, a whole line at a time: the files of
//! `--follow-all` (each labelled) and a command's stdout and stderr (each
//! tagged with its stream). Each input reads into its own [`Source`];
//! a line is sent once it is whole, so inputs never mix within a line, and
//! a partial line shows at once when no other input has one open.

use std::sync::{Arc, Mutex, MutexGuard};

use reflow::{Closed, Sender, Tag};

/// Where the bytes of one input go: straight to the display, or through
/// the labelling [`Mux`].
pub(crate) trait Feed {
    /// The next bytes of the input, as read: a line may end in a later
    /// piece (it is shown meanwhile).
    fn piece(&mut self, bytes: &[u8]) -> Result<(), Closed>;

    /// Ends the input's open line, if it has one: its input ended, or was
    /// truncated or replaced.
    fn end_line(&mut self) -> Result<(), Closed>;

    /// Says `text` in the status bar.
    fn notice(&self, text: String);

    /// The followed input has been read to its current end: the status
    /// bar may say EOF (until more arrives), as for a file that ended.
    fn caught_up(&self) {}
}

/// How lines are labelled with their file (`--follow-all`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Labels {
    /// A [`Tag`] the display draws as a label column (`save`: `--save`
    /// writes the label as text too).
    Tags { width: usize, save: bool },
    /// `NAME: ` as text, for lines copied through (not drawn by reflow).
    Text,
}

impl Labels {
    /// What each line of the file `name` starts with (nothing for a tag),
    /// and the sender its lines go through.
    pub(crate) fn label(self, tx: &Sender, name: &str) -> (Vec<u8>, Sender) {
        match self {
            Labels::Tags { width, save } => {
                let tag = Tag::new().label(name).label_width(width).save_label(save);
                (Vec::new(), tx.tagged(tag))
            }
            Labels::Text => (format!("{name}: ").into_bytes(), tx.clone()),
        }
    }

    /// The label column's width for files named `names`: the longest
    /// label's ([`short`](Labels::short)), up to the display's cap (longer
    /// ones are cut with `…`).
    pub(crate) fn width(names: &[&str]) -> usize {
        Labels::short(names)
            .iter()
            .map(|label| reflow::width_of(label))
            .max()
            .unwrap_or(1)
            .clamp(1, Tag::MAX_LABEL_WIDTH)
    }

    /// The labels a display draws for files named `names`: the shortest
    /// tail of each path that tells it from the others, starting from the
    /// base name (`history.log` and `term.log` for `/var/log/apt/…`;
    /// `a/app.log` and `b/app.log`). The same name twice keeps the same
    /// label.
    pub(crate) fn short(names: &[&str]) -> Vec<String> {
        let parts: Vec<Vec<&str>> = names
            .iter()
            .map(|name| name.split('/').filter(|part| !part.is_empty()).collect())
            .collect();
        let tail = |i: usize, n: usize| {
            let of = &parts[i];
            let label = of[of.len().saturating_sub(n)..].join("/");
            match label.is_empty() {
                true => names[i].to_owned(),
                false => label,
            }
        };
        let mut take = vec![1; names.len()];
        loop {
            let labels: Vec<String> = (0..names.len()).map(|i| tail(i, take[i])).collect();
            let mut grew = false;
            for i in 0..names.len() {
                let clash = (0..names.len())
                    .any(|j| j != i && labels[j] == labels[i] && names[j] != names[i]);
                if clash && take[i] < parts[i].len() {
                    take[i] += 1;
                    grew = true;
                }
            }
            if !grew {
                return labels;
            }
        }
    }
}

/// The inputs of `--follow-all` into one sender, labelled, a whole line at
/// a time, in the order lines are completed.
///
/// A line is sent once it is whole, so inputs never mix within a line. A
/// partial line (a file's last, still being written) is shown at once when
/// no other input has a line open: it is sent with [`Sender::stream`],
/// which makes every other line wait until it ends. The other readers
/// must then never wait for it (their files may end or stall, and the
/// line would never end): their whole lines and partial lines are held
/// here meanwhile, and follow as soon as the open line ends. Sending waits
/// only for the printer, never for a file, so holding the lock across a
/// send cannot close a cycle.
pub(crate) struct Mux {
    /// For notices.
    tx: Sender,
    /// Each input's sender (tagged with its label on a display), by its
    /// index.
    senders: Vec<Sender>,
    state: Mutex<State>,
}

/// Who has a line open, and what waits.
struct State {
    /// Each input's label as text, by its index (empty when tagged).
    prefixes: Vec<Vec<u8>>,
    /// The input whose partial line is open in the sender.
    open: Option<usize>,
    /// Whole lines (labelled) held while a line is open, in arrival order:
    /// runs of one input's lines, with its index.
    held: Vec<(usize, Vec<u8>)>,
    /// Each input's partial line not sent yet (unlabelled).
    partial: Vec<Vec<u8>>,
}

impl Mux {
    /// A mux for inputs named `names` (index = position).
    pub(crate) fn new(tx: Sender, names: &[&str], labels: Labels) -> Self {
        // A display's labels tell files apart in few columns; copied
        // through, each line is named as given, as grep names them.
        let names: Vec<String> = match labels {
            Labels::Tags { .. } => Labels::short(names),
            Labels::Text => names.iter().map(|name| (*name).to_owned()).collect(),
        };
        Mux::labelled(tx, &names, labels)
    }

    /// A mux for inputs whose labels are `names` as they are shown.
    pub(crate) fn labelled(tx: Sender, names: &[String], labels: Labels) -> Self {
        let (prefixes, senders) = names.iter().map(|name| labels.label(&tx, name)).unzip();
        Mux::with(tx, prefixes, senders)
    }

    /// A mux for inputs whose lines carry `tags` (index = position): a
    /// command's stdout and stderr.
    pub(crate) fn tagged(tx: Sender, tags: Vec<Tag>) -> Self {
        let prefixes = vec![Vec::new(); tags.len()];
        let senders = tags.into_iter().map(|tag| tx.tagged(tag)).collect();
        Mux::with(tx, prefixes, senders)
    }

    fn with(tx: Sender, prefixes: Vec<Vec<u8>>, senders: Vec<Sender>) -> Self {
        let inputs = senders.len();
        Mux {
            tx,
            senders,
            state: Mutex::new(State {
                prefixes,
                open: None,
                held: Vec::new(),
                partial: vec![Vec::new(); inputs],
            }),
        }
    }

    /// The sink of input `index`.
    pub(crate) fn source(self: &Arc<Self>, index: usize) -> Source {
        Source {
            mux: Arc::clone(self),
            index,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Buffers of whole lines stay consistent whatever panicked.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn piece(&self, index: usize, mut bytes: &[u8]) -> Result<(), Closed> {
        let mut state = self.lock();
        if state.open == Some(index) {
            let Some(end) = memchr::memchr(b'\n', bytes) else {
                return self.senders[index].stream(bytes);
            };
            // The rest of the open line carries no label: it had one.
            self.senders[index].stream(&bytes[..=end])?;
            state.open = None;
            bytes = &bytes[end + 1..];
        }
        let State {
            prefixes,
            held,
            partial,
            ..
        } = &mut *state;
        let partial = &mut partial[index];
        partial.extend_from_slice(bytes);
        if let Some(last) = memchr::memrchr(b'\n', partial) {
            let run = run_of(held, index);
            let prefix = &prefixes[index];
            for line in partial[..=last].split_inclusive(|&b| b == b'\n') {
                run.extend_from_slice(prefix);
                run.extend_from_slice(line);
            }
            partial.drain(..=last);
        }
        self.flush(&mut state)
    }

    fn end_line(&self, index: usize) -> Result<(), Closed> {
        let mut state = self.lock();
        if state.open == Some(index) {
            self.senders[index].stream(b"\n")?;
            state.open = None;
        } else if !state.partial[index].is_empty() {
            let line = std::mem::take(&mut state.partial[index]);
            let State { prefixes, held, .. } = &mut *state;
            let run = run_of(held, index);
            run.extend_from_slice(&prefixes[index]);
            run.extend_from_slice(&line);
            run.push(b'\n');
        }
        self.flush(&mut state)
    }

    /// With no line open: the held lines go, then one input's partial line
    /// opens, so it shows at once.
    fn flush(&self, state: &mut State) -> Result<(), Closed> {
        if state.open.is_some() {
            return Ok(());
        }
        for (index, run) in std::mem::take(&mut state.held) {
            self.senders[index].lines(&run)?;
        }
        if let Some(index) = state.partial.iter().position(|p| !p.is_empty()) {
            // A text label and the line's first bytes in one piece.
            let mut piece = state.prefixes[index].clone();
            piece.append(&mut state.partial[index]);
            self.senders[index].stream(&piece)?;
            state.open = Some(index);
        }
        Ok(())
    }
}

/// The run of held lines to add input `index`'s lines to: the last one if
/// it is that input's, else a new one.
fn run_of(held: &mut Vec<(usize, Vec<u8>)>, index: usize) -> &mut Vec<u8> {
    if held.last().is_none_or(|(last, _)| *last != index) {
        held.push((index, Vec::new()));
    }
    match held.last_mut() {
        Some((_, run)) => run,
        None => unreachable!("a run was just pushed"),
    }
}

/// One input's way into a [`Mux`].
pub(crate) struct Source {
    mux: Arc<Mux>,
    index: usize,
}

impl Feed for Source {
    fn piece(&mut self, bytes: &[u8]) -> Result<(), Closed> {
        self.mux.piece(self.index, bytes)
    }

    fn end_line(&mut self) -> Result<(), Closed> {
        self.mux.end_line(self.index)
    }

    fn notice(&self, text: String) {
        let _ = self.mux.tx.notice(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_keep_the_part_that_tells_files_apart() {
        let short = |names: &[&str]| Labels::short(names);
        assert_eq!(
            short(&["/var/log/apt/history.log", "/var/log/apt/term.log"]),
            ["history.log", "term.log"]
        );
        assert_eq!(
            short(&["/srv/a/app.log", "/srv/b/app.log", "db.log"]),
            ["a/app.log", "b/app.log", "db.log"]
        );
        assert_eq!(
            short(&["x/logs/app.log", "y/logs/app.log"]),
            ["x/logs/app.log", "y/logs/app.log"]
        );
        // The same file twice, a name with no base, stdin.
        assert_eq!(short(&["a.log", "a.log"]), ["a.log", "a.log"]);
        assert_eq!(short(&["/", "-"]), ["/", "-"]);
        assert_eq!(Labels::width(&["/var/log/apt/history.log", "t.log"]), 11);
    }
    use reflow::Printer;
    use std::io::{self, Write};

    /// A writer the test reads back once the printer has stopped.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn labels_are_tags_on_a_display_or_text_copied_through() {
        let printer = Printer::builder().output(io::sink()).spawn().unwrap();
        let tx = printer.sender();
        let tags = Labels::Tags {
            width: 5,
            save: false,
        };
        assert_eq!(tags.label(&tx, "a.log").0, b"");
        assert_eq!(Labels::Text.label(&tx, "a.log").0, b"a.log: ");
        assert_eq!(Labels::width(&["a", "abc"]), 3);
        assert_eq!(
            Labels::width(&["a-very-long-name-indeed.log"]),
            Tag::MAX_LABEL_WIDTH
        );
    }

    /// Whole lines go as they come; a partial line opens only when no other
    /// is open, and the others' lines wait for it, never the reverse.
    #[test]
    fn inputs_never_mix_within_a_line() {
        let out = Shared::default();
        let printer = Printer::builder().output(out.clone()).spawn().unwrap();
        let mux = Arc::new(Mux::new(printer.sender(), &["a", "b"], Labels::Text));
        let (mut a, mut b) = (mux.source(0), mux.source(1));
        a.piece(b"a1\na2 part").unwrap();
        // b's whole line and its partial line are held: a's line is open.
        b.piece(b"b1\nb2 ").unwrap();
        // a's line ends: the held lines go, then b's partial line opens.
        a.piece(b"ial\na3\n").unwrap();
        a.piece(b"a4\n").unwrap();
        b.piece(b"end\n").unwrap();
        // An input that ends with a partial line has it ended.
        a.piece(b"last").unwrap();
        a.end_line().unwrap();
        printer.join().unwrap();
        assert_eq!(
            String::from_utf8(out.0.lock().unwrap().clone()).unwrap(),
            "a: a1\na: a2 partial\nb: b1\na: a3\nb: b2 end\na: a4\na: last\n"
        );
    }

    /// A command's two outputs: while one has a line open, the other's
    /// lines are held, never waited on, and follow once the line ends.
    #[test]
    fn a_commands_outputs_never_wait_on_each_other() {
        let out = Shared::default();
        let printer = Printer::builder().output(out.clone()).spawn().unwrap();
        let tags = vec![Tag::new().stdout(), Tag::new().stderr()];
        let mux = Arc::new(Mux::tagged(printer.sender(), tags));
        let (mut stdout, mut stderr) = (mux.source(0), mux.source(1));
        stdout.piece(b"long").unwrap();
        // Returns at once although stdout's open line holds every other.
        stderr.piece(b"e1\ne2\ne3").unwrap();
        stderr.end_line().unwrap();
        stdout.piece(b" line\no2\n").unwrap();
        printer.join().unwrap();
        assert_eq!(
            String::from_utf8(out.0.lock().unwrap().clone()).unwrap(),
            "long line\ne1\ne2\ne3\no2\n"
        );
    }
}
