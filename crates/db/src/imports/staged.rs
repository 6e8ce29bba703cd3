//! The checked rows of an import, waiting on disk for the officer's decision.
//!
//! They hold plain ID numbers, so they are sealed (AES-GCM with the platform key) in frames of
//! [`FRAME_ROWS`] rows: one frame is what the applier commits in one transaction. Keeping them in a
//! file rather than a table spares the database a million inserts, reads and deletes on a large
//! import, and keeps its write-ahead log for the people themselves.
//!
//! Layout: the magic `HVSTAGE2`, the frame size (u32 LE), the sealed [`Meta`] of the file (u32 LE
//! length, then the sealed JSON), then frames, each a u32 LE length and a sealed JSON array. Files
//! of the first layout (`HVSTAGE1`, no meta, rows without their line) are still read. The file is written beside the upload, synced and renamed into place, so a
//! reader never sees half a file.

use hocvuso_core::crypto::PidVault;
use hocvuso_core::people::PersonInput;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"HVSTAGE2";
const MAGIC_V1: &[u8; 8] = b"HVSTAGE1";

/// Rows per frame, and so per applied transaction. Larger transactions let the database write a
/// page touched by several rows once; this size keeps a transaction under a second.
pub const FRAME_ROWS: usize = 5000;

/// A checked row: the person and the units it resolved to.
#[derive(Serialize, Deserialize)]
pub struct Staged {
    /// The row's line in the officer's file, to report a row refused when it is applied (0 in
    /// files staged before lines were kept).
    #[serde(default)]
    pub line: usize,
    pub person: PersonInput,
    pub unit_id: i64,
    pub workplace_id: Option<i64>,
}

/// What the applier needs to know about the file as a whole.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Meta {
    /// The file's own header of the ID number column, for rows refused when applied.
    pub pid_column: String,
}

pub fn path(dir: &Path, job_id: i64) -> PathBuf {
    dir.join(format!("import-{job_id}.staged"))
}

#[derive(Debug, thiserror::Error)]
pub enum StagedError {
    #[error("staged rows unreadable: {0}")]
    Io(#[from] io::Error),
    #[error("staged rows damaged or sealed with another key")]
    Damaged,
}

/// Writes the rows, replacing any earlier file of the same job.
pub fn write(dir: &Path, job_id: i64, vault: &PidVault, meta: &Meta, rows: &[Staged]) -> Result<(), StagedError> {
    std::fs::create_dir_all(dir)?;
    let target = path(dir, job_id);
    let tmp = target.with_extension("staged.tmp");
    let file = File::create(&tmp)?;
    let mut out = BufWriter::new(file);
    out.write_all(MAGIC)?;
    out.write_all(&(FRAME_ROWS as u32).to_le_bytes())?;
    let sealed = vault.seal(&serde_json::to_vec(meta).map_err(|_| StagedError::Damaged)?);
    out.write_all(&(sealed.len() as u32).to_le_bytes())?;
    out.write_all(&sealed)?;
    for frame in rows.chunks(FRAME_ROWS) {
        let json = serde_json::to_vec(frame).map_err(|_| StagedError::Damaged)?;
        let sealed = vault.seal(&json);
        out.write_all(&(sealed.len() as u32).to_le_bytes())?;
        out.write_all(&sealed)?;
    }
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    std::fs::rename(&tmp, &target)?;
    Ok(())
}

pub fn remove(dir: &Path, job_id: i64) {
    // Gone already is fine: removal follows a decision that is recorded either way.
    let _ = std::fs::remove_file(path(dir, job_id));
}

/// Reads frames from a given row on, the way a resumed import continues.
pub struct Reader<'a> {
    input: BufReader<File>,
    vault: &'a PidVault,
    /// Rows of the next frame already applied before a restart.
    skip: usize,
    pub meta: Meta,
}

impl<'a> Reader<'a> {
    /// Opens the file positioned at row `from` (the rows already applied).
    pub fn open(dir: &Path, job_id: i64, vault: &'a PidVault, from: usize) -> Result<Self, StagedError> {
        let mut input = BufReader::new(File::open(path(dir, job_id))?);
        let mut head = [0u8; 12];
        input.read_exact(&mut head).map_err(|_| StagedError::Damaged)?;
        let meta = if &head[..8] == MAGIC_V1 {
            Meta::default()
        } else if &head[..8] == MAGIC {
            let len = read_len(&mut input)?.ok_or(StagedError::Damaged)?;
            let sealed = read_exactly(&mut input, len)?;
            let json = vault.open(&sealed).map_err(|_| StagedError::Damaged)?;
            serde_json::from_slice(&json).map_err(|_| StagedError::Damaged)?
        } else {
            return Err(StagedError::Damaged);
        };
        let frame_rows = u32::from_le_bytes([head[8], head[9], head[10], head[11]]) as usize;
        if frame_rows == 0 {
            return Err(StagedError::Damaged);
        }
        for _ in 0..from / frame_rows {
            let len = read_len(&mut input)?.ok_or(StagedError::Damaged)?;
            input.seek(SeekFrom::Current(len as i64))?;
        }
        Ok(Reader {
            input,
            vault,
            skip: from % frame_rows,
            meta,
        })
    }

    /// The next frame's rows, or `None` at the end of the file.
    pub fn next_frame(&mut self) -> Result<Option<Vec<Staged>>, StagedError> {
        let Some(len) = read_len(&mut self.input)? else {
            return Ok(None);
        };
        let sealed = read_exactly(&mut self.input, len)?;
        let json = self.vault.open(&sealed).map_err(|_| StagedError::Damaged)?;
        let mut rows: Vec<Staged> = serde_json::from_slice(&json).map_err(|_| StagedError::Damaged)?;
        if self.skip > 0 {
            rows.drain(..self.skip.min(rows.len()));
            self.skip = 0;
        }
        Ok(Some(rows))
    }
}

fn read_exactly(input: &mut impl Read, len: usize) -> Result<Vec<u8>, StagedError> {
    let mut buf = Vec::new();
    // A damaged length must not make us allocate gigabytes: read what is there, then compare.
    input.take(len as u64).read_to_end(&mut buf)?;
    if buf.len() != len {
        return Err(StagedError::Damaged);
    }
    Ok(buf)
}

/// A frame length, or `None` at a clean end of file.
fn read_len(input: &mut impl Read) -> Result<Option<usize>, StagedError> {
    let mut len = [0u8; 4];
    match input.read(&mut len[..1])? {
        0 => return Ok(None),
        _ => input.read_exact(&mut len[1..]).map_err(|_| StagedError::Damaged)?,
    }
    Ok(Some(u32::from_le_bytes(len) as usize))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hocvuso_core::crypto::MasterKey;
    use hocvuso_core::people::{Groups, Sex};
    use hocvuso_core::personal_id::PersonalId;

    fn row(i: usize) -> Staged {
        Staged {
            line: i + 2,
            person: PersonInput {
                full_name: format!("Người Thứ {i}"),
                birth_date: time::macros::date!(1990 - 01 - 01),
                sex: Sex::Male,
                personal_id: PersonalId::parse(&format!("0010900{i:05}")).unwrap(),
                phone: None,
                groups: Groups::default(),
                village: None,
                workplace: None,
                household: None,
            },
            unit_id: 7,
            workplace_id: None,
        }
    }

    #[test]
    fn frames_resume_from_any_row() {
        let dir = tempfile::tempdir().unwrap();
        let vault = PidVault::new(&MasterKey::from_hex(&"07".repeat(32)).unwrap());
        let n = FRAME_ROWS * 2 + 3;
        let rows: Vec<Staged> = (0..n).map(row).collect();
        let meta = Meta {
            pid_column: "Số CCCD".into(),
        };
        write(dir.path(), 1, &vault, &meta, &rows).unwrap();
        for from in [0, 1, FRAME_ROWS, FRAME_ROWS + 2, n - 1, n] {
            let mut r = Reader::open(dir.path(), 1, &vault, from).unwrap();
            assert_eq!(r.meta.pid_column, "Số CCCD");
            let mut seen = Vec::new();
            while let Some(f) = r.next_frame().unwrap() {
                seen.extend(f.into_iter().map(|s| (s.line, s.person.full_name)));
            }
            let want: Vec<(usize, String)> = (from..n).map(|i| (i + 2, format!("Người Thứ {i}"))).collect();
            assert_eq!(seen, want, "from row {from}");
        }
    }

    #[test]
    fn another_key_or_a_cut_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let vault = PidVault::new(&MasterKey::from_hex(&"07".repeat(32)).unwrap());
        write(dir.path(), 2, &vault, &Meta::default(), &[row(1), row(2)]).unwrap();
        let other = PidVault::new(&MasterKey::from_hex(&"08".repeat(32)).unwrap());
        assert!(matches!(
            Reader::open(dir.path(), 2, &other, 0),
            Err(StagedError::Damaged)
        ));
        let p = path(dir.path(), 2);
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() - 5]).unwrap();
        let mut r = Reader::open(dir.path(), 2, &vault, 0).unwrap();
        assert!(matches!(r.next_frame(), Err(StagedError::Damaged)));
        assert!(matches!(
            Reader::open(dir.path(), 3, &vault, 0),
            Err(StagedError::Io(_))
        ));
    }

    /// A file staged by the previous release (no meta, rows without lines) is still applied.
    #[test]
    fn first_layout_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let vault = PidVault::new(&MasterKey::from_hex(&"07".repeat(32)).unwrap());
        let mut old = serde_json::to_value(vec![row(4)]).unwrap();
        old[0].as_object_mut().unwrap().remove("line");
        let sealed = vault.seal(&serde_json::to_vec(&old).unwrap());
        let mut bytes = MAGIC_V1.to_vec();
        bytes.extend((FRAME_ROWS as u32).to_le_bytes());
        bytes.extend((sealed.len() as u32).to_le_bytes());
        bytes.extend(sealed);
        std::fs::write(path(dir.path(), 5), bytes).unwrap();
        let mut r = Reader::open(dir.path(), 5, &vault, 0).unwrap();
        let rows = r.next_frame().unwrap().unwrap();
        assert_eq!((rows[0].line, rows[0].person.full_name.as_str()), (0, "Người Thứ 4"));
        assert_eq!(r.meta.pid_column, "");
    }
}
