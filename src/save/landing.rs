//! Where the saved bytes go: the target opened as `>` opens it and locked,
//! the unnamed file beside it, and putting that in place at the stop (or
//! writing in place where the target cannot be replaced).

use std::ffi::OsStr;
use std::fs::{self, File, Metadata, OpenOptions, Permissions};
use std::io::{self, Seek};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use tempfile::TempPath;

use super::{Beside, Dir, Landing};

/// Opens `path` for writing as `>` does (following symlinks, creating it
/// with the umask), but without truncating it; a FIFO without a reader is
/// refused instead of waited for. Returns the file and, if it was created
/// now, its metadata.
pub(super) fn open_target(path: &Path) -> io::Result<(File, Option<Metadata>)> {
    let mut options = OpenOptions::new();
    options
        .write(true)
        .mode(0o666)
        // A terminal saved to does not become reflow's controlling one.
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    let opened = match options.clone().create_new(true).open(path) {
        Ok(file) => {
            let meta = file.metadata()?;
            Ok((file, Some(meta)))
        }
        // There already (or a symlink: followed now, as `>` follows it).
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            options.create(true).open(path).map(|file| (file, None))
        }
        Err(e) => Err(e),
    };
    opened.map_err(|e| match e.raw_os_error() {
        Some(libc::ENXIO) => {
            let fifo = fs::metadata(path).is_ok_and(|m| {
                use std::os::unix::fs::FileTypeExt;
                m.file_type().is_fifo()
            });
            match fifo {
                true => io::Error::new(io::ErrorKind::BrokenPipe, "a FIFO nobody reads"),
                false => e,
            }
        }
        _ => e,
    })
}

/// Decides how the opened `target` is saved to; returns the file the
/// bytes go to.
pub(super) fn place(path: &Path, target: File, unnamed: bool) -> io::Result<(File, Landing)> {
    let meta = target.metadata()?;
    if !meta.file_type().is_file() {
        // A device or a FIFO: written as `>` writes it, never replaced.
        // Writes wait for a slow reader, as they would for `>`.
        let flags = rustix::fs::fcntl_getfl(&target)?;
        rustix::fs::fcntl_setfl(&target, flags - rustix::fs::OFlags::NONBLOCK)?;
        return Ok((target, Landing::InPlace { regular: false }));
    }
    lock(&target)?;
    match beside(path, &target, &meta, unnamed)? {
        Some((file, temp, dir)) => {
            let beside = Beside {
                _target: target,
                dir,
                mode: meta.mode() & 0o7777,
                had_content: meta.len() > 0,
            };
            let landing = match temp {
                Some(temp) => Landing::Named(beside, temp),
                None => Landing::Unnamed(beside),
            };
            Ok((file, landing))
        }
        None => {
            // Written in place, as `>` does: emptied first.
            target.set_len(0)?;
            Ok((target, Landing::InPlace { regular: true }))
        }
    }
}

/// Refuses a file another saver holds.
pub(super) fn lock(target: &File) -> io::Result<()> {
    match target.try_lock() {
        Ok(()) => Ok(()),
        Err(fs::TryLockError::WouldBlock) => Err(io::Error::new(
            io::ErrorKind::ResourceBusy,
            "another process is saving to it (it is locked)",
        )),
        // A filesystem without locks (some network ones): saved unlocked.
        Err(fs::TryLockError::Error(e))
            if matches!(e.raw_os_error(), Some(libc::ENOLCK | libc::EOPNOTSUPP)) =>
        {
            Ok(())
        }
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

/// The file to write instead of the regular `target`, in its directory,
/// with its owner: unnamed, or named (then with its name) where the
/// filesystem has no `O_TMPFILE`. `None` when the target must be written
/// in place: no file can be created there, or none with its owner.
pub(super) fn beside(
    path: &Path,
    target: &File,
    meta: &Metadata,
    unnamed: bool,
) -> io::Result<Option<(File, Option<TempPath>, Dir)>> {
    let Some(dir) = directory_of(path, target, meta) else {
        return Ok(None);
    };
    let opened = match unnamed {
        true => OpenOptions::new()
            .read(true)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_TMPFILE)
            .open(&dir.path),
        false => Err(io::Error::from_raw_os_error(libc::EOPNOTSUPP)),
    };
    let (file, temp) = match opened {
        Ok(file) => (file, None),
        Err(e) if denied(&e) => return Ok(None),
        // How a filesystem (or an old kernel) says it has no O_TMPFILE.
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL)
            ) =>
        {
            let named = tempfile::Builder::new()
                .prefix(&dir.name_with(".", "."))
                .suffix(".reflow")
                .permissions(Permissions::from_mode(0o600))
                .tempfile_in(&dir.path);
            match named {
                Ok(named) => {
                    let (file, temp) = named.into_parts();
                    (file, Some(temp))
                }
                Err(e) if denied(&e) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        Err(e) => return Err(e),
    };
    // Otherwise `temp`, dropped, removes the named temporary.
    Ok(owned_like(&file, meta).then_some((file, temp, dir)))
}

/// The open target's directory, checked to hold the very file opened
/// under its name; `None` when it cannot be found for sure.
pub(super) fn directory_of(path: &Path, target: &File, meta: &Metadata) -> Option<Dir> {
    // Where the kernel found it (symlinks resolved as `>` resolves them).
    let real = fs::read_link(format!("/proc/self/fd/{}", target.as_raw_fd()))
        .ok()
        .filter(|real| fs::metadata(real).is_ok_and(|m| same_file(&m, meta)))
        .or_else(|| fs::canonicalize(path).ok())?;
    let name = real.file_name()?.to_owned();
    let shown = real.parent()?.to_owned();
    let file = File::open(&shown)
        .or_else(|_| {
            // A directory that may not be read can still be written.
            OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_PATH | libc::O_DIRECTORY)
                .open(&shown)
        })
        .ok()?;
    let by_fd = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
    let path = match fs::metadata(&by_fd) {
        Ok(m) if file.metadata().is_ok_and(|d| same_file(&m, &d)) => by_fd,
        _ => shown.clone(),
    };
    fs::symlink_metadata(path.join(&name))
        .is_ok_and(|m| same_file(&m, meta))
        .then_some(Dir {
            file,
            path,
            shown,
            name,
        })
}

/// Gives `file` the owner and group of the file it replaces; false when
/// that is not allowed (only root may give a file away).
pub(super) fn owned_like(file: &File, target: &Metadata) -> bool {
    let Ok(mine) = file.metadata() else {
        return false;
    };
    if (mine.uid(), mine.gid()) == (target.uid(), target.gid()) {
        return true;
    }
    std::os::unix::fs::fchown(file, Some(target.uid()), Some(target.gid())).is_ok()
}

/// A refusal to create a file: then the target is written in place.
pub(super) fn denied(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
    )
}

pub(super) fn same_file(a: &Metadata, b: &Metadata) -> bool {
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

/// The end of a save written in place.
pub(super) fn in_place(
    file: &File,
    regular: bool,
    error: Option<io::Error>,
    path: &Path,
) -> io::Result<()> {
    // Only a regular file has anything to make durable (a device or a
    // FIFO may refuse fsync).
    let error = error.or_else(|| regular.then(|| file.sync_all().err()).flatten());
    match error {
        None => Ok(()),
        Some(e) if regular => Err(io::Error::new(
            e.kind(),
            format!(
                "{}: {} holds the first {} bytes",
                reason(&e),
                path.display(),
                written(file)
            ),
        )),
        Some(e) => Err(io::Error::new(e.kind(), reason(&e))),
    }
}

/// The end of a save written beside the target: made durable, given the
/// target's mode, and moved over it. Cut short by `error`, what was
/// written is kept: in place of a target that was empty, else beside it.
pub(super) fn land(
    file: &File,
    beside: &Beside,
    temp: Option<TempPath>,
    error: Option<io::Error>,
    path: &Path,
) -> io::Result<()> {
    let error = error.or_else(|| file.sync_all().err());
    let dir = &beside.dir;
    let keep_old = error.is_some() && beside.had_content;
    let moved = file
        .set_permissions(Permissions::from_mode(beside.mode))
        .and_then(|()| match keep_old {
            true => {
                let prefix = dir.name_with("", ".partial-");
                let kept = match temp {
                    // Renamed over a fresh name taken with O_EXCL.
                    Some(temp) => {
                        let fresh = tempfile::Builder::new()
                            .prefix(&prefix)
                            .tempfile_in(&dir.path)?
                            .into_temp_path()
                            .keep()
                            .map_err(|e| e.error)?;
                        temp.persist(&fresh).map_err(|e| e.error)?;
                        fresh
                    }
                    None => link_in(file, dir, &prefix, "", beside.mode)?
                        .keep()
                        .map_err(|e| e.error)?,
                };
                Ok(Some(kept))
            }
            false => {
                let temp = match temp {
                    Some(temp) => temp,
                    None => link_in(file, dir, &dir.name_with(".", "."), ".reflow", beside.mode)?,
                };
                temp.persist(dir.path.join(&dir.name))
                    .map_err(|e| e.error)?;
                Ok(None)
            }
        });
    // The rename is durable too (best effort: the directory may be open
    // only as a path).
    let _ = dir.file.sync_all();
    let Some(e) = error else {
        return moved.map(drop);
    };
    let told = match moved {
        Ok(Some(kept)) => format!(
            "the first {} bytes are in {} ({} is as it was)",
            written(file),
            dir.shown
                .join(kept.file_name().unwrap_or_default())
                .display(),
            path.display()
        ),
        Ok(None) => format!("{} holds the first {} bytes", path.display(), written(file)),
        Err(lost) => format!("what was written is lost: {}", reason(&lost)),
    };
    Err(io::Error::new(e.kind(), format!("{}: {told}", reason(&e))))
}

pub(super) fn written(file: &File) -> u64 {
    file.metadata().map_or(0, |m| m.len())
}

/// Links the unnamed `file` in at a fresh name `PREFIX<random>SUFFIX` in
/// `dir` (a name taken, by a planted symlink or anything else, is never
/// followed: `linkat` fails and the next one is tried). Where `/proc` is
/// missing, copies it to a new file with that kind of name and `mode`.
pub(super) fn link_in(
    file: &File,
    dir: &Dir,
    prefix: &OsStr,
    suffix: &str,
    mode: u32,
) -> io::Result<TempPath> {
    let fd = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).suffix(suffix);
    let linked = builder.make_in(&dir.path, |at| {
        use rustix::fs::{AtFlags, CWD, linkat};
        linkat(CWD, fd.as_path(), CWD, at, AtFlags::SYMLINK_FOLLOW).map_err(io::Error::from)
    });
    match linked {
        Ok(linked) => Ok(linked.into_temp_path()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            let (mut copy, temp) = builder
                .permissions(Permissions::from_mode(0o600))
                .tempfile_in(&dir.path)?
                .into_parts();
            let mut from = file;
            from.rewind()?;
            io::copy(&mut from, &mut copy)?;
            copy.sync_all()?;
            let meta = file.metadata()?;
            let _ = std::os::unix::fs::fchown(&copy, Some(meta.uid()), Some(meta.gid()));
            copy.set_permissions(Permissions::from_mode(mode))?;
            Ok(temp)
        }
    }
}

/// An error's text without the " (os error N)" std adds.
pub(super) fn reason(e: &io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}
