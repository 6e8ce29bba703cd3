//! An author's own recording of a lesson, as uploaded: recognised by its bytes (never by its name
//! or the type the browser claims) and decoded in process by `symphonia` (pure Rust) into a mono
//! 16-bit WAV stream that the platform's one Opus encoder (`hocvuso_app::speech::encode`) turns
//! into what learners download. Ogg Opus is recognised here but decoded by `opusdec` (Debian
//! `opus-tools`): symphonia 0.5 has no Opus decoder.
//!
//! The decoded samples are written out as they come, so memory holds the upload and one packet,
//! never twenty minutes of PCM. A file that is not audio, is cut short, lasts longer than
//! [`MAX_SECONDS`], is shorter than [`MIN_SECONDS`] or is silence is refused with a message that
//! says what to do.

use crate::i18n::Message;
use std::io::Write;

/// The largest upload read: a 20-minute MP3 at 128 kbit/s is under 20 MB.
pub const MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;
/// The longest recording kept: a lesson is a few minutes.
pub const MAX_SECONDS: u64 = 20 * 60;
/// A recording shorter than this is a slip of the finger, not a lesson read aloud.
pub const MIN_SECONDS: f64 = 1.0;
/// Sample rates accepted (telephone quality up to studio).
pub const MIN_RATE: u32 = 8_000;
pub const MAX_RATE: u32 = 192_000;
/// A recording whose loudest sample stays under this (of 32767) is silence.
const SILENCE_PEAK: i32 = 64;
/// Damaged packets skipped before the file is called damaged.
const MAX_BAD_PACKETS: usize = 20;
/// What the WAV header says of a data size not yet known (eSpeak writes the same to a pipe).
pub const STREAM_DATA_SIZE: u32 = 0x7FFF_F000;

const MIB: usize = 1024 * 1024;

/// What an upload is, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioFormat {
    Wav,
    Flac,
    OggVorbis,
    OggOpus,
    Mp3,
    /// AAC in ADTS frames (`.aac`).
    Aac,
    /// MPEG-4 audio (`.m4a`, and the audio of an `.mp4`), AAC inside.
    Mp4,
}

impl AudioFormat {
    /// What the author's pages call it.
    pub fn label(self) -> &'static str {
        match self {
            AudioFormat::Wav => "WAV",
            AudioFormat::Flac => "FLAC",
            AudioFormat::OggVorbis => "Ogg Vorbis",
            AudioFormat::OggOpus => "Ogg Opus",
            AudioFormat::Mp3 => "MP3",
            AudioFormat::Aac => "AAC",
            AudioFormat::Mp4 => "M4A",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordingError {
    #[error("the upload is {size} bytes, more than {MAX_UPLOAD_BYTES}")]
    TooLarge { size: usize },
    #[error("the upload is empty")]
    Empty,
    /// Not one of the formats read, by its bytes.
    #[error("not an audio file this platform reads")]
    NotAudio,
    /// Audio of a kind not decoded (Ogg FLAC, MP2, ALAC …).
    #[error("audio of a kind that is not read: {0}")]
    Unsupported(String),
    #[error("the audio file is damaged")]
    Damaged,
    /// Fewer samples than the file's own header announces.
    #[error("the audio file is cut short")]
    Truncated,
    #[error("the recording lasts {seconds} s, more than {MAX_SECONDS}")]
    TooLong { seconds: u64 },
    #[error("the recording is shorter than a second")]
    TooShort,
    #[error("the recording is silent")]
    Silent,
    /// The consumer of the decoded stream stopped (the encoder failed or the request ended).
    #[error("the decoded audio could not be passed on: {0}")]
    Output(String),
}

impl RecordingError {
    pub fn message(&self) -> Message {
        match self {
            RecordingError::TooLarge { size } => Message::new("err-recording-too-large")
                .arg("max", MAX_UPLOAD_BYTES / MIB)
                .arg("size", format!("{:.1}", *size as f64 / MIB as f64)),
            RecordingError::Empty => Message::new("err-recording-empty"),
            RecordingError::NotAudio => Message::new("err-recording-not-audio"),
            RecordingError::Unsupported(what) => Message::new("err-recording-unsupported").arg("what", what),
            RecordingError::Damaged => Message::new("err-recording-damaged"),
            RecordingError::Truncated => Message::new("err-recording-truncated"),
            RecordingError::TooLong { seconds } => Message::new("err-recording-too-long")
                .arg("max", MAX_SECONDS / 60)
                .arg("min", seconds / 60)
                .arg("sec", seconds % 60),
            RecordingError::TooShort => Message::new("err-recording-too-short"),
            RecordingError::Silent => Message::new("err-recording-silent"),
            RecordingError::Output(_) => Message::new("err-recording-encode"),
        }
    }
}

/// The start of an MPEG audio frame header: 11 sync bits.
fn frame_sync(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0
}

/// The format of an upload by its first bytes, or `None` when it is none of those read.
pub fn sniff(bytes: &[u8]) -> Option<AudioFormat> {
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE" {
        return Some(AudioFormat::Wav);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some(AudioFormat::Mp4);
    }
    if bytes.starts_with(b"OggS") {
        // The first page's first packet names the codec: after the 27-byte header and the
        // segment table.
        let segments = usize::from(*bytes.get(26)?);
        let packet = bytes.get(27 + segments..)?;
        if packet.starts_with(b"OpusHead") {
            return Some(AudioFormat::OggOpus);
        }
        if packet.starts_with(b"\x01vorbis") {
            return Some(AudioFormat::OggVorbis);
        }
        return None;
    }
    // An ID3v2 tag (10 bytes, a syncsafe size, an optional 10-byte footer) may stand before MP3
    // frames, and before FLAC's marker too.
    let mut at = 0usize;
    if bytes.len() >= 10 && bytes.starts_with(b"ID3") {
        let size = bytes[6..10]
            .iter()
            .fold(0usize, |acc, b| (acc << 7) | usize::from(b & 0x7F));
        let footer = if bytes[5] & 0x10 != 0 { 10 } else { 0 };
        at = 10 + size + footer;
    }
    let rest = bytes.get(at..)?;
    if rest.starts_with(b"fLaC") {
        return Some(AudioFormat::Flac);
    }
    if frame_sync(rest) {
        let layer = (rest[1] >> 1) & 0x03;
        return Some(if layer == 0 { AudioFormat::Aac } else { AudioFormat::Mp3 });
    }
    None
}

/// The header of a mono 16-bit WAV whose length is not known yet.
pub fn wav_stream_header(rate: u32) -> [u8; 44] {
    let mut h = [0u8; 44];
    h[..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&STREAM_DATA_SIZE.saturating_add(36).to_le_bytes());
    h[8..16].copy_from_slice(b"WAVEfmt ");
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    h[20..22].copy_from_slice(&1u16.to_le_bytes()); // PCM
    h[22..24].copy_from_slice(&1u16.to_le_bytes()); // mono
    h[24..28].copy_from_slice(&rate.to_le_bytes());
    h[28..32].copy_from_slice(&(rate * 2).to_le_bytes());
    h[32..34].copy_from_slice(&2u16.to_le_bytes());
    h[34..36].copy_from_slice(&16u16.to_le_bytes());
    h[36..40].copy_from_slice(b"data");
    h[40..44].copy_from_slice(&STREAM_DATA_SIZE.to_le_bytes());
    h
}

/// What a decoding produced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decoded {
    pub format: AudioFormat,
    pub sample_rate: u32,
    pub seconds: f64,
}

/// Decodes an upload of `format` (from [`sniff`]; not Ogg Opus) and writes it to `out` as a mono
/// 16-bit WAV stream ([`wav_stream_header`], then samples as they are decoded). CPU-bound: run
/// it on the blocking pool. A panic inside the decoder (a hostile file) is a damaged file.
pub fn decode_to_wav(format: AudioFormat, bytes: Vec<u8>, out: &mut dyn Write) -> Result<Decoded, RecordingError> {
    if bytes.is_empty() {
        return Err(RecordingError::Empty);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(RecordingError::TooLarge { size: bytes.len() });
    }
    // The MPEG-4 reader sizes its sample tables from the counts the file states before reading
    // them (an allocation of tens of gigabytes, which aborts the process rather than panics):
    // every table must fit in the bytes that hold it before the reader sees the file.
    if format == AudioFormat::Mp4 && !mp4_tables_fit(&bytes) {
        return Err(RecordingError::Damaged);
    }
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode_inner(format, bytes, out))) {
        Ok(r) => r,
        Err(_) => Err(RecordingError::Damaged),
    }
}

/// Whether every box of an MPEG-4 file lies inside the box holding it and every sample table the
/// decoder reads (`stts`, `stsc`, `stsz`, `stco`, `co64`) holds the entries its count announces.
pub fn mp4_tables_fit(bytes: &[u8]) -> bool {
    fits(bytes, 0)
}

/// The boxes of `bytes` (one box's payload, or the whole file), descending into the containers the
/// decoder descends into; `depth` bounds a file of boxes nested without end.
fn fits(bytes: &[u8], depth: u32) -> bool {
    const CONTAINERS: [&[u8; 4]; 8] = [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"mvex", b"moof", b"traf"];
    if depth > 16 {
        return false;
    }
    let be32 = |b: &[u8], at: usize| -> Option<u64> {
        b.get(at..at + 4)
            .map(|x| u64::from(u32::from_be_bytes([x[0], x[1], x[2], x[3]])))
    };
    let mut at = 0usize;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let (Some(size32), Some(kind)) = (be32(rest, 0), rest.get(4..8)) else {
            return false;
        };
        let (header, size) = match size32 {
            // To the end of what holds it.
            0 => (8usize, rest.len() as u64),
            1 => match rest.get(8..16) {
                Some(x) => (16, u64::from_be_bytes([x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]])),
                None => return false,
            },
            n => (8, n),
        };
        if size < header as u64 || size > rest.len() as u64 {
            return false;
        }
        // Within `rest`, which is at most the upload's 25 MB.
        let body = &rest[header..size as usize];
        let table = |entry: u64, count_at: usize| -> bool {
            be32(body, count_at).is_some_and(|n| n.saturating_mul(entry) <= (body.len() - (count_at + 4)) as u64)
        };
        let ok = match kind {
            b"stts" | b"co64" => table(8, 4),
            b"stsc" => table(12, 4),
            b"stco" => table(4, 4),
            // A size for every sample only when the box gives none for all of them.
            b"stsz" => match be32(body, 4) {
                Some(0) => table(4, 8),
                Some(_) => be32(body, 8).is_some(),
                None => false,
            },
            k if CONTAINERS.iter().any(|c| c.as_slice() == k) => fits(body, depth + 1),
            _ => true,
        };
        if !ok {
            return false;
        }
        at += size as usize;
    }
    true
}

fn decode_inner(format: AudioFormat, bytes: Vec<u8>, out: &mut dyn Write) -> Result<Decoded, RecordingError> {
    use symphonia::core::audio::SampleBuffer;
    use symphonia::core::codecs::{CODEC_TYPE_NULL, DecoderOptions};
    use symphonia::core::errors::Error as E;
    use symphonia::core::formats::{FormatOptions, FormatReader};
    use symphonia::core::io::MediaSourceStream;
    use symphonia::default::formats as f;

    let mss = MediaSourceStream::new(Box::new(std::io::Cursor::new(bytes)), Default::default());
    let opts = FormatOptions::default();
    let opened: Result<Box<dyn FormatReader>, E> = match format {
        AudioFormat::Wav => f::WavReader::try_new(mss, &opts).map(|r| Box::new(r) as Box<dyn FormatReader>),
        AudioFormat::Flac => f::FlacReader::try_new(mss, &opts).map(|r| Box::new(r) as Box<dyn FormatReader>),
        AudioFormat::OggVorbis => f::OggReader::try_new(mss, &opts).map(|r| Box::new(r) as Box<dyn FormatReader>),
        AudioFormat::Mp3 => f::MpaReader::try_new(mss, &opts).map(|r| Box::new(r) as Box<dyn FormatReader>),
        AudioFormat::Aac => f::AdtsReader::try_new(mss, &opts).map(|r| Box::new(r) as Box<dyn FormatReader>),
        AudioFormat::Mp4 => f::IsoMp4Reader::try_new(mss, &opts).map(|r| Box::new(r) as Box<dyn FormatReader>),
        AudioFormat::OggOpus => return Err(RecordingError::Unsupported("Ogg Opus".into())),
    };
    let mut reader = opened.map_err(|e| match e {
        E::Unsupported(what) => RecordingError::Unsupported(what.to_string()),
        E::IoError(_) => RecordingError::Truncated,
        _ => RecordingError::Damaged,
    })?;
    let track = reader
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or(RecordingError::NotAudio)?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|e| match e {
            E::Unsupported(what) => RecordingError::Unsupported(what.to_string()),
            _ => RecordingError::Damaged,
        })?;
    let mut rate = params.sample_rate;
    let max_frames = |rate: u32| MAX_SECONDS * u64::from(rate);
    // A header that announces more than the cap is refused before anything is decoded; a WAV
    // written to a pipe announces "unknown" as a huge size, so for WAV the count decides.
    if let (Some(n), Some(r)) = (params.n_frames, rate)
        && format != AudioFormat::Wav
        && n > max_frames(r)
    {
        return Err(RecordingError::TooLong {
            seconds: n / u64::from(r),
        });
    }
    let output = |e: std::io::Error| RecordingError::Output(e.to_string());
    let mut started = false;
    let mut frames: u64 = 0;
    let mut peak: i32 = 0;
    let mut bad = 0usize;
    let mut cut_short = false;
    let mut samples: Option<SampleBuffer<f32>> = None;
    let mut mono: Vec<u8> = Vec::new();
    loop {
        let packet = match reader.next_packet() {
            Ok(p) => p,
            Err(E::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(E::ResetRequired) => break,
            Err(E::IoError(_)) => {
                cut_short = true;
                break;
            }
            Err(_) => {
                bad += 1;
                if bad > MAX_BAD_PACKETS {
                    return Err(RecordingError::Damaged);
                }
                continue;
            }
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(d) => d,
            Err(E::DecodeError(_)) => {
                bad += 1;
                if bad > MAX_BAD_PACKETS {
                    return Err(RecordingError::Damaged);
                }
                continue;
            }
            Err(E::IoError(_)) => {
                cut_short = true;
                break;
            }
            Err(E::Unsupported(what)) => return Err(RecordingError::Unsupported(what.to_string())),
            Err(_) => return Err(RecordingError::Damaged),
        };
        let spec = *decoded.spec();
        let channels = spec.channels.count();
        if channels == 0 {
            return Err(RecordingError::Damaged);
        }
        if !started {
            let r = spec.rate;
            if !(MIN_RATE..=MAX_RATE).contains(&r) {
                return Err(RecordingError::Unsupported(format!("{r} Hz")));
            }
            rate = Some(r);
            out.write_all(&wav_stream_header(r)).map_err(output)?;
            started = true;
        } else if Some(spec.rate) != rate {
            // A stream that changes its rate midway (chained files) is not a recording.
            return Err(RecordingError::Damaged);
        }
        let n = decoded.frames();
        if n == 0 {
            continue;
        }
        let need = decoded.capacity() as u64;
        let buf = match &mut samples {
            Some(b) if b.capacity() as u64 >= need * channels as u64 => b,
            _ => samples.insert(SampleBuffer::<f32>::new(need, spec)),
        };
        buf.copy_interleaved_ref(decoded);
        mono.clear();
        for frame in buf.samples().chunks_exact(channels) {
            let sum: f32 = frame.iter().sum();
            let v = (sum / channels as f32 * 32767.0).round().clamp(-32768.0, 32767.0) as i16;
            peak = peak.max(i32::from(v).abs());
            mono.extend_from_slice(&v.to_le_bytes());
        }
        out.write_all(&mono).map_err(output)?;
        frames += n as u64;
        let r = rate.unwrap_or(spec.rate);
        if frames > max_frames(r) {
            return Err(RecordingError::TooLong {
                seconds: frames / u64::from(r),
            });
        }
    }
    out.flush().map_err(output)?;
    let Some(rate) = rate.filter(|_| started) else {
        return Err(if bad > 0 {
            RecordingError::Damaged
        } else {
            RecordingError::TooShort
        });
    };
    // Fewer samples than the header announced: the end of the file is missing. A tenth of a
    // second is allowed for encoder padding.
    if let Some(n) = params.n_frames
        && n <= max_frames(rate)
        && frames + u64::from(rate / 10) < n
    {
        return Err(RecordingError::Truncated);
    }
    if cut_short {
        return Err(RecordingError::Truncated);
    }
    let seconds = frames as f64 / f64::from(rate);
    if seconds < MIN_SECONDS {
        return Err(RecordingError::TooShort);
    }
    if peak < SILENCE_PEAK {
        return Err(RecordingError::Silent);
    }
    Ok(Decoded {
        format,
        sample_rate: rate,
        seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    /// An MPEG-4 file whose one track's sample table holds `stbl` (no media data: only the boxes
    /// matter to the check and to the reader's first steps).
    fn mp4_with(stbl: &[u8]) -> Vec<u8> {
        let mut f = mp4_box(b"ftyp", b"M4A \0\0\0\0M4A mp42isom");
        let stbl = mp4_box(b"stbl", stbl);
        let minf = mp4_box(b"minf", &stbl);
        let mdia = mp4_box(b"mdia", &minf);
        let trak = mp4_box(b"trak", &mdia);
        f.extend(mp4_box(b"moov", &trak));
        f.extend(mp4_box(b"mdat", &[0; 16]));
        f
    }

    fn table(kind: &[u8; 4], count: u32, entries: &[u8]) -> Vec<u8> {
        let mut body = vec![0, 0, 0, 0];
        body.extend_from_slice(&count.to_be_bytes());
        body.extend_from_slice(entries);
        mp4_box(kind, &body)
    }

    #[test]
    fn mp4_tables_that_hold_their_entries_pass() {
        let mut stbl = table(b"stts", 1, &[0, 0, 0, 10, 0, 0, 4, 0]);
        stbl.extend(table(b"stsc", 1, &[0, 0, 0, 1, 0, 0, 0, 10, 0, 0, 0, 1]));
        stbl.extend(table(b"stco", 2, &[0, 0, 0, 40, 0, 0, 0, 80]));
        stbl.extend(table(b"co64", 1, &[0, 0, 0, 0, 0, 0, 0, 40]));
        // stsz: one size for every sample, then a size per sample.
        stbl.extend(mp4_box(b"stsz", &[0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 10]));
        stbl.extend(mp4_box(
            b"stsz",
            &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 9],
        ));
        assert!(mp4_tables_fit(&mp4_with(&stbl)));
        // A last box running to the end of the file (size 0) is allowed.
        let mut open_ended = mp4_with(&stbl);
        open_ended.extend([0, 0, 0, 0]);
        open_ended.extend(b"mdat");
        open_ended.extend([1, 2, 3]);
        assert!(mp4_tables_fit(&open_ended));
    }

    #[test]
    fn mp4_tables_announcing_more_than_they_hold_are_refused() {
        for stbl in [
            table(b"stts", u32::MAX, &[]),
            table(b"stsc", 2, &[0; 12]),
            table(b"stco", 1 << 30, &[0; 8]),
            table(b"co64", 3, &[0; 16]),
            mp4_box(b"stsz", &[0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]),
            mp4_box(b"stsz", &[0, 0, 0, 0]),
        ] {
            let file = mp4_with(&stbl);
            assert!(!mp4_tables_fit(&file), "{stbl:?}");
            // The decoder is never handed it: a damaged file, not an abort of the process.
            assert_eq!(
                decode_to_wav(AudioFormat::Mp4, file, &mut std::io::sink()).err(),
                Some(RecordingError::Damaged)
            );
        }
        // A box larger than what holds it, or nested without end.
        let mut lying = mp4_with(&table(b"stts", 0, &[]));
        let at = lying.len() - 24;
        lying[at..at + 4].copy_from_slice(&1000u32.to_be_bytes());
        assert!(!mp4_tables_fit(&lying));
        let mut deep = mp4_box(b"stbl", &[]);
        for _ in 0..40 {
            deep = mp4_box(b"moov", &deep);
        }
        assert!(!mp4_tables_fit(&deep));
    }

    /// A 16-bit PCM WAV of a sine (or silence when `amp` is 0).
    pub fn sine_wav(rate: u32, channels: u16, seconds: f64, amp: f64) -> Vec<u8> {
        let frames = (f64::from(rate) * seconds) as u32;
        let data = frames * 2 * u32::from(channels);
        let mut w = Vec::new();
        w.extend_from_slice(b"RIFF");
        w.extend_from_slice(&(36 + data).to_le_bytes());
        w.extend_from_slice(b"WAVEfmt ");
        w.extend_from_slice(&16u32.to_le_bytes());
        w.extend_from_slice(&1u16.to_le_bytes());
        w.extend_from_slice(&channels.to_le_bytes());
        w.extend_from_slice(&rate.to_le_bytes());
        w.extend_from_slice(&(rate * 2 * u32::from(channels)).to_le_bytes());
        w.extend_from_slice(&(2 * channels).to_le_bytes());
        w.extend_from_slice(&16u16.to_le_bytes());
        w.extend_from_slice(b"data");
        w.extend_from_slice(&data.to_le_bytes());
        for i in 0..frames {
            let v =
                (amp * (2.0 * std::f64::consts::PI * 440.0 * f64::from(i) / f64::from(rate)).sin() * 32767.0) as i16;
            for _ in 0..channels {
                w.extend_from_slice(&v.to_le_bytes());
            }
        }
        w
    }

    #[test]
    fn formats_are_known_by_their_bytes() {
        assert_eq!(sniff(&sine_wav(8000, 1, 0.1, 0.5)), Some(AudioFormat::Wav));
        assert_eq!(sniff(b"fLaC\0\0\0\x22"), Some(AudioFormat::Flac));
        assert_eq!(sniff(b"\xff\xfb\x90\x64\0\0"), Some(AudioFormat::Mp3));
        assert_eq!(sniff(b"\xff\xf1\x50\x80\0\0"), Some(AudioFormat::Aac));
        assert_eq!(sniff(b"ID3\x04\0\0\0\0\0\x02ab\xff\xfb\x90"), Some(AudioFormat::Mp3));
        assert_eq!(sniff(b"\0\0\0\x20ftypM4A \0\0\0\0"), Some(AudioFormat::Mp4));
        let mut ogg = b"OggS\0\x02".to_vec();
        ogg.resize(26, 0);
        ogg.push(1);
        ogg.push(19);
        let mut opus = ogg.clone();
        opus.extend_from_slice(b"OpusHead\x01\x01");
        assert_eq!(sniff(&opus), Some(AudioFormat::OggOpus));
        ogg.extend_from_slice(b"\x01vorbis\0\0");
        assert_eq!(sniff(&ogg), Some(AudioFormat::OggVorbis));
        for not in [
            &b""[..],
            b"Day la mot tep van ban, khong phai am thanh.\n",
            b"%PDF-1.7",
            b"\x89PNG\r\n\x1a\n",
            b"OggS\0\x02",
            b"ID3\x04\0\0\x7f\x7f\x7f\x7f",
            b"RIFF\0\0\0\0AVI ",
        ] {
            assert_eq!(sniff(not), None, "{not:?}");
        }
    }

    fn decode(bytes: Vec<u8>) -> (Result<Decoded, RecordingError>, Vec<u8>) {
        let mut out = Vec::new();
        let format = sniff(&bytes).unwrap_or(AudioFormat::Wav);
        (decode_to_wav(format, bytes, &mut out), out)
    }

    #[test]
    fn a_stereo_wav_becomes_a_mono_stream() {
        let (r, out) = decode(sine_wav(44_100, 2, 2.0, 0.5));
        let d = r.unwrap();
        assert_eq!(d.sample_rate, 44_100);
        assert!((d.seconds - 2.0).abs() < 0.01, "{}", d.seconds);
        assert_eq!(&out[..44], &wav_stream_header(44_100));
        assert_eq!(out.len() - 44, 44_100 * 2 * 2);
        // The sine survives the downmix: a quarter period in, near the amplitude.
        let at = 44 + 2 * (44_100 / 440 / 4);
        let v = i16::from_le_bytes([out[at], out[at + 1]]);
        assert!((15_000..=17_000).contains(&v), "{v}");
    }

    #[test]
    fn bad_recordings_are_refused_with_their_reason() {
        assert_eq!(decode(Vec::new()).0, Err(RecordingError::Empty));
        assert_eq!(decode(sine_wav(16_000, 1, 3.0, 0.0)).0, Err(RecordingError::Silent));
        assert_eq!(decode(sine_wav(16_000, 1, 0.5, 0.5)).0, Err(RecordingError::TooShort));
        let mut cut = sine_wav(16_000, 1, 3.0, 0.5);
        cut.truncate(cut.len() / 2);
        assert_eq!(decode(cut).0, Err(RecordingError::Truncated));
        assert_eq!(
            decode(sine_wav(100, 1, 3.0, 0.5)).0,
            Err(RecordingError::Unsupported("100 Hz".into()))
        );
        let mut junk = b"RIFF\0\0\0\0WAVE".to_vec();
        junk.extend_from_slice(&[0x5A; 4000]);
        assert!(decode(junk).0.is_err());
        assert_eq!(
            decode(vec![0; MAX_UPLOAD_BYTES + 1]).0,
            Err(RecordingError::TooLarge {
                size: MAX_UPLOAD_BYTES + 1
            })
        );
    }

    #[test]
    fn twenty_minutes_is_the_most() {
        // 8 kHz keeps the test small: 20 min 1 s is 19 MB.
        let (r, _) = decode(sine_wav(8000, 1, (MAX_SECONDS + 1) as f64, 0.3));
        assert!(
            matches!(r, Err(RecordingError::TooLong { seconds }) if seconds >= MAX_SECONDS),
            "{r:?}"
        );
    }

    #[test]
    fn a_stream_that_stops_taking_samples_stops_the_decoding() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("gone"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let r = decode_to_wav(AudioFormat::Wav, sine_wav(8000, 1, 2.0, 0.5), &mut Broken);
        assert!(matches!(r, Err(RecordingError::Output(_))), "{r:?}");
    }
}
