//! Saving the history: every byte received is written, as it arrives, to a
//! file with no name in the target's directory, which replaces the target
//! in one rename when the printer stops, however it stops. Streaming keeps
//! memory flat (passthrough and `max_lines` keep no full history to save at
//! the end), and the rename means a reader of the target never sees half a
//! file.
//!
//! The target is opened first as `>` opens it (the kernel follows its
//! symlinks, with every protection it applies to `>`; it is created, with
//! the umask, if missing), but not truncated. So whatever `>` refuses
//! (a directory, a missing directory, a file that may not be written) is
//! an error before anything is shown, and what it would write to is what
//! is saved to:
//! - a regular file is replaced at the end by a new one with its mode and
//!   owner. The new one is written unnamed (`O_TMPFILE`, 0600), so a
//!   planted name can never be followed and `kill -9` leaves nothing; it is
//!   linked in under a fresh name (`linkat`, which never follows a symlink)
//!   and renamed over the target. Where the filesystem has no `O_TMPFILE`,
//!   it is a 0600 file with a random name made with `O_EXCL`.
//! - anything else (a device, a FIFO) is written in place and never
//!   replaced; so is a regular file whose directory reflow may not create
//!   files in, or whose owner a new file could not be given: as `>` does.
//!
//! The target stays open and locked (`flock`) until the end, so a second
//! saver of the same file is refused at once.

mod landing;

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::TempPath;

use landing::{in_place, land, open_target, place, reason, same_file};

/// The file being saved to.
#[derive(Debug)]
pub(crate) struct Save {
    out: Option<BufWriter<File>>,
    landing: Landing,
    /// The target as it was given, to name it in messages.
    path: PathBuf,
    /// The first write error; later writes are skipped.
    error: Option<io::Error>,
    /// Lines may start with a header of reflow's own (the printer draws a
    /// display; see `crate::tag`): not saved.
    marked: bool,
    /// The next byte written starts a line.
    at_start: bool,
    /// The last line was ended by reflow, not by the input: its `\n` is
    /// written only if more follows.
    ended: bool,
}

/// Where the bytes written go at the end.
#[derive(Debug)]
enum Landing {
    /// The file written has no name; it is linked in over the target.
    Unnamed(Beside),
    /// The file written has this random name beside the target (no
    /// `O_TMPFILE` here); it is renamed over the target.
    Named(Beside, TempPath),
    /// The file written is the target itself.
    InPlace {
        /// A regular file (truncated at the start, as `>` does), not a
        /// device or a FIFO.
        regular: bool,
    },
    /// Finished.
    Done,
}

/// A regular target, to be replaced by the file written.
#[derive(Debug)]
struct Beside {
    /// The target, open and locked until it is replaced.
    _target: File,
    dir: Dir,
    /// The target's permission bits, given to the new file.
    mode: u32,
    /// The target held something: a save cut short does not replace it.
    had_content: bool,
}

/// The target's directory.
#[derive(Debug)]
struct Dir {
    /// Open: it is found again even if it is renamed meanwhile.
    file: File,
    /// A path naming `file` (through `/proc/self/fd`, or its own).
    path: PathBuf,
    /// Its real path, to name files in messages.
    shown: PathBuf,
    /// The target's name in it.
    name: OsString,
}

impl Dir {
    /// `PREFIX` + the target's name + `suffix`.
    fn name_with(&self, prefix: &str, suffix: &str) -> OsString {
        let mut name = OsString::from(prefix);
        name.push(&self.name);
        name.push(suffix);
        name
    }
}

impl Save {
    /// Opens `path` as `>` would, without truncating it, and the file the
    /// bytes go to, so a place that cannot be saved to is an error now,
    /// before anything is shown.
    /// With `marked`, the header a line starts with (added by reflow, see
    /// `crate::tag`) is dropped, so the file holds the bytes as sent.
    pub(crate) fn create(path: &Path, marked: bool) -> io::Result<Self> {
        Self::create_with(path, marked, true)
    }

    /// [`create`](Save::create); `unnamed`: try `O_TMPFILE` (tests ask
    /// for the named temporary of a filesystem without it).
    fn create_with(path: &Path, marked: bool, unnamed: bool) -> io::Result<Self> {
        let (target, created) = open_target(path)?;
        let (file, landing) = place(path, target, unnamed).inspect_err(|_| {
            // An empty file made just now is not left behind by a refusal.
            if let Some(made) = created {
                let same = fs::symlink_metadata(path).is_ok_and(|m| same_file(&m, &made));
                if same {
                    let _ = fs::remove_file(path);
                }
            }
        })?;
        Ok(Save {
            out: Some(BufWriter::with_capacity(1 << 16, file)),
            landing,
            path: path.to_owned(),
            error: None,
            marked,
            at_start: true,
            ended: false,
        })
    }

    /// Appends bytes as received. A mark is never split between two
    /// writes: each comes with its line's first bytes, in one batch. With
    /// a `stamp`, each line that starts here begins with it (the arrival
    /// time, when asked for).
    ///
    /// Returns a notice for the status bar when this write is the first
    /// to fail: nothing more is written, and what was is kept.
    pub(crate) fn write(&mut self, bytes: &[u8], stamp: Option<&str>) -> Option<String> {
        let failed = self.error.is_some();
        if !bytes.is_empty() && std::mem::take(&mut self.ended) {
            // More came after a line reflow ended: it was ended in the
            // file too, so this starts a line there as on the screen.
            self.put(b"\n");
        }
        self.write_lines(bytes, stamp);
        match (&self.error, failed) {
            (Some(e), false) => Some(format!(
                "{}: {}: nothing more is saved",
                self.path.display(),
                reason(e)
            )),
            _ => None,
        }
    }

    /// The line written last was ended by reflow (a `\n` that is not the
    /// input's, sent when an input ended inside a line): the file ends
    /// without it unless more follows.
    pub(crate) fn end_line(&mut self) {
        if !self.at_start {
            self.ended = true;
            self.at_start = true;
        }
    }

    fn write_lines(&mut self, bytes: &[u8], stamp: Option<&str>) {
        // No header anywhere: the bytes go as they are.
        let headed = self.marked && memchr::memmem::find(bytes, crate::tag::PREFIX).is_some();
        if !headed && stamp.is_none() {
            self.put(bytes);
            if let Some(&last) = bytes.last() {
                self.at_start = last == b'\n';
            }
            return;
        }
        let mut rest = bytes;
        while !rest.is_empty() {
            if self.at_start {
                let mut label = None;
                if headed {
                    // A file's label asked to be kept (--save-labels) is
                    // saved as text; the rest of the header is dropped.
                    label = crate::tag::saved_prefix(rest);
                    rest = &rest[crate::tag::header_len(rest)..];
                }
                if let Some(stamp) = stamp {
                    self.put(stamp.as_bytes());
                }
                if let Some(label) = label {
                    self.put(&label);
                }
            }
            if rest.is_empty() {
                // A line that was only a mark so far: its end comes later.
                self.at_start = false;
                break;
            }
            let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |at| at + 1);
            self.put(&rest[..end]);
            self.at_start = rest[end - 1] == b'\n';
            rest = &rest[end..];
        }
    }

    fn put(&mut self, bytes: &[u8]) {
        if self.error.is_some() {
            return;
        }
        if let Some(file) = &mut self.out
            && let Err(e) = file.write_all(bytes)
        {
            self.error = Some(e);
        }
    }

    /// Writes out what is buffered, makes it durable and moves it into
    /// place.
    ///
    /// # Errors
    ///
    /// The first error met writing, syncing or renaming, saying where what
    /// was written is (the caller names the file: `Error::Save`).
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        let Some(mut out) = self.out.take() else {
            return Ok(());
        };
        let flushed = out.flush();
        // After a failed flush what is still buffered cannot be written.
        let (file, _) = out.into_parts();
        let error = self.error.take().or(flushed.err());
        let landing = std::mem::replace(&mut self.landing, Landing::Done);
        match landing {
            Landing::InPlace { regular } => in_place(&file, regular, error, &self.path),
            Landing::Unnamed(beside) => land(&file, &beside, None, error, &self.path),
            Landing::Named(beside, temp) => land(&file, &beside, Some(temp), error, &self.path),
            Landing::Done => Ok(()),
        }
    }

    /// The path as it was given.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Save {
    /// A printer thread that panicked still saves what it had.
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::fs::Permissions;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    use super::landing::{directory_of, link_in};
    use super::*;

    #[test]
    fn bytes_land_in_place_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saved.log");
        fs::write(&path, b"old").unwrap();
        let mut save = Save::create(&path, false).unwrap();
        save.write(b"a\x1b[31m\r\n\0\xff\n", None);
        assert_eq!(fs::read(&path).unwrap(), b"old", "replaced too early");
        save.finish().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"a\x1b[31m\r\n\0\xff\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "temp left");
    }

    #[test]
    fn marked_lines_are_saved_without_their_first_mark() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saved.log");
        let mut save = Save::create(&path, true).unwrap();
        save.write(
            b"\x1b_reflow:out\x1b\\a\n\x1b_reflow:err\x1b\\b\x1b_x\x1b\\",
            None,
        );
        // The rest of a line that came in pieces has no mark of its own.
        save.write(
            b" c\n\x1b_reflow:out\x1b\\\x1b_reflow:err\x1b\\d\xff\n",
            None,
        );
        save.finish().unwrap();
        assert_eq!(
            fs::read(&path).unwrap(),
            b"a\nb\x1b_x\x1b\\ c\n\x1b_reflow:err\x1b\\d\xff\n"
        );
    }

    #[test]
    fn a_stamp_begins_each_line_that_starts_in_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saved.log");
        let mut save = Save::create(&path, true).unwrap();
        save.write(
            b"\x1b_reflow:out\x1b\\a\n\x1b_reflow:err\x1b\\b",
            Some("T1 "),
        );
        save.write(b"c\n", Some("T2 "));
        save.write(b"d\n", Some("T3 "));
        save.finish().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"T1 a\nT1 bc\nT3 d\n");
    }

    #[test]
    fn a_label_is_saved_as_text_only_when_its_mark_asks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saved.log");
        let mut save = Save::create(&path, true).unwrap();
        save.write(
            b"\x1b_reflow:label=5,save:a.log\x1b\\one\n\x1b_reflow:label=5:b.log\x1b\\two\n",
            None,
        );
        save.write(b"\x1b_reflow:label=5,save:a.log\x1b\\three\n", Some("T "));
        save.finish().unwrap();
        assert_eq!(
            fs::read(&path).unwrap(),
            b"a.log: one\ntwo\nT a.log: three\n"
        );
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn without_o_tmpfile_a_0600_temporary_with_a_random_name_is_renamed_into_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saved.log");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        let mut save = Save::create_with(&path, false, false).unwrap();
        save.write(b"new\n", None);
        let names = names(dir.path());
        assert_eq!(names.len(), 2, "{names:?}");
        let temp = dir.path().join(&names[0]);
        assert!(names[0].starts_with(".saved.log.") && names[0].ends_with(".reflow"));
        assert_eq!(fs::metadata(&temp).unwrap().mode() & 0o777, 0o600);
        save.finish().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new\n");
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o640);
        assert_eq!(self::names(dir.path()), ["saved.log"]);
    }

    #[test]
    fn without_o_tmpfile_a_save_cut_short_is_kept_beside_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saved.log");
        fs::write(&path, b"old").unwrap();
        let mut save = Save::create_with(&path, false, false).unwrap();
        save.write(b"part\n", None);
        save.error = Some(io::Error::from_raw_os_error(libc::ENOSPC));
        let error = save.finish().unwrap_err().to_string();
        assert_eq!(fs::read(&path).unwrap(), b"old");
        let names = names(dir.path());
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names[1].starts_with("saved.log.partial-"), "{names:?}");
        assert_eq!(fs::read(dir.path().join(&names[1])).unwrap(), b"part\n");
        assert!(error.contains("No space left on device: the first 5 bytes are in"));
    }

    #[test]
    fn a_file_that_cannot_be_linked_in_is_copied_in() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saved.log");
        fs::write(&path, b"").unwrap();
        let target = File::open(&path).unwrap();
        let meta = target.metadata().unwrap();
        let dir = directory_of(&path, &target, &meta).unwrap();
        // Named, then unlinked: the kernel refuses to link it in again.
        let (mut file, temp) = tempfile::NamedTempFile::new_in(&dir.path)
            .unwrap()
            .into_parts();
        drop(temp);
        file.write_all(b"copied").unwrap();
        let linked = link_in(&file, &dir, OsStr::new("x-"), "", 0o640).unwrap();
        assert_eq!(fs::read(&linked).unwrap(), b"copied");
        assert_eq!(fs::metadata(&linked).unwrap().mode() & 0o777, 0o640);
    }

    #[test]
    fn a_line_ended_by_reflow_is_ended_in_the_file_only_if_more_follows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saved.log");
        let mut save = Save::create(&path, false).unwrap();
        save.write(b"a\nb", None);
        save.end_line();
        save.write(b"", None);
        save.end_line();
        save.finish().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"a\nb");
        let mut save = Save::create(&path, false).unwrap();
        save.write(b"a", Some("T "));
        save.end_line();
        save.write(b"b", Some("T "));
        save.finish().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"T a\nT b");
    }

    #[test]
    fn a_write_error_is_told_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saved.log");
        let mut save = Save::create(&path, false).unwrap();
        assert_eq!(save.write(b"a\n", None), None);
        // A file open only for reading refuses every write.
        save.out = Some(BufWriter::with_capacity(1, File::open(&path).unwrap()));
        save.landing = Landing::Done;
        let told = save.write(b"b\n", None).unwrap();
        assert!(told.starts_with(&format!("{}: ", path.display())), "{told}");
        assert!(told.ends_with(": nothing more is saved"), "{told}");
        assert_eq!(save.write(b"c\n", None), None);
    }

    #[test]
    fn an_unwritable_place_is_an_error_at_once() {
        let error = Save::create(Path::new("/nonexistent-dir/x.log"), false).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
    }
}
