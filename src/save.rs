//! Saving the history: every byte received is written, as it arrives, to a
//! temporary file beside the target, which replaces the target in one
//! rename when the printer stops, however it stops. Streaming keeps memory
//! flat (passthrough and `max_lines` keep no full history to save at the
//! end), and the rename means a reader of the target never sees half a
//! file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The file being saved to.
#[derive(Debug)]
pub(crate) struct Save {
    file: Option<BufWriter<File>>,
    tmp: PathBuf,
    path: PathBuf,
    /// The first write error; later writes are skipped.
    error: Option<io::Error>,
    /// Each line starts with a mark of reflow's own, not saved.
    marked: bool,
    /// The next byte written starts a line.
    at_start: bool,
}

impl Save {
    /// Creates the temporary file next to `path`, so an unwritable place is
    /// an error now, before anything is shown.
    /// With `marked`, the first mark of each line (`ESC _ reflow:… ESC \`,
    /// added by reflow) is dropped, so the file holds the bytes as sent.
    pub(crate) fn create(path: &Path, marked: bool) -> io::Result<Self> {
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".reflow-{}.tmp", std::process::id()));
        let tmp = path.with_file_name(tmp_name);
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        Ok(Save {
            file: Some(BufWriter::with_capacity(1 << 16, file)),
            tmp,
            path: path.to_owned(),
            error: None,
            marked,
            at_start: true,
        })
    }

    /// Appends bytes as received. A mark is never split between two
    /// writes: each comes with its line's first bytes, in one batch. With
    /// a `stamp`, each line that starts here begins with it (the arrival
    /// time, when asked for).
    pub(crate) fn write(&mut self, bytes: &[u8], stamp: Option<&str>) {
        if !self.marked && stamp.is_none() {
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
                if self.marked {
                    let (mark, after) = crate::layout::split_mark(rest);
                    // A file's label asked to be kept (--save-labels) is
                    // saved as text; every other first mark is dropped.
                    label = crate::layout::saved_label(mark);
                    rest = after;
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
        if let Some(file) = &mut self.file
            && let Err(e) = file.write_all(bytes)
        {
            self.error = Some(e);
        }
    }

    /// Writes out what is buffered and moves the file into place.
    ///
    /// # Errors
    ///
    /// The first error met writing, flushing or renaming, naming the file.
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        let Some(mut file) = self.file.take() else {
            return Ok(());
        };
        let result = match self.error.take() {
            Some(e) => Err(e),
            None => file
                .flush()
                .and_then(|()| fs::rename(&self.tmp, &self.path)),
        };
        result.map_err(|e| {
            let _ = fs::remove_file(&self.tmp);
            io::Error::new(e.kind(), format!("{}: {e}", self.path.display()))
        })
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

    #[test]
    fn an_unwritable_place_is_an_error_at_once() {
        let error = Save::create(Path::new("/nonexistent-dir/x.log"), false).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
    }
}
