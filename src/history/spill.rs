//! The spill file: where the oldest chunks of a piped history go once the
//! history holds its memory budget (see [`memory`](super::memory)).
//!
//! The file is created unlinked ([`tempfile::tempfile`]: `O_TMPFILE` where
//! the filesystem has it, else a random name removed at once), mode 0600,
//! in `$TMPDIR` or the system's temporary directory: no other process can
//! open it, and nothing is left behind however reflow ends, `kill -9`
//! included. Chunks are appended and read back in place (`pwrite`,
//! `pread`), so a read never moves a write position and the page cache
//! does the caching. The space of chunks a cap dropped is given back as
//! they go (a hole punched where the filesystem allows it).

use std::fs::File;
use std::io;
use std::os::unix::fs::{FileExt, PermissionsExt};

/// An unlinked temporary file that chunks are appended to.
#[derive(Debug)]
pub(crate) struct Spill {
    file: File,
    /// Bytes written: where the next chunk goes.
    len: u64,
    /// Test hook: writes past this many bytes fail as on a full disk.
    #[cfg(test)]
    limit: Option<u64>,
}

impl Spill {
    /// Creates the file, already unlinked, in the temporary directory.
    ///
    /// # Errors
    /// When the directory cannot hold a file (missing, read-only, full).
    pub(crate) fn create() -> io::Result<Self> {
        let file = tempfile::tempfile()?;
        // `O_TMPFILE` takes the umask's mode (0644, say): nobody can reach
        // the file by a name, but a file of the user's log is theirs alone.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(Spill {
            file,
            len: 0,
            #[cfg(test)]
            limit: None,
        })
    }

    /// A spill file whose writes fail past `limit` bytes with "No space
    /// left on device", for tests of a full disk.
    #[cfg(test)]
    pub(crate) fn create_limited(limit: u64) -> io::Result<Self> {
        let mut spill = Spill::create()?;
        spill.limit = Some(limit);
        Ok(spill)
    }

    /// Appends `bytes`, returning where they start.
    ///
    /// # Errors
    /// A failed write (a full disk, a file size limit); what did not fit
    /// is not counted, so earlier chunks stay readable.
    pub(crate) fn append(&mut self, bytes: &[u8]) -> io::Result<u64> {
        let at = self.len;
        #[cfg(test)]
        if self
            .limit
            .is_some_and(|limit| at + bytes.len() as u64 > limit)
        {
            // ENOSPC, as a full disk says it.
            return Err(io::Error::from_raw_os_error(28));
        }
        self.file.write_all_at(bytes, at)?;
        self.len += bytes.len() as u64;
        Ok(at)
    }

    /// Reads `len` bytes at `at` into `buf` (which is resized to them).
    ///
    /// # Errors
    /// A failed read, or a file shorter than what was written to it.
    pub(crate) fn read(&self, at: u64, len: usize, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.clear();
        buf.resize(len, 0);
        self.file.read_exact_at(buf, at)
    }

    /// Gives back the disk space of `len` bytes at `at`, no longer needed:
    /// best effort (a filesystem without hole punching keeps them until
    /// the file is [cleared](Spill::clear) or closed). Returns whether it
    /// could.
    pub(crate) fn release(&self, at: u64, len: u64) -> bool {
        use rustix::fs::{FallocateFlags, fallocate};
        fallocate(
            &self.file,
            FallocateFlags::PUNCH_HOLE | FallocateFlags::KEEP_SIZE,
            at,
            len,
        )
        .is_ok()
    }

    /// Forgets every chunk, giving the disk space back.
    pub(crate) fn clear(&mut self) {
        if self.file.set_len(0).is_ok() {
            self.len = 0;
        }
    }

    /// Bytes written and not cleared (punched holes included).
    #[cfg(test)]
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Disk space the file takes now.
    #[cfg(test)]
    pub(crate) fn on_disk(&self) -> u64 {
        use std::os::unix::fs::MetadataExt;
        self.file.metadata().map_or(0, |m| m.blocks() * 512)
    }

    /// The file itself, for tests of how it was made.
    #[cfg(test)]
    pub(crate) fn file(&self) -> &File {
        &self.file
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn the_spill_file_is_private_and_has_no_name() {
        let spill = Spill::create().unwrap();
        let meta = spill.file().metadata().unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        // Unlinked: no directory entry leads to it, so nothing is left
        // after kill -9.
        use std::os::unix::fs::MetadataExt;
        assert_eq!(meta.nlink(), 0);
        let link = std::fs::read_link(format!("/proc/self/fd/{}", spill.file().as_raw_fd()));
        if let Ok(link) = link {
            assert!(
                link.to_string_lossy().ends_with("(deleted)"),
                "{}",
                link.display()
            );
        }
    }

    #[test]
    fn chunks_come_back_as_written() {
        let mut spill = Spill::create().unwrap();
        let a = spill.append(b"first chunk").unwrap();
        let b = spill.append(&[7; 100_000]).unwrap();
        assert_eq!((a, b), (0, 11));
        let mut buf = Vec::new();
        spill.read(b, 100_000, &mut buf).unwrap();
        assert_eq!(buf, [7; 100_000]);
        spill.read(a, 11, &mut buf).unwrap();
        assert_eq!(buf, b"first chunk");
        assert!(spill.read(b, 100_001, &mut buf).is_err());
        spill.clear();
        assert_eq!(spill.len(), 0);
        assert_eq!(spill.append(b"again").unwrap(), 0);
    }

    #[test]
    fn a_full_disk_fails_the_write_and_keeps_what_was_written() {
        let mut spill = Spill::create_limited(10).unwrap();
        spill.append(b"12345").unwrap();
        let error = spill.append(b"123456").unwrap_err();
        assert_eq!(error.raw_os_error(), Some(28));
        assert_eq!(spill.len(), 5);
        let mut buf = Vec::new();
        spill.read(0, 5, &mut buf).unwrap();
        assert_eq!(buf, b"12345");
    }

    #[test]
    fn released_chunks_give_their_space_back() {
        let mut spill = Spill::create().unwrap();
        let chunk = vec![1; 1 << 20];
        for _ in 0..4 {
            spill.append(&chunk).unwrap();
        }
        let before = spill.on_disk();
        // Where the filesystem punches holes (ext4, xfs, btrfs, tmpfs).
        if spill.release(0, 3 << 20) {
            assert!(
                spill.on_disk() <= before - (3 << 20),
                "{before} bytes before"
            );
        }
        let mut buf = Vec::new();
        spill.read(3 << 20, 1 << 20, &mut buf).unwrap();
        assert_eq!(buf, chunk);
    }
}
