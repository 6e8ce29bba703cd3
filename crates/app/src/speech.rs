//! The audio version of a lesson: the lesson's plain text spoken by eSpeak NG (Debian package
//! `espeak-ng`) and compressed by `opusenc` (Debian package `opus-tools`) into Ogg Opus, mono
//! speech at 16 kbit/s, so a lesson of a few minutes is a few hundred kilobytes on a phone's data
//! plan.
//!
//! The text goes to eSpeak on its standard input and no shell is involved, so nothing in a
//! lesson is ever run as a command. The WAV between the two programs streams through this
//! process in small chunks (an hour of 22 kHz WAV would be 160 MB), which is also where its
//! length is counted for the duration.
//!
//! Only languages eSpeak has a voice for are spoken: a Jrai or Bahnar lesson read by the
//! Vietnamese voice would be nonsense to its learners, so it gets no audio rather than wrong
//! audio.

use std::io;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};

/// The longest text spoken: about an hour of speech, far beyond any lesson.
pub const MAX_TEXT_CHARS: usize = 60_000;
/// The largest audio kept; at 16 kbit/s this is over half an hour.
pub const MAX_AUDIO_BYTES: usize = 4 * 1024 * 1024;
/// How long one synthesis may take before both programs are killed.
pub const TIMEOUT: Duration = Duration::from_secs(120);
/// eSpeak's speed in words per minute: its default of 175 is hurried for learners reading along.
pub const WORDS_PER_MINUTE: u32 = 150;
/// Opus bitrate in kbit/s: speech stays clear at 16, and the size is what a learner pays for.
pub const BITRATE_KBPS: u32 = 16;

/// How much of a program's error output is kept for the error message.
const MAX_STDERR_BYTES: usize = 2000;
/// The WAV header is read from this many first bytes; eSpeak's is 44.
const MAX_WAV_HEAD_BYTES: usize = 4096;

/// A program this module runs and the Debian package that installs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    pub program: &'static str,
    pub package: &'static str,
}

pub const ESPEAK: Tool = Tool {
    program: "espeak-ng",
    package: "espeak-ng",
};
pub const OPUSENC: Tool = Tool {
    program: "opusenc",
    package: "opus-tools",
};
pub const OPUSDEC: Tool = Tool {
    program: "opusdec",
    package: "opus-tools",
};
/// The decoder inside this process (symphonia) that turns an author's recording into WAV: named
/// like the programs for the errors of reading its stream.
pub const DECODER: Tool = Tool {
    program: "symphonia",
    package: "hocvuso",
};

/// A spoken lesson.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    /// Ogg Opus, mono (`audio/ogg; codecs=opus`).
    pub ogg_opus: Vec<u8>,
    /// Seconds of speech, counted from the WAV before encoding.
    pub duration_secs: f64,
    /// What made it: audio made by an older eSpeak can be found and made again.
    pub tools: ToolVersions,
}

/// The first line of each program's `--version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolVersions {
    pub espeak_ng: String,
    pub opusenc: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    /// The content language has no voice (only `vi` and `en` do).
    #[error("no voice for content language {0:?}; audio is made for vi and en only")]
    NoVoice(String),
    #[error("the text to speak is empty")]
    Empty,
    #[error("the text has {chars} characters; at most {max} are spoken")]
    TooLong { chars: usize, max: usize },
    /// A program is not installed on the server.
    #[error("{} is not installed: install the Debian package {} (apt-get install {})", .0.program, .0.package, .0.package)]
    Missing(Tool),
    /// A program ended with an error; `stderr` is the start of what it said.
    #[error("{} failed ({status}): {stderr}", .tool.program)]
    Failed { tool: Tool, status: String, stderr: String },
    #[error("the audio is larger than {max} bytes")]
    TooLarge { max: usize },
    /// The sound lasts longer than the encoding allows.
    #[error("the audio lasts more than {max_secs} s")]
    TooLongAudio { max_secs: u64 },
    #[error("speech synthesis took longer than {} s and was stopped", .0.as_secs())]
    Timeout(Duration),
    #[error("{}: {source}", .tool.program)]
    Io { tool: Tool, source: io::Error },
}

/// The eSpeak voice of a content language.
pub fn voice(lang: &str) -> Option<&'static str> {
    match lang {
        "vi" => Some("vi"),
        "en" => Some("en"),
        _ => None,
    }
}

/// The limits of one synthesis: [`TIMEOUT`] and [`MAX_AUDIO_BYTES`], smaller in tests.
#[derive(Debug, Clone, Copy)]
struct Caps {
    timeout: Duration,
    max_audio_bytes: usize,
}

const CAPS: Caps = Caps {
    timeout: TIMEOUT,
    max_audio_bytes: MAX_AUDIO_BYTES,
};

/// Speaks `text` in content language `lang` and returns it as Ogg Opus. Runs two programs for up
/// to [`TIMEOUT`]; call it from background work, not while a learner waits.
pub async fn synthesize(text: &str, lang: &str) -> Result<Audio, SpeechError> {
    synthesize_within(text, lang, CAPS).await
}

async fn synthesize_within(text: &str, lang: &str, caps: Caps) -> Result<Audio, SpeechError> {
    let voice = voice(lang).ok_or_else(|| SpeechError::NoVoice(lang.to_string()))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(SpeechError::Empty);
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(SpeechError::TooLong {
            chars,
            max: MAX_TEXT_CHARS,
        });
    }
    let work = async {
        let tools = versions().await?;
        let (ogg_opus, duration_secs) = pipeline(text, voice, caps.max_audio_bytes).await?;
        Ok(Audio {
            ogg_opus,
            duration_secs,
            tools,
        })
    };
    // Dropping the future on timeout drops the children, and `kill_on_drop` kills them: no
    // eSpeak left running on a text that never ends.
    tokio::time::timeout(caps.timeout, work)
        .await
        .map_err(|_| SpeechError::Timeout(caps.timeout))?
}

/// Asked on every synthesis rather than remembered: an upgraded package is used by the next run
/// at once, and two short processes are nothing beside the synthesis.
async fn versions() -> Result<ToolVersions, SpeechError> {
    Ok(ToolVersions {
        espeak_ng: version(ESPEAK).await?,
        opusenc: version(OPUSENC).await?,
    })
}

pub async fn version(tool: Tool) -> Result<String, SpeechError> {
    let out = command(tool)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| spawn_error(tool, e))?;
    let text = String::from_utf8_lossy(&out.stdout);
    // eSpeak adds "  Data at: <folder>" to its version line; the folder is no version.
    let line = text.lines().next().unwrap_or_default();
    Ok(line.split("  Data at:").next().unwrap_or(line).trim().to_string())
}

fn command(tool: Tool) -> Command {
    let mut command = Command::new(tool.program);
    command.kill_on_drop(true);
    command
}

fn spawn_error(tool: Tool, e: io::Error) -> SpeechError {
    if e.kind() == io::ErrorKind::NotFound {
        SpeechError::Missing(tool)
    } else {
        SpeechError::Io { tool, source: e }
    }
}

/// A running program with its three pipes taken.
struct Running {
    tool: Tool,
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
    stderr: ChildStderr,
}

fn spawn(tool: Tool, args: &[&str]) -> Result<Running, SpeechError> {
    let mut child = command(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_error(tool, e))?;
    let not_piped = || SpeechError::Io {
        tool,
        source: io::Error::other("a standard stream was not piped"),
    };
    let stdin = child.stdin.take().ok_or_else(not_piped)?;
    let stdout = child.stdout.take().ok_or_else(not_piped)?;
    let stderr = child.stderr.take().ok_or_else(not_piped)?;
    Ok(Running {
        tool,
        child,
        stdin,
        stdout,
        stderr,
    })
}

/// eSpeak → (this process, counting) → [`encode`]. Returns the Ogg Opus bytes and the seconds of
/// speech.
async fn pipeline(text: &str, voice: &str, max_audio_bytes: usize) -> Result<(Vec<u8>, f64), SpeechError> {
    let rate = WORDS_PER_MINUTE.to_string();
    let caps = EncodeCaps {
        max_audio_bytes,
        max_seconds: None,
    };
    // `-b 1`: the text is UTF-8 whatever the server's locale says.
    let args = ["-v", voice, "-s", &rate, "-b", "1", "--stdin", "--stdout"];
    let encoded = piped(ESPEAK, &args, text.as_bytes(), caps).await?;
    Ok((encoded.ogg_opus, encoded.duration_secs))
}

/// An author's Ogg Opus recording, decoded by `opusdec` and encoded again by [`encode`], so that
/// what is stored is made at the platform's bitrate whatever the upload's was.
pub async fn reencode_ogg_opus(bytes: &[u8], caps: EncodeCaps) -> Result<Encoded, SpeechError> {
    piped(OPUSDEC, &["--quiet", "--force-wav", "-", "-"], bytes, caps).await
}

/// `tool` reading `input` on its standard input and writing WAV on its standard output, piped
/// into [`encode`].
async fn piped(tool: Tool, args: &[&str], input: &[u8], caps: EncodeCaps) -> Result<Encoded, SpeechError> {
    let mut first = spawn(tool, args)?;
    let feed = async {
        let mut stdin = first.stdin;
        stdin.write_all(input).await.map_err(io_error(tool))?;
        // Dropping stdin is the end of the input.
        Ok::<_, SpeechError>(())
    };
    // Error output is read all along: a program whose error pipe fills up would stop and wait.
    let (streamed, log) = tokio::join!(
        async {
            let streamed = tokio::try_join!(feed, encode(first.stdout, tool, caps));
            if streamed.is_err() {
                // Whatever went wrong, the first program has nothing left to do (and its error
                // output ends only when it does); one that already stopped keeps its own status.
                let _ = first.child.start_kill();
            }
            streamed
        },
        read_tail(first.stderr),
    );
    let done = finished(first.tool, &mut first.child, &log).await;
    match streamed {
        Ok((_, encoded)) => {
            done?;
            Ok(encoded)
        }
        Err(e @ (SpeechError::TooLarge { .. } | SpeechError::TooLongAudio { .. })) => Err(e),
        // A broken pipe means a program stopped early: the first, when it said why, is the cause.
        Err(e) => Err(match done {
            Err(f @ SpeechError::Failed { .. }) if said_why(&f) => f,
            _ => e,
        }),
    }
}

/// Limits of one encoding.
#[derive(Debug, Clone, Copy)]
pub struct EncodeCaps {
    /// The largest Ogg Opus kept.
    pub max_audio_bytes: usize,
    /// The longest sound encoded, counted from the WAV as it streams.
    pub max_seconds: Option<u64>,
}

/// What [`encode`] made.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    /// Ogg Opus, mono speech at [`BITRATE_KBPS`].
    pub ogg_opus: Vec<u8>,
    /// Seconds of sound, counted from the WAV before encoding.
    pub duration_secs: f64,
}

/// The one way audio becomes what learners download: a WAV stream (16-bit PCM at any rate, its
/// data size known or not) piped through `opusenc` as speech at [`BITRATE_KBPS`]. eSpeak's output
/// and an author's decoded recording both come through here. `source` names what writes the WAV,
/// for the error when reading it fails.
pub async fn encode(wav: impl AsyncRead + Unpin, source: Tool, caps: EncodeCaps) -> Result<Encoded, SpeechError> {
    let bitrate = BITRATE_KBPS.to_string();
    let mut opus = spawn(OPUSENC, &["--quiet", "--speech", "--bitrate", &bitrate, "-", "-"])?;
    let pump = pump_wav(wav, source, opus.stdin, caps.max_seconds);
    let collect = read_capped(opus.stdout, caps.max_audio_bytes);
    let (streamed, opus_log) = tokio::join!(
        async {
            let streamed = tokio::try_join!(pump, collect);
            if streamed.is_err() {
                let _ = opus.child.start_kill();
            }
            streamed
        },
        read_tail(opus.stderr),
    );
    let opus_done = finished(opus.tool, &mut opus.child, &opus_log).await;
    match streamed {
        Ok((wav, ogg)) => {
            opus_done?;
            let seconds = wav.duration_secs().ok_or_else(|| SpeechError::Failed {
                tool: source,
                status: "exit status: 0".into(),
                stderr: "its output is not a WAV file".into(),
            })?;
            Ok(Encoded {
                ogg_opus: ogg,
                duration_secs: seconds,
            })
        }
        Err(e @ (SpeechError::TooLarge { .. } | SpeechError::TooLongAudio { .. })) => Err(e),
        // opusenc, when it said why it stopped, is the cause; else what broke the stream.
        Err(e) => Err(match opus_done {
            Err(f @ SpeechError::Failed { .. }) if said_why(&f) => f,
            _ => e,
        }),
    }
}

fn said_why(e: &SpeechError) -> bool {
    matches!(e, SpeechError::Failed { stderr, .. } if !stderr.is_empty())
}

fn io_error(tool: Tool) -> impl Fn(io::Error) -> SpeechError {
    move |source| SpeechError::Io { tool, source }
}

async fn finished(tool: Tool, child: &mut Child, stderr: &str) -> Result<(), SpeechError> {
    let status = child.wait().await.map_err(io_error(tool))?;
    if status.success() {
        Ok(())
    } else {
        Err(SpeechError::Failed {
            tool,
            status: status.to_string(),
            stderr: stderr.trim().to_string(),
        })
    }
}

/// What went through the pump: the start of the WAV (its header) and its length.
#[derive(Debug, Default)]
struct WavTally {
    head: Vec<u8>,
    total: u64,
}

impl WavTally {
    /// The seconds of sound: bytes after the header over bytes per second. The header's own data
    /// size is no use: eSpeak writing to a pipe does not know it yet and puts 0x7FFFF000 there.
    fn duration_secs(&self) -> Option<f64> {
        let (byte_rate, data_start) = wav_layout(&self.head)?;
        let data = self.total.checked_sub(data_start)?;
        Some(data as f64 / f64::from(byte_rate))
    }
}

/// The byte rate from the `fmt ` chunk and where the `data` chunk's samples start.
fn wav_layout(head: &[u8]) -> Option<(u32, u64)> {
    if head.get(..4)? != b"RIFF" || head.get(8..12)? != b"WAVE" {
        return None;
    }
    let le32 = |at: usize| -> Option<u32> {
        let b = head.get(at..at + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let mut at = 12;
    let mut byte_rate = None;
    loop {
        let id = head.get(at..at + 4)?;
        let size = le32(at + 4)?;
        if id == b"fmt " {
            byte_rate = le32(at + 16).filter(|&r| r > 0);
        } else if id == b"data" {
            return Some((byte_rate?, u64::try_from(at + 8).ok()?));
        }
        // Chunks are padded to an even length.
        at = at
            .checked_add(8)?
            .checked_add(usize::try_from(size).ok()?.next_multiple_of(2))?;
    }
}

async fn pump_wav(
    mut from: impl AsyncRead + Unpin,
    source: Tool,
    mut to: ChildStdin,
    max_seconds: Option<u64>,
) -> Result<WavTally, SpeechError> {
    let mut tally = WavTally::default();
    let mut buf = vec![0u8; 64 * 1024];
    let mut layout = None;
    loop {
        let n = from.read(&mut buf).await.map_err(io_error(source))?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        let room = MAX_WAV_HEAD_BYTES.saturating_sub(tally.head.len());
        tally.head.extend_from_slice(&chunk[..room.min(n)]);
        tally.total += n as u64;
        if let Some(max) = max_seconds {
            if layout.is_none() {
                layout = wav_layout(&tally.head);
            }
            if let Some((byte_rate, start)) = layout
                && tally.total.saturating_sub(start) > max * u64::from(byte_rate)
            {
                return Err(SpeechError::TooLongAudio { max_secs: max });
            }
        }
        to.write_all(chunk).await.map_err(io_error(OPUSENC))?;
    }
    // Closing opusenc's input is what makes it finish the file.
    to.shutdown().await.map_err(io_error(OPUSENC))?;
    Ok(tally)
}

async fn read_capped(mut from: ChildStdout, max: usize) -> Result<Vec<u8>, SpeechError> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = from.read(&mut buf).await.map_err(io_error(OPUSENC))?;
        if n == 0 {
            return Ok(out);
        }
        if out.len() + n > max {
            return Err(SpeechError::TooLarge { max });
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// All of a stream read, its first [`MAX_STDERR_BYTES`] kept.
async fn read_tail(mut from: impl AsyncRead + Unpin) -> String {
    let mut kept = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let room = MAX_STDERR_BYTES.saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..room.min(n)]);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTALL: &str = "these tests run the real programs: apt-get install espeak-ng opus-tools";

    async fn speak(text: &str, lang: &str) -> Audio {
        synthesize(text, lang).await.unwrap_or_else(|e| match e {
            SpeechError::Missing(_) => panic!("{e}; {INSTALL}"),
            e => panic!("{e}"),
        })
    }

    /// The end of the stream by the granule position of its last Ogg page (48 kHz samples,
    /// less the encoder's pre-skip from OpusHead): the encoded audio's own length.
    fn ogg_seconds(ogg: &[u8]) -> f64 {
        let last = ogg.windows(4).rposition(|w| w == b"OggS").expect("an Ogg page");
        let granule = u64::from_le_bytes(ogg[last + 6..last + 14].try_into().unwrap());
        let head = ogg.windows(8).position(|w| w == b"OpusHead").expect("OpusHead");
        let pre_skip = u16::from_le_bytes([ogg[head + 10], ogg[head + 11]]);
        (granule - u64::from(pre_skip)) as f64 / 48_000.0
    }

    #[tokio::test]
    async fn vietnamese_lesson_becomes_small_ogg_opus() {
        let text = "Khi có người gọi điện xưng là công an và yêu cầu bạn chuyển tiền, \
                    hãy bình tĩnh. Cơ quan công an không làm việc qua điện thoại và không bao giờ \
                    yêu cầu chuyển tiền vào tài khoản tạm giữ. Hãy nói: tôi sẽ tự đến trụ sở để \
                    làm việc, rồi cúp máy. Sau đó, gọi cho người thân hoặc đến công an xã, phường \
                    nơi bạn ở để hỏi. Đừng đọc mã OTP cho bất kỳ ai, kể cả người xưng là nhân viên \
                    ngân hàng.";
        assert!((350..=450).contains(&text.chars().count()), "{}", text.chars().count());
        let audio = speak(text, "vi").await;
        assert!(audio.ogg_opus.starts_with(b"OggS"));
        assert!(audio.ogg_opus.windows(8).any(|w| w == b"OpusHead"));
        assert!(
            (10.0..=90.0).contains(&audio.duration_secs),
            "{} s",
            audio.duration_secs
        );
        assert!(audio.ogg_opus.len() < 300_000, "{} bytes", audio.ogg_opus.len());
        // The whole WAV was encoded: the Ogg stream ends where the speech does.
        let encoded = ogg_seconds(&audio.ogg_opus);
        assert!(
            (encoded - audio.duration_secs).abs() < 0.1,
            "{encoded} vs {}",
            audio.duration_secs
        );
        assert!(audio.tools.espeak_ng.contains("eSpeak NG"), "{:?}", audio.tools);
        assert!(audio.tools.opusenc.contains("opus-tools"), "{:?}", audio.tools);
        assert!(!audio.tools.espeak_ng.contains("Data at"));
    }

    #[tokio::test]
    async fn english_is_spoken_too() {
        let audio = speak("Never tell anyone the code the bank sends you.", "en").await;
        assert!(audio.ogg_opus.starts_with(b"OggS"));
        assert!((1.0..=10.0).contains(&audio.duration_secs), "{}", audio.duration_secs);
    }

    #[tokio::test]
    async fn languages_without_a_voice_get_no_audio() {
        for lang in ["jra", "bdq", "vi-VN", "", "fr"] {
            let e = synthesize("Xin chào", lang).await.unwrap_err();
            assert!(matches!(&e, SpeechError::NoVoice(l) if l == lang), "{lang}: {e}");
        }
    }

    #[tokio::test]
    async fn empty_and_overlong_texts_are_refused() {
        for text in ["", "  \n\t "] {
            assert!(matches!(synthesize(text, "vi").await, Err(SpeechError::Empty)));
        }
        let long = "a".repeat(MAX_TEXT_CHARS + 1);
        assert!(matches!(
            synthesize(&long, "vi").await,
            Err(SpeechError::TooLong { chars, max: MAX_TEXT_CHARS }) if chars == MAX_TEXT_CHARS + 1
        ));
    }

    #[tokio::test]
    async fn shell_syntax_is_spoken_not_run() {
        let dir = std::env::temp_dir().join(format!("hocvuso-speech-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let marker = dir.join("ran");
        let m = marker.display();
        let text = format!("Đừng chạy lệnh $(touch {m}); `touch {m}` | touch {m} && touch {m}; rm -rf /nothing");
        let audio = speak(&text, "vi").await;
        assert!(audio.duration_secs > 1.0, "{}", audio.duration_secs);
        assert!(!marker.exists(), "a command in the text was run");
        std::fs::remove_dir_all(&dir).unwrap();
        // A text starting with a dash is text, not an option.
        let audio = speak("--version -v en", "vi").await;
        assert!(audio.duration_secs > 0.5, "{}", audio.duration_secs);
    }

    #[tokio::test]
    async fn time_and_size_are_capped() {
        let long = "Một câu rất dài được đọc lên. ".repeat(1500);
        let caps = Caps {
            timeout: Duration::from_millis(300),
            ..CAPS
        };
        let e = synthesize_within(&long, "vi", caps).await.unwrap_err();
        // The Timeout error is the proof the cap stopped it (no clock asserted: a busy machine).
        assert!(matches!(e, SpeechError::Timeout(_)), "{e}");
        let caps = Caps {
            max_audio_bytes: 2_000,
            ..CAPS
        };
        let shorter: String = long.chars().take(2000).collect();
        let e = synthesize_within(&shorter, "vi", caps).await.unwrap_err();
        assert!(matches!(e, SpeechError::TooLarge { max: 2_000 }), "{e}");
    }

    #[tokio::test]
    async fn a_missing_program_names_its_package() {
        let tool = Tool {
            program: "hocvuso-no-such-program",
            package: "hocvuso-no-such-package",
        };
        let e = version(tool).await.unwrap_err();
        assert!(matches!(e, SpeechError::Missing(t) if t == tool), "{e}");
        assert!(e.to_string().contains("apt-get install hocvuso-no-such-package"), "{e}");
    }

    #[test]
    fn wav_layout_reads_the_header_espeak_writes() {
        // eSpeak's header to a pipe: 22050 Hz, mono, 16 bits, data size unknown (0x7FFFF000).
        let mut head =
            b"RIFF\x24\xf0\xff\x7fWAVEfmt \x10\0\0\0\x01\0\x01\0\x22\x56\0\0\x44\xac\0\0\x02\0\x10\0data\0\xf0\xff\x7f"
                .to_vec();
        assert_eq!(wav_layout(&head), Some((44_100, 44)));
        let tally = WavTally {
            head: head.clone(),
            total: 44 + 44_100 * 3,
        };
        assert_eq!(tally.duration_secs(), Some(3.0));
        // A LIST chunk before the data is skipped.
        head.splice(36..36, b"LIST\x03\0\0\0abc\0".iter().copied());
        assert_eq!(wav_layout(&head), Some((44_100, 56)));
        for bad in [&b""[..], b"RIFF", b"RIFF\0\0\0\0WAVEdata\0\0\0\0", &head[..30]] {
            assert_eq!(wav_layout(bad), None, "{bad:?}");
        }
        assert_eq!(WavTally { head, total: 10 }.duration_secs(), None);
    }
}
