//! Command mode, `reflow -- COMMAND [ARG]...`: the command runs with its
//! stdout and stderr on two pipes, each read by its own thread, and every
//! line of either goes to the display as it is completed. When the
//! command ends its status is shown in the status bar, and it becomes
//! reflow's own exit status.
//!
//! The command is in reflow's process group, the terminal's foreground
//! group, as a shell would run it: Ctrl-C reaches it directly. Reflow
//! handles SIGINT itself here, so the display does not stop on it while
//! the command runs (see [`Interrupts`]).

use std::ffi::{OsStr, OsString};
use std::io::{self, IsTerminal};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{self as channel, Receiver};
use reflow::{Closed, Sender, StopReason, Tag};
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, kill_process_group, waitid};
use signal_hook::consts::{SIGINT, SIGTTIN, SIGTTOU, SIGWINCH};
use signal_hook::iterator::{Handle, Signals};

use super::READ_SIZE;
use super::args::Cli;
use super::mux::{Feed, Mux, Source};
use super::pty::{self, Pty};
use super::session::{Failure, configure, describe, finish, plain_output, start};

/// How long a command still running when reflow stops has, after SIGTERM,
/// to end and give its own status.
const GRACE: Duration = Duration::from_secs(1);

/// Which of the command's outputs a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pipe {
    Out,
    Err,
}

impl Pipe {
    /// The tag this stream's lines carry: the display draws stderr lines
    /// apart (nothing is added to copied-through or saved lines).
    fn tag(self) -> Tag {
        match self {
            Pipe::Out => Tag::new().stdout(),
            Pipe::Err => Tag::new().stderr(),
        }
    }
}

/// Runs the command `argv` under a display configured from `cli` and
/// returns reflow's exit status: the command's, or 128 + N when reflow
/// itself was stopped by signal N (130 for Ctrl-C once the command ended).
///
/// # Errors
///
/// A command that cannot start (127 when it is not found, 126 otherwise),
/// or a display that cannot start (1), before anything is shown.
pub(crate) fn run(cli: Cli, argv: Vec<OsString>) -> Result<u8, Failure> {
    let takes_screen = reflow::draws_on_terminal();
    let output = plain_output(takes_screen)?;
    // Before the first display: the library leaves SIGINT alone from then
    // on, because the host handles it.
    let mut interrupts = Interrupts::install()?;
    // The command starts first, so one that cannot start is one error
    // line and the screen is never touched.
    let pty = match cli.pty {
        true => Some(
            Pty::open(pty::display_size())
                .map_err(|e| Failure::io("cannot open a terminal for the command", &e))?,
        ),
        false => None,
    };
    let mut child = spawn(&argv, pty.as_ref().map(|pty| &pty.slave), true)?;
    let Some(pid) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) else {
        return Err(Failure {
            message: "the command has no process id".into(),
            code: 1,
        });
    };
    // What the reader reads, with the tag of each: the terminal's one
    // stream (our copy of its command's end closed, so it ends when the
    // command's copies do), or the two pipes.
    let (outputs, tags): (Vec<OwnedFd>, Vec<Tag>) = match pty {
        Some(Pty { master, slave }) => {
            drop(slave);
            (vec![master], vec![Tag::new()])
        }
        None => match (child.stdout.take(), child.stderr.take()) {
            (Some(stdout), Some(stderr)) => (
                vec![stdout.into(), stderr.into()],
                vec![Pipe::Out.tag(), Pipe::Err.tag()],
            ),
            _ => {
                return Err(Failure {
                    message: "cannot read the command's output".into(),
                    code: 1,
                });
            }
        },
    };
    let line = command_line(&argv);
    let tty = super::session::keyboard(takes_screen);
    let builder = configure(&cli, line.clone(), output, tty);
    let printer = match start(builder) {
        Ok(printer) => printer,
        Err(failure) => {
            // Nothing can show its output: it gets what a command left by
            // its reader gets (see `Command::stop`).
            let running = Arc::new(Mutex::new(true));
            let command = Command::watch(child, pid, running, None, Some(&interrupts), &line);
            let _ = command.stop();
            return Err(failure);
        }
    };
    let running = Arc::new(Mutex::new(true));
    let watcher = interrupts.watch(printer.sender(), pid, Arc::clone(&running));
    // The terminal follows the display's size, as a terminal's program
    // gets SIGWINCH from its terminal.
    let resizer = match &outputs[..] {
        [master] if cli.pty => Resizer::start(master, pid, Arc::clone(&running)),
        _ => None,
    };
    let mux = Arc::new(Mux::tagged(printer.sender(), tags));
    let sources = (0..outputs.len()).map(|i| mux.source(i)).collect();
    let shown = Shown {
        tx: printer.sender(),
        readers: reader(sources, outputs).into_iter().collect(),
        ends_input: true,
        ends: None,
    };
    let command = Command::watch(child, pid, running, Some(shown), Some(&interrupts), &line);
    let stopped = finish(printer);
    // Whatever stopped the display, the command is ended or told to end.
    let status = command.stop();
    interrupts.close(watcher);
    if let Some(resizer) = resizer {
        resizer.close();
    }
    let stopped = stopped?;
    Ok(exit_code(
        stopped.reason,
        status,
        interrupts.quit.load(Ordering::SeqCst),
    ))
}

/// Reflow's status: 130 after Ctrl-C once the command ended; 128 + N when
/// reflow was stopped by signal N; else the command's own, also when
/// reflow's output was closed (`reflow -- cmd | head`): a command still
/// running then is ended with SIGTERM, as by `q`, and its status says so.
fn exit_code(reason: StopReason, command: Option<ExitStatus>, interrupted: bool) -> u8 {
    if interrupted {
        return 130;
    }
    if reason.signal().is_some() {
        return reason.exit_code();
    }
    // A command that outlived SIGTERM's grace is reported as ended by it.
    command.map_or(128 + 15, status_code)
}

/// A status as a shell reports it: the code, or 128 + the signal.
fn status_code(status: ExitStatus) -> u8 {
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code & 0xff).unwrap_or(u8::MAX),
        (None, Some(sig)) => u8::try_from(128 + sig).unwrap_or(u8::MAX),
        (None, None) => 1,
    }
}

/// Starts `argv` with stdout and stderr on pipes, or both on `output`
/// (a terminal of reflow's, or one pipe: `--cmd`). With `share_stdin`
/// its stdin is reflow's when that is not a terminal (`echo x | reflow
/// -- grep x`); else `/dev/null`: the keyboard belongs to the viewer.
///
/// The command leads a process group of its own, as a shell's job does,
/// so that it ends with reflow whole: `sh -c 'a; b'` and whatever it
/// started get the SIGTERM, not only `sh` (whose children were left
/// running, adopted by init). The terminal's Ctrl-C then reaches reflow
/// alone, which passes it on to that group (see [`Interrupts`]).
#[allow(unsafe_code)]
pub(crate) fn spawn(
    argv: &[OsString],
    output: Option<&OwnedFd>,
    share_stdin: bool,
) -> Result<Child, Failure> {
    let Some((program, args)) = argv.split_first() else {
        return Err(Failure {
            message: "no command given".into(),
            code: 2,
        });
    };
    let stdin = match share_stdin && !io::stdin().is_terminal() {
        false => Stdio::null(),
        true => Stdio::inherit(),
    };
    let (stdout, stderr) = match output {
        Some(output) => {
            let copy = || {
                output
                    .try_clone()
                    .map(Stdio::from)
                    .map_err(|e| Failure::io("cannot give the command its terminal", &e))
            };
            (copy()?, copy()?)
        }
        None => (Stdio::piped(), Stdio::piped()),
    };
    let mut command = std::process::Command::new(program);
    // SAFETY: between fork and exec only `signal`, which is
    // async-signal-safe, runs; it touches no memory of the parent's.
    unsafe {
        command.pre_exec(job_signals);
    }
    command
        .args(args)
        .process_group(0)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|e| cannot_start(program, &e))
}

/// In the command, before it runs: SIGTTIN and SIGTTOU at their defaults,
/// as a shell starts a job whatever it ignores itself (tmux ignores them,
/// and a command started from there would get EIO from the terminal, or
/// change its modes under the display). Reading the terminal, or setting
/// its modes (a password prompt), then stops the command, and reflow says
/// so; it never takes the keys or the screen from the display.
#[allow(unsafe_code)]
fn job_signals() -> io::Result<()> {
    for sig in [libc::SIGTTIN, libc::SIGTTOU] {
        // SAFETY: `signal` with SIG_DFL is async-signal-safe and installs
        // no handler.
        if unsafe { libc::signal(sig, libc::SIG_DFL) } == libc::SIG_ERR {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The error a shell gives for a command that cannot start: 127 when it is
/// not found, 126 when it is found but cannot be run.
pub(crate) fn cannot_start(program: &OsStr, error: &io::Error) -> Failure {
    // The name is untrusted: no escape codes through the message.
    let name = reflow::visible(program.as_bytes());
    match error.kind() {
        // A name that is looked up in PATH is "not found", a path is
        // "No such file or directory", as in bash.
        io::ErrorKind::NotFound if !program.as_bytes().contains(&b'/') => Failure {
            message: format!("{name}: command not found"),
            code: 127,
        },
        io::ErrorKind::NotFound => Failure {
            message: format!("{name}: {}", describe(error)),
            code: 127,
        },
        _ => Failure {
            message: format!("{name}: {}", describe(error)),
            code: 126,
        },
    }
}

/// The command line for the status bar, as a shell user would type it:
/// words with spaces or shell syntax in single quotes.
pub(crate) fn command_line(argv: &[OsString]) -> String {
    let words: Vec<String> = argv
        .iter()
        .map(|word| {
            let word = word.to_string_lossy();
            let plain = !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b));
            match plain {
                true => word.into_owned(),
                false => format!("'{}'", word.replace('\'', r"'\''")),
            }
        })
        .collect();
    words.join(" ")
}

/// The name of signal `sig`, if it is one of the standard ones.
fn signal_name(sig: i32) -> Option<&'static str> {
    let names = [
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGINT, "SIGINT"),
        (libc::SIGQUIT, "SIGQUIT"),
        (libc::SIGILL, "SIGILL"),
        (libc::SIGTRAP, "SIGTRAP"),
        (libc::SIGABRT, "SIGABRT"),
        (libc::SIGBUS, "SIGBUS"),
        (libc::SIGFPE, "SIGFPE"),
        (libc::SIGKILL, "SIGKILL"),
        (libc::SIGUSR1, "SIGUSR1"),
        (libc::SIGSEGV, "SIGSEGV"),
        (libc::SIGUSR2, "SIGUSR2"),
        (libc::SIGPIPE, "SIGPIPE"),
        (libc::SIGALRM, "SIGALRM"),
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGCHLD, "SIGCHLD"),
        (libc::SIGCONT, "SIGCONT"),
        (libc::SIGSTOP, "SIGSTOP"),
        (libc::SIGTSTP, "SIGTSTP"),
        (libc::SIGTTIN, "SIGTTIN"),
        (libc::SIGTTOU, "SIGTTOU"),
        (libc::SIGURG, "SIGURG"),
        (libc::SIGXCPU, "SIGXCPU"),
        (libc::SIGXFSZ, "SIGXFSZ"),
        (libc::SIGVTALRM, "SIGVTALRM"),
        (libc::SIGPROF, "SIGPROF"),
        (libc::SIGWINCH, "SIGWINCH"),
        (libc::SIGIO, "SIGIO"),
        (libc::SIGPWR, "SIGPWR"),
        (libc::SIGSYS, "SIGSYS"),
    ];
    names
        .iter()
        .find(|&&(n, _)| n == sig)
        .map(|&(_, name)| name)
}

/// How the command ended, for the status bar: `exit 3`, `killed by
/// SIGINT`.
fn describe_status(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(sig)) => {
            let name = signal_name(sig).map_or_else(|| format!("signal {sig}"), str::to_owned);
            match status.core_dumped() {
                true => format!("killed by {name} (core dumped)"),
                false => format!("killed by {name}"),
            }
        }
        (None, None) => "ended".into(),
    }
}

/// The status bar's notice when the command ends: the command line, then
/// how it ended. The line is cut short here, so that on a narrow status
/// bar the part cut off is never the status.
pub(crate) fn notice(line: &str, status: ExitStatus) -> String {
    format!("{}: {}", shortened(line), describe_status(status))
}

/// The command line cut for a notice, so a narrow status bar cuts the
/// line, not what the notice says of it.
pub(crate) fn shortened(line: &str) -> String {
    const MAX: usize = 20;
    let shown = reflow::fit(line, MAX);
    let ellipsis = if shown.len() < line.len() { "…" } else { "" };
    format!("{shown}{ellipsis}")
}

/// What the status bar says of a command the kernel stopped for reading
/// (or setting) the terminal: a prompt it cannot show.
const ASKS: &str = "stopped: it asks on the terminal (a password?); q ends it";

/// The display a command's end is told on: its readers are waited for
/// before the end of input when the command is the only input
/// (`ends_input`).
pub(crate) struct Shown {
    pub(crate) tx: Sender,
    pub(crate) readers: Vec<JoinHandle<()>>,
    pub(crate) ends_input: bool,
    /// The ends of the other commands shown with it (`--cmd`), said with
    /// this one's.
    pub(crate) ends: Option<Ends>,
}

/// The ends of several commands on one display, in the order they came:
/// each notice says them all (`a: exit 0; b: exit 2`), so ends close
/// together are not drawn over one another.
#[derive(Clone, Default)]
pub(crate) struct Ends(Arc<Mutex<Vec<String>>>);

impl Ends {
    /// Adds `end` and says every end so far. The notice is sent while the
    /// ends are held: two commands ending at once could otherwise send
    /// their notices in the other order, and the last one sent (the one
    /// shown) would lack the other's end.
    fn say(&self, tx: &Sender, end: String) {
        let mut ends = lock(&self.0);
        ends.push(end);
        let _ = tx.notice(ends.join("; "));
    }
}

/// Passes SIGINT (Ctrl-C) on to each command of `groups` still running
/// (its process group, which `running` says is still its own), as the
/// terminal passes it to every process of a pipeline: commands in groups
/// of their own (`--cmd`) would not get it. `None` if SIGINT cannot be
/// watched.
pub(crate) fn forward_interrupts(groups: Vec<(Pid, Arc<Mutex<bool>>)>) -> Option<Forwarder> {
    if groups.is_empty() {
        return None;
    }
    let mut signals = Signals::new([SIGINT]).ok()?;
    let handle = signals.handle();
    let thread = thread::Builder::new()
        .name("reflow-sigint".into())
        .spawn(move || {
            for _ in signals.forever() {
                for (pid, running) in &groups {
                    if *lock(running) {
                        let _ = kill_process_group(*pid, Signal::INT);
                    }
                }
            }
        })
        .ok()?;
    Some(Forwarder { handle, thread })
}

/// The thread of [`forward_interrupts`].
pub(crate) struct Forwarder {
    handle: Handle,
    thread: JoinHandle<()>,
}

impl Forwarder {
    /// Stops passing SIGINT on.
    pub(crate) fn close(self) {
        self.handle.close();
        let _ = self.thread.join();
    }
}

/// The command while it runs: a thread waits for it to end, says so in the
/// status bar and ends the input once both its outputs are read.
pub(crate) struct Command {
    pid: Pid,
    /// False once the command is reaped: its pid may then be anyone's, and
    /// it is never signalled again.
    running: Arc<Mutex<bool>>,
    status: Receiver<ExitStatus>,
}

impl Command {
    /// Starts the waiting thread. `display`: the sender to tell about the
    /// end, and the readers to wait for before the end of input.
    pub(crate) fn watch(
        mut child: Child,
        pid: Pid,
        running: Arc<Mutex<bool>>,
        display: Option<Shown>,
        interrupts: Option<&Interrupts>,
        line: &str,
    ) -> Self {
        let (status_tx, status) = channel::bounded(1);
        let state = Arc::clone(&running);
        let interrupts = interrupts.map(Interrupts::state);
        let line = line.to_owned();
        let waited = move || {
            // Waited for without reaping, so the pid stays the command's
            // until `running` says otherwise, under the same lock.
            let watched = WaitIdOptions::EXITED | WaitIdOptions::STOPPED | WaitIdOptions::NOWAIT;
            loop {
                match waitid(WaitId::Pid(pid), watched) {
                    Err(rustix::io::Errno::INTR) => continue,
                    Ok(Some(status)) if status.stopped() => {
                        // The kernel stopped it for using the terminal, as
                        // any background job: it cannot ask the user there
                        // while the display has the screen and the keys.
                        let asks = matches!(status.stopping_signal(), Some(SIGTTIN | SIGTTOU));
                        if let (true, Some(Shown { tx, .. })) = (asks, &display) {
                            let _ = tx.notice(format!("{}: {ASKS}", shortened(&line)));
                            // What it wrote there (its prompt) is drawn over.
                            tx.repaint();
                        }
                        // This stop is told; the next change is waited for.
                        let once = WaitIdOptions::STOPPED | WaitIdOptions::NOHANG;
                        let _ = waitid(WaitId::Pid(pid), once);
                    }
                    _ => break,
                }
            }
            if let Some(interrupts) = &interrupts {
                interrupts.command_ended();
            }
            let status = {
                let mut running = lock(&state);
                *running = false;
                child.wait()
            };
            let Ok(status) = status else {
                return;
            };
            if let Some(Shown {
                tx,
                readers,
                ends_input,
                ends,
            }) = display
            {
                let end = notice(&line, status);
                match ends {
                    Some(ends) => ends.say(&tx, end),
                    None => {
                        let _ = tx.notice(end);
                    }
                }
                // Its output may still be in the pipes (or held open by a
                // process it left behind): the input ends when both end.
                for reader in readers {
                    let _ = reader.join();
                }
                if ends_input {
                    let _ = tx.end_of_input();
                }
            }
            let _ = status_tx.send(status);
        };
        // Without the thread nobody waits for the command: `stop` then
        // terminates it and reports SIGTERM.
        let _ = thread::Builder::new()
            .name("reflow-command".into())
            .spawn(waited);
        Command {
            pid,
            running,
            status,
        }
    }

    /// The command's status once it has ended. One still running is sent
    /// SIGTERM (as `timeout` and service managers end a command; SIGHUP
    /// would make many daemons reload instead) and SIGCONT (in case it is
    /// stopped), and gets [`GRACE`] to end; `None` if it has not by then
    /// (it is left to end on its own; its pipes are closed as reflow
    /// exits).
    pub(crate) fn stop(self) -> Option<ExitStatus> {
        if let Ok(status) = self.status.try_recv() {
            return Some(status);
        }
        {
            let running = lock(&self.running);
            if *running {
                // The whole group: the command and what it started.
                let _ = kill_process_group(self.pid, Signal::TERM);
                let _ = kill_process_group(self.pid, Signal::CONT);
            }
        }
        self.status.recv_timeout(GRACE).ok()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A flag or a buffer of whole lines stays consistent whatever panicked.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reads the command's outputs (its two pipes, or its terminal) on one
/// thread, each into its `source` of the mux, until all end or the display
/// stops. `None` if the thread cannot start (the output is then not
/// shown; the command gets SIGPIPE if it writes to a pipe).
fn reader(sources: Vec<Source>, outputs: Vec<OwnedFd>) -> Option<JoinHandle<()>> {
    thread::Builder::new()
        .name("reflow-command-output".into())
        .spawn(move || {
            let _ = pump(sources, outputs);
        })
        .ok()
}

/// Sends every byte of the two pipes through their sources as it is read,
/// never waiting for one pipe while the other has bytes (see [`Mux`]): the
/// command never blocks on a pipe. One thread waits on both (`poll`) and
/// reads whichever is ready as soon as it is: two pipes keep no order
/// between them, so the lines of a burst written faster than this loop
/// turns may still come in blocks, but a reader that always looks at both
/// keeps them as close as the kernel can tell (two threads, one per pipe,
/// let one run dozens of lines ahead). A last line without a newline is
/// ended, as for a file.
fn pump(mut sources: Vec<Source>, pipes: Vec<OwnedFd>) -> Result<(), Closed> {
    use rustix::event::{PollFd, PollFlags, poll};
    let mut buf = vec![0; READ_SIZE];
    let mut open = vec![true; pipes.len()];
    while open.iter().any(|&o| o) {
        let mut fds: Vec<PollFd<'_>> = pipes
            .iter()
            .zip(&open)
            .filter(|&(_, &open)| open)
            .map(|(pipe, _)| PollFd::new(pipe, PollFlags::IN))
            .collect();
        match poll(&mut fds, None) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            // Nothing can be waited on: the outputs end here.
            Err(_) => break,
        }
        let ready: Vec<bool> = fds.iter().map(|fd| !fd.revents().is_empty()).collect();
        drop(fds);
        let mut ready = ready.into_iter();
        for i in 0..pipes.len() {
            if !open[i] || ready.next() != Some(true) {
                continue;
            }
            match rustix::io::read(&pipes[i], &mut buf) {
                Ok(0) => open[i] = false,
                Ok(n) => sources[i].piece(&buf[..n])?,
                Err(rustix::io::Errno::INTR | rustix::io::Errno::AGAIN) => {}
                // A pipe that fails to read has ended, as far as can be
                // known; a terminal does (EIO) once the command's every
                // copy of it is closed.
                Err(_) => open[i] = false,
            }
        }
    }
    for source in &mut sources {
        source.end_line()?;
    }
    Ok(())
}

/// `--pty`: the command's terminal takes the display's size at every
/// SIGWINCH, and the command is told (it is not the terminal's foreground
/// job, which the kernel would tell).
struct Resizer {
    handle: Handle,
    thread: JoinHandle<()>,
}

impl Resizer {
    fn start(master: &OwnedFd, pid: Pid, running: Arc<Mutex<bool>>) -> Option<Resizer> {
        let master = master.try_clone().ok()?;
        let mut signals = Signals::new([SIGWINCH]).ok()?;
        let handle = signals.handle();
        let thread = thread::Builder::new()
            .name("reflow-command-resize".into())
            .spawn(move || {
                for _ in signals.forever() {
                    if pty::resize(&master, pty::display_size()).is_ok() && *lock(&running) {
                        let _ = kill_process_group(pid, Signal::WINCH);
                    }
                }
            })
            .ok()?;
        Some(Resizer { handle, thread })
    }

    fn close(self) {
        self.handle.close();
        let _ = self.thread.join();
    }
}

/// SIGINT in command mode. Ctrl-C sends it to the whole foreground
/// process group, the command and reflow alike. While the command runs it
/// is the command's to act on, as in a shell: reflow ignores it and goes on
/// showing what the command prints on its way out. Once the command has
/// ended, SIGINT stops reflow with status 130, as Ctrl-C does in the
/// viewer (`q` gives the command's status instead).
///
/// The SIGINT that ended the command also reaches reflow, maybe only after
/// its end is seen: it must not count as a new one. The kernel keeps the
/// signal pending from the moment it is sent until a handler runs, so when
/// the end is seen, a SIGINT that is pending then is the command's.
pub(crate) struct Interrupts {
    state: Arc<InterruptState>,
    /// Taken by the thread that acts on them.
    signals: Option<Signals>,
    handle: Handle,
    /// Set once SIGINT has stopped the display.
    quit: Arc<AtomicBool>,
}

struct InterruptState {
    /// Set by the signal handler itself, at delivery.
    got: Arc<AtomicBool>,
    ended: AtomicBool,
    /// The next SIGINT handled was sent before the command's end was seen.
    skip: AtomicBool,
}

impl InterruptState {
    /// The command has ended: SIGINTs sent until now were its own.
    fn command_ended(&self) {
        // Pending first, then taken: a handler that runs in between set
        // `got`, and is counted by the swap, not skipped a second time.
        let pending = sigint_pending();
        let seen = self.got.swap(false, Ordering::SeqCst);
        self.skip.store(pending && !seen, Ordering::SeqCst);
        self.ended.store(true, Ordering::SeqCst);
    }

    /// A SIGINT was handled: true when it should stop reflow.
    fn stops(&self) -> bool {
        if !self.ended.load(Ordering::SeqCst) || !self.got.swap(false, Ordering::SeqCst) {
            return false;
        }
        !self.skip.swap(false, Ordering::SeqCst)
    }
}

impl Interrupts {
    /// Handles SIGINT from now on: only noted until [`watch`](Self::watch).
    fn install() -> Result<Self, Failure> {
        let failed = |e: io::Error| Failure::io("cannot handle SIGINT", &e);
        let got = Arc::new(AtomicBool::new(false));
        signal_hook::flag::register(SIGINT, Arc::clone(&got)).map_err(failed)?;
        let signals = Signals::new([SIGINT]).map_err(failed)?;
        let handle = signals.handle();
        Ok(Interrupts {
            state: Arc::new(InterruptState {
                got,
                ended: AtomicBool::new(false),
                skip: AtomicBool::new(false),
            }),
            signals: Some(signals),
            handle,
            quit: Arc::new(AtomicBool::new(false)),
        })
    }

    fn state(&self) -> Arc<InterruptState> {
        Arc::clone(&self.state)
    }

    /// Acts on SIGINT from now on: stops the display that `tx` feeds once
    /// the command has ended. Without the thread, SIGINT is only ignored.
    /// While the command runs, each SIGINT is passed on to its process
    /// group (the command `pid` leads), since the terminal no longer sends
    /// it there; `running` is false once it is reaped, so a pid reused
    /// since is never signalled.
    fn watch(&mut self, tx: Sender, pid: Pid, running: Arc<Mutex<bool>>) -> Option<JoinHandle<()>> {
        let mut signals = self.signals.take()?;
        let state = self.state();
        let quit = Arc::clone(&self.quit);
        thread::Builder::new()
            .name("reflow-sigint".into())
            .spawn(move || {
                for _ in signals.forever() {
                    if state.stops() {
                        quit.store(true, Ordering::SeqCst);
                        tx.shutdown();
                    } else if *lock(&running) {
                        let _ = kill_process_group(pid, Signal::INT);
                    }
                }
            })
            .ok()
    }

    /// Ends the watching thread.
    fn close(&self, watcher: Option<JoinHandle<()>>) {
        self.handle.close();
        if let Some(watcher) = watcher {
            let _ = watcher.join();
        }
    }
}

/// True when SIGINT is pending for this process: sent, not yet handled.
#[allow(unsafe_code)]
fn sigint_pending() -> bool {
    let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: sigpending writes the pending set into the memory it is
    // given, which is a sigset_t; it is read only after sigpending says it
    // succeeded.
    unsafe {
        if libc::sigpending(set.as_mut_ptr()) != 0 {
            return false;
        }
        libc::sigismember(set.as_ptr(), SIGINT) == 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(raw: i32) -> ExitStatus {
        ExitStatus::from_raw(raw)
    }

    #[test]
    fn the_command_line_reads_as_typed_in_a_shell() {
        let cases: &[(&[&str], &str)] = &[
            (&["cargo", "build"], "cargo build"),
            (&["sh", "-c", "echo a; exit 3"], "sh -c 'echo a; exit 3'"),
            (&["echo", ""], "echo ''"),
            (&["echo", "it's"], r"echo 'it'\''s'"),
            (&["ls", "--color=auto", "./a/b"], "ls --color=auto ./a/b"),
        ];
        for &(argv, shown) in cases {
            let argv: Vec<OsString> = argv.iter().map(OsString::from).collect();
            assert_eq!(command_line(&argv), shown);
        }
    }

    #[test]
    fn an_end_reads_as_a_shell_reports_it() {
        // Wait statuses as the kernel encodes them: code << 8, or the signal.
        assert_eq!(describe_status(status(3 << 8)), "exit 3");
        assert_eq!(describe_status(status(2)), "killed by SIGINT");
        assert_eq!(
            describe_status(status(11 | 0x80)),
            "killed by SIGSEGV (core dumped)"
        );
        assert_eq!(status_code(status(3 << 8)), 3);
        assert_eq!(status_code(status(15)), 143);
        assert_eq!(notice("cargo build", status(0)), "cargo build: exit 0");
        assert_eq!(
            notice("sh -c 'a very long script indeed'", status(1 << 8)),
            "sh -c 'a very long s…: exit 1"
        );
    }

    #[test]
    fn reflows_status_is_the_commands_unless_reflow_was_stopped_otherwise() {
        let three = Some(status(3 << 8));
        assert_eq!(exit_code(StopReason::Quit, three, false), 3);
        assert_eq!(exit_code(StopReason::EndOfInput, three, false), 3);
        // Ctrl-C once the command ended.
        assert_eq!(exit_code(StopReason::Shutdown, three, true), 130);
        assert_eq!(exit_code(StopReason::Terminate, three, false), 143);
        // Reflow's output closed: the command's status, as after `q`.
        assert_eq!(exit_code(StopReason::OutputClosed, three, false), 3);
        let terminated = Some(status(libc::SIGTERM));
        assert_eq!(exit_code(StopReason::OutputClosed, terminated, false), 143);
        // Still running after SIGTERM's grace.
        assert_eq!(exit_code(StopReason::Quit, None, false), 143);
    }

    #[test]
    fn a_command_that_cannot_start_is_127_or_126() {
        let missing = io::Error::from_raw_os_error(libc::ENOENT);
        let denied = io::Error::from_raw_os_error(libc::EACCES);
        let not_found = cannot_start(OsStr::new("nope"), &missing);
        assert_eq!(
            (not_found.code, not_found.message.as_str()),
            (127, "nope: command not found")
        );
        let path = cannot_start(OsStr::new("./nope"), &missing);
        assert_eq!(
            (path.code, path.message.as_str()),
            (127, "./nope: No such file or directory")
        );
        let denied = cannot_start(OsStr::new("./x"), &denied);
        assert_eq!(
            (denied.code, denied.message.as_str()),
            (126, "./x: Permission denied")
        );
        let hostile = cannot_start(OsStr::new("\x1b[2Jx"), &missing);
        assert_eq!(hostile.message, "^[[2Jx: command not found");
    }
}
