//! `reflow --pty -- COMMAND`: the command's stdout and stderr on a
//! pseudo-terminal of reflow's own. Both are then one stream, in the
//! order the command wrote them (as `2>&1` keeps it; two pipes keep no
//! order between them), and the command sees a terminal as wide as the
//! display: it draws its colours and progress bars as on one (cargo's
//! `Building [===>  ]`). The terminal is not the command's controlling
//! one: `/dev/tty` stays reflow's, as without `--pty`.

use std::io;
use std::os::fd::OwnedFd;

use rustix::termios::{self, OptionalActions, Winsize};

/// The two ends of a new pseudo-terminal.
pub(crate) struct Pty {
    pub(crate) master: OwnedFd,
    pub(crate) slave: OwnedFd,
}

impl Pty {
    /// A pseudo-terminal of `size` (columns, rows) whose bytes arrive as
    /// written (raw: no `\n` made `\r\n`), as openpty(3) makes one.
    pub(crate) fn open(size: (u16, u16)) -> io::Result<Pty> {
        use rustix::fs::{Mode, OFlags};
        use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
        grantpt(&master)?;
        unlockpt(&master)?;
        let name = ptsname(&master, Vec::new())?;
        let slave = rustix::fs::open(
            name.as_c_str(),
            OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        let mut modes = termios::tcgetattr(&slave)?;
        modes.make_raw();
        termios::tcsetattr(&slave, OptionalActions::Now, &modes)?;
        let pty = Pty { master, slave };
        pty.resize(size)?;
        Ok(pty)
    }

    /// Gives the terminal `size` (columns, rows).
    pub(crate) fn resize(&self, size: (u16, u16)) -> io::Result<()> {
        resize(&self.master, size)
    }
}

/// Gives the pseudo-terminal whose master is `master` the size `size`
/// (columns, rows).
pub(crate) fn resize(master: &OwnedFd, (cols, rows): (u16, u16)) -> io::Result<()> {
    let size = Winsize {
        ws_row: rows.max(1),
        ws_col: cols.max(1),
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    termios::tcsetwinsize(master, size)?;
    Ok(())
}

/// The size the command's terminal gets: the display's rows for lines
/// (all but the status bar) at its width; 80x24 when reflow's own output
/// is no terminal (lines copied through), as `script` gives.
pub(crate) fn display_size() -> (u16, u16) {
    match termios::tcgetwinsize(std::io::stdout()) {
        Ok(size) if size.ws_col > 0 && size.ws_row > 1 => (size.ws_col, size.ws_row - 1),
        _ => (80, 24),
    }
}
