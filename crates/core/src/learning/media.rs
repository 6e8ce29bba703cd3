//! Files content authors attach to lessons: images and downloadable documents.
//!
//! An uploaded image is never served as it came. Its format is read from its first bytes (a file
//! name or a claimed content type is the uploader's word, not the file's), it is decoded under
//! hard limits, and what learners get is two JPEGs encoded here from the pixels alone: no EXIF
//! (a phone photo carries the place it was taken), no ICC or text chunks, and no bytes of the
//! upload that a browser could read as something else (a JPEG that is also HTML).
//!
//! A downloadable file is served as it came, so only its kind is checked: PDF, an Office Open XML
//! document (Word, Excel, PowerPoint, without macros) or plain UTF-8 text.
//!
//! Decoding a large photo takes CPU time: callers run [`prepare_image`] off the async workers.

use crate::i18n::Message;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::io::Cursor;

const MIB: usize = 1024 * 1024;

/// The largest image upload read at all; a larger one is refused by its length alone.
pub const MAX_IMAGE_UPLOAD_BYTES: usize = 10 * MIB;
/// The largest width or height an image may declare. Photos from phones are at most about
/// 4000 × 3000; 8000 leaves room for a scanned page or a panorama.
pub const MAX_IMAGE_SIDE: u32 = 8000;
/// The most memory a decoder may take. A file of a few kilobytes can declare a picture of
/// billions of pixels (a "decompression bomb"); this refuses it before the buffer is allocated.
pub const MAX_DECODED_BYTES: u64 = 256 * MIB as u64;
/// The width of the variant shown on a computer screen.
pub const FULL_WIDTH: u32 = 1280;
/// The width of the variant sent to phones: a few tens of kilobytes on a slow connection.
pub const PHONE_WIDTH: u32 = 480;
/// JPEG quality of both variants: no visible blocks in screenshots of forms at about a tenth of
/// the size of quality 95.
pub const JPEG_QUALITY: u8 = 75;
/// The largest downloadable file a lesson may carry.
pub const MAX_DOWNLOAD_BYTES: usize = 20 * MIB;

/// What is wrong with an uploaded file; [`MediaError::message`] says it in the reader's language
/// with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaError {
    /// An image longer than [`MAX_IMAGE_UPLOAD_BYTES`].
    ImageTooLarge { size: usize },
    /// Not JPEG, PNG, WebP or GIF by its first bytes (an SVG, a PDF, a text file named `.png`).
    NotImage,
    /// Wider or taller than [`MAX_IMAGE_SIDE`], or needing more than [`MAX_DECODED_BYTES`] to decode.
    ImageDimensions,
    /// The right first bytes, but the rest does not decode (cut short, damaged).
    ImageDamaged,
    /// The pixels decoded but could not be encoded again.
    ImageConvert,
    /// A downloadable file longer than [`MAX_DOWNLOAD_BYTES`].
    DownloadTooLarge { size: usize },
    /// Not a PDF, an Office document or plain text.
    DownloadKind,
}

impl MediaError {
    pub fn message(&self) -> Message {
        match self {
            MediaError::ImageTooLarge { size } => Message::new("err-learning-media-too-large")
                .arg("max", MAX_IMAGE_UPLOAD_BYTES / MIB)
                .arg("size", megabytes(*size)),
            MediaError::NotImage => Message::new("err-learning-media-not-image"),
            MediaError::ImageDimensions => Message::new("err-learning-media-dimensions").arg("max", MAX_IMAGE_SIDE),
            MediaError::ImageDamaged => Message::new("err-learning-media-damaged"),
            MediaError::ImageConvert => Message::new("err-learning-media-convert"),
            MediaError::DownloadTooLarge { size } => Message::new("err-learning-download-too-large")
                .arg("max", MAX_DOWNLOAD_BYTES / MIB)
                .arg("size", megabytes(*size)),
            MediaError::DownloadKind => Message::new("err-learning-download-kind"),
        }
    }
}

/// A size in whole megabytes, rounded up so a file just over the cap never reads as the cap itself
/// ("11", not "10"); whole numbers need no decimal separator, which differs between languages.
fn megabytes(bytes: usize) -> usize {
    bytes.div_ceil(MIB)
}

impl std::fmt::Display for MediaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for MediaError {}

/// The image formats accepted from authors, as their first bytes show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
    WebP,
    Gif,
}

impl ImageKind {
    /// The format by its magic bytes; `None` for everything else, SVG included (an SVG is a
    /// document that may carry scripts, not a picture).
    pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageKind::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageKind::Png)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(ImageKind::WebP)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(ImageKind::Gif)
        } else {
            None
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            ImageKind::Jpeg => ImageFormat::Jpeg,
            ImageKind::Png => ImageFormat::Png,
            ImageKind::WebP => ImageFormat::WebP,
            ImageKind::Gif => ImageFormat::Gif,
        }
    }
}

/// One re-encoded size of an image: a baseline JPEG without metadata.
#[derive(Clone, PartialEq, Eq)]
pub struct ImageVariant {
    pub width: u32,
    pub height: u32,
    pub jpeg: Vec<u8>,
}

impl std::fmt::Debug for ImageVariant {
    // The bytes by their count: a failed assertion prints the sizes, not a page of numbers.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageVariant")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("jpeg_bytes", &self.jpeg.len())
            .finish()
    }
}

/// An uploaded image made ready to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedImage {
    /// The format the upload really was.
    pub source: ImageKind,
    /// SHA-256 of the upload as it came, lowercase hex: the same picture uploaded twice is
    /// stored once, and the audit trail can name what an author sent.
    pub sha256: String,
    /// At most [`FULL_WIDTH`] wide.
    pub full: ImageVariant,
    /// At most [`PHONE_WIDTH`] wide.
    pub phone: ImageVariant,
}

/// Checks an uploaded image and re-encodes it as the two variants lessons show.
pub fn prepare_image(bytes: &[u8]) -> Result<PreparedImage, MediaError> {
    if bytes.len() > MAX_IMAGE_UPLOAD_BYTES {
        return Err(MediaError::ImageTooLarge { size: bytes.len() });
    }
    let kind = ImageKind::sniff(bytes).ok_or(MediaError::NotImage)?;
    let pixels = flatten(decode(bytes, kind)?);
    let full_pixels = scale(&pixels, FULL_WIDTH);
    let full = variant(&full_pixels)?;
    // Scaled from the full variant rather than the original: less work for a large photo, and
    // 1280 → 480 loses nothing visible.
    let phone = variant(&scale(&full_pixels, PHONE_WIDTH))?;
    Ok(PreparedImage {
        source: kind,
        sha256: hex::encode(Sha256::digest(bytes)),
        full,
        phone,
    })
}

fn limits() -> Limits {
    // `Limits` is non-exhaustive: set the fields of its default rather than build one.
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits
}

fn decode(bytes: &[u8], kind: ImageKind) -> Result<DynamicImage, MediaError> {
    // The JPEG decoder fills a picture cut short with grey rather than fail; an upload that
    // stopped halfway would be published half grey.
    if kind == ImageKind::Jpeg && !jpeg_has_end(bytes) {
        return Err(MediaError::ImageDamaged);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(limits());
    // The header alone is read here; the declared size is checked against the limits before
    // any pixel buffer exists.
    let mut decoder = reader.into_decoder().map_err(image_error)?;
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(MediaError::ImageDimensions);
    }
    // The orientation lives in the EXIF that is about to be dropped: applied now, or a phone
    // photo taken upright would be shown lying on its side. A damaged EXIF block is no reason
    // to refuse the picture.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(image_error)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Whether a JPEG has its end-of-image marker after its first scan. The segments before the scan
/// are walked by their lengths, because an EXIF thumbnail inside them is a whole JPEG with an end
/// marker of its own; within scan data a 0xFF byte is always followed by 0x00 or a restart
/// marker, so FF D9 there is the real end.
fn jpeg_has_end(bytes: &[u8]) -> bool {
    let mut at = 2;
    loop {
        // A marker may be preceded by any number of 0xFF fill bytes.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if bytes.get(at) != Some(&0xFF) {
            return false;
        }
        match bytes.get(at + 1) {
            Some(0xDA) => break,
            Some(0xD9) | None => return false,
            Some(_) => {}
        }
        let Some(&[high, low]) = bytes.get(at + 2..at + 4) else {
            return false;
        };
        at += 2 + usize::from(u16::from_be_bytes([high, low]));
    }
    bytes[at..].windows(2).any(|w| w == [0xFF, 0xD9])
}

fn image_error(e: ImageError) -> MediaError {
    match e {
        ImageError::Limits(_) => MediaError::ImageDimensions,
        ImageError::Unsupported(_) => MediaError::NotImage,
        _ => MediaError::ImageDamaged,
    }
}

/// RGB pixels; a transparent area becomes white, as the lesson page behind it is, rather than
/// the black JPEG would otherwise make of it.
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        let alpha = u32::from(px[3]);
        for c in 0..3 {
            let blended = (u32::from(px[c]) * alpha + 255 * (255 - alpha) + 127) / 255;
            // At most 255 by construction: a weighted mean of two values ≤ 255.
            out[c] = u8::try_from(blended).unwrap_or(u8::MAX);
        }
    }
    rgb
}

/// The picture at most `max_width` wide, its proportions kept; a narrower one is left as it is
/// (enlarging adds bytes, not detail).
fn scale(pixels: &RgbImage, max_width: u32) -> Cow<'_, RgbImage> {
    let (width, height) = pixels.dimensions();
    if width <= max_width {
        return Cow::Borrowed(pixels);
    }
    let scaled = u64::from(height) * u64::from(max_width) / u64::from(width);
    let new_height = u32::try_from(scaled).unwrap_or(u32::MAX).max(1);
    Cow::Owned(image::imageops::resize(
        pixels,
        max_width,
        new_height,
        FilterType::Triangle,
    ))
}

fn variant(pixels: &RgbImage) -> Result<ImageVariant, MediaError> {
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode_image(pixels)
        .map_err(|_| MediaError::ImageConvert)?;
    Ok(ImageVariant {
        width: pixels.width(),
        height: pixels.height(),
        jpeg,
    })
}

/// A kind of file a lesson may offer for download.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DownloadKind {
    Pdf,
    Docx,
    Xlsx,
    Pptx,
    Text,
}

impl DownloadKind {
    pub const ALL: [DownloadKind; 5] = [
        DownloadKind::Pdf,
        DownloadKind::Docx,
        DownloadKind::Xlsx,
        DownloadKind::Pptx,
        DownloadKind::Text,
    ];

    pub fn extension(self) -> &'static str {
        match self {
            DownloadKind::Pdf => "pdf",
            DownloadKind::Docx => "docx",
            DownloadKind::Xlsx => "xlsx",
            DownloadKind::Pptx => "pptx",
            DownloadKind::Text => "txt",
        }
    }

    /// The `Content-Type` to serve it with: taken from what the file is, never from the upload.
    pub fn content_type(self) -> &'static str {
        match self {
            DownloadKind::Pdf => "application/pdf",
            DownloadKind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            DownloadKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            DownloadKind::Pptx => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            DownloadKind::Text => "text/plain; charset=utf-8",
        }
    }
}

/// The kind of a downloadable file, or `None` for a file a lesson may not offer (too large, an
/// executable, an archive, anything else). [`check_download`] says why.
pub fn sniff_download(bytes: &[u8]) -> Option<DownloadKind> {
    check_download(bytes).ok()
}

/// [`sniff_download`] with the reason a file is refused.
pub fn check_download(bytes: &[u8]) -> Result<DownloadKind, MediaError> {
    if bytes.len() > MAX_DOWNLOAD_BYTES {
        return Err(MediaError::DownloadTooLarge { size: bytes.len() });
    }
    if bytes.starts_with(b"%PDF-") {
        Ok(DownloadKind::Pdf)
    } else if bytes.starts_with(b"PK\x03\x04") {
        office_kind(bytes).ok_or(MediaError::DownloadKind)
    } else if is_plain_text(bytes) {
        Ok(DownloadKind::Text)
    } else {
        Err(MediaError::DownloadKind)
    }
}

/// An Office Open XML package by the parts it lists: `[Content_Types].xml` and the folder of one
/// application. A JAR, an APK or any other zip has neither; a macro project (`vbaProject.bin`,
/// a .docm renamed .docx) is refused, as a lesson never needs code run on a learner's computer.
fn office_kind(bytes: &[u8]) -> Option<DownloadKind> {
    // Only the central directory is read: names, no decompression. Raw names: the parts looked
    // for are ASCII, and a name in another encoding is simply not one of them.
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut types = false;
    let mut found = None;
    for name in archive.file_names_raw() {
        if name.ends_with(b"vbaProject.bin") {
            return None;
        }
        types |= name == b"[Content_Types].xml";
        let kind = if name.starts_with(b"word/") {
            DownloadKind::Docx
        } else if name.starts_with(b"xl/") {
            DownloadKind::Xlsx
        } else if name.starts_with(b"ppt/") {
            DownloadKind::Pptx
        } else {
            continue;
        };
        // A package claiming to be two documents at once is not one Office wrote.
        if found.is_some_and(|k| k != kind) {
            return None;
        }
        found = Some(kind);
    }
    found.filter(|_| types)
}

/// UTF-8 (a byte order mark allowed), not empty, no control characters but tab, line breaks and
/// form feed (which also refuses every binary: ELF and PE headers hold NULs), and no `#!` line
/// (a script is a program, whatever it is named).
fn is_plain_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    !text.trim().is_empty()
        && !text.starts_with("#!")
        && !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
}

/// An upload made ready to store: an image's two JPEGs, or a download as it came.
#[derive(Debug)]
pub enum Prepared {
    Image(PreparedImage),
    File { kind: DownloadKind, sha256: String },
}

impl Prepared {
    pub fn kind(&self) -> MediaKind {
        match self {
            Prepared::Image(_) => MediaKind::Image,
            Prepared::File { kind, .. } => MediaKind::File(*kind),
        }
    }
}

/// Extensions of pictures: an upload so named must decode as an image, or it is refused as one
/// that only claims to be (never kept as a "text file" called `anh.png`).
const IMAGE_EXTENSIONS: [&str; 10] = ["jpg", "jpeg", "png", "gif", "webp", "svg", "bmp", "heic", "tif", "tiff"];

/// What an author's upload is, by its bytes: an image (prepared as [`prepare_image`] does) or a
/// download ([`check_download`]). Slow for a large photo: run it off the async workers.
pub fn prepare_upload(upload_name: &str, bytes: &[u8]) -> Result<Prepared, MediaError> {
    if ImageKind::sniff(bytes).is_some() {
        return prepare_image(bytes).map(Prepared::Image);
    }
    let ext = upload_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if ext.is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str())) {
        return Err(if bytes.len() > MAX_IMAGE_UPLOAD_BYTES {
            MediaError::ImageTooLarge { size: bytes.len() }
        } else {
            MediaError::NotImage
        });
    }
    let kind = check_download(bytes)?;
    Ok(Prepared::File {
        kind,
        sha256: hex::encode(Sha256::digest(bytes)),
    })
}

/// How a lesson names one of its course's files: `media/<name>` (`![Màn hình VNeID](media/vneid.jpg)`,
/// `[Mẫu tờ khai](media/to-khai.pdf)`). The same path holds the file in a course package.
pub const MEDIA_DIR: &str = "media/";
/// The longest stored name's stem (before the extension).
pub const MAX_NAME_STEM: usize = 60;
/// The most files one course may hold.
pub const MAX_COURSE_MEDIA: usize = 200;
/// The most bytes a course's files may take together: its package (text and files) stays under
/// [`super::MAX_PACKAGE_BYTES`], so any course exported can be imported again.
pub const MAX_COURSE_MEDIA_BYTES: u64 = 48 * 1024 * 1024;

/// What a stored file is to a lesson: a picture shown in the text, or a file offered for download.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Image,
    File(DownloadKind),
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::File(k) => k.extension(),
        }
    }

    pub fn parse(s: &str) -> Option<MediaKind> {
        match s {
            "image" => Some(MediaKind::Image),
            _ => DownloadKind::ALL
                .into_iter()
                .find(|k| k.extension() == s)
                .map(MediaKind::File),
        }
    }

    /// The extension its stored name ends with: every image is stored as JPEG.
    pub fn extension(self) -> &'static str {
        match self {
            MediaKind::Image => "jpg",
            MediaKind::File(k) => k.extension(),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            MediaKind::Image => "image/jpeg",
            MediaKind::File(k) => k.content_type(),
        }
    }
}

/// The name a course stores an upload under, from the name it came with: the last part of the
/// path, without diacritics, lower case, anything but letters and digits a hyphen, the extension
/// the stored kind's ("Ảnh chụp màn hình (2).PNG" → "anh-chup-man-hinh-2.jpg"). A name that keeps
/// nothing becomes "tep". Such a name needs no escaping in Markdown, a URL or a zip.
pub fn stored_name(upload_name: &str, kind: MediaKind) -> String {
    let last = upload_name.rsplit(['/', '\\']).next().unwrap_or(upload_name);
    let stem = match last.rfind('.') {
        Some(dot) if dot > 0 => &last[..dot],
        _ => last,
    };
    let folded = crate::text::fold(stem);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut stem: String = out.chars().take(MAX_NAME_STEM).collect();
    while stem.ends_with('-') {
        stem.pop();
    }
    if stem.is_empty() {
        stem.push_str("tep");
    }
    format!("{stem}.{}", kind.extension())
}

/// The same name with "-2", "-3" … before the extension: for an upload whose name the course
/// already holds (an earlier file is never replaced under a lesson that shows it).
pub fn numbered_name(name: &str, n: usize) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}-{n}.{ext}"),
        None => format!("{name}-{n}"),
    }
}

/// Whether `name` is one [`stored_name`] could have made: what a lesson or a package may name.
pub fn is_stored_name(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && stem.len() <= MAX_NAME_STEM + 8
        && stem
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !stem.starts_with('-')
        && ["jpg", "pdf", "docx", "xlsx", "pptx", "txt"].contains(&ext)
}

/// One file a course holds, as a lesson shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shelved {
    pub kind: MediaKind,
    /// An image's size as shown on a computer (the full variant), so the page keeps its room
    /// before the picture arrives; 0 for a download.
    pub width: u32,
    pub height: u32,
    /// The stored bytes (a download's, or the full image's).
    pub bytes: u64,
}

/// The files of one course a lesson may show, and where the site serves them. Lesson Markdown is
/// rendered and checked against it: an image or a link to `media/<name>` that the course does not
/// hold is a problem when the author saves, and plain text when it is shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Shelf {
    /// The address the files are served under, ending with `/` (`/learn/<course>/media/`).
    base: String,
    items: std::collections::BTreeMap<String, Shelved>,
}

impl Shelf {
    /// A course with no files (what lessons without media are rendered with).
    pub fn empty() -> Shelf {
        Shelf::default()
    }

    pub fn new(base: impl Into<String>) -> Shelf {
        Shelf {
            base: base.into(),
            items: Default::default(),
        }
    }

    pub fn with(mut self, name: impl Into<String>, item: Shelved) -> Shelf {
        self.items.insert(name.into(), item);
        self
    }

    pub fn insert(&mut self, name: impl Into<String>, item: Shelved) {
        self.items.insert(name.into(), item);
    }

    /// The file a lesson's address names (`media/<name>`), when the course holds it.
    pub fn get(&self, url: &str) -> Option<(&str, &Shelved)> {
        let name = url.strip_prefix(MEDIA_DIR)?;
        self.items.get_key_value(name).map(|(k, v)| (k.as_str(), v))
    }

    /// Where the site serves the file (the full image, or the download).
    pub fn href(&self, name: &str) -> String {
        format!("{}{name}", self.base)
    }

    /// Where the site serves the phone-sized variant of an image.
    pub fn phone_href(&self, name: &str) -> String {
        format!("{}{name}?w={PHONE_WIDTH}", self.base)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::png::PngEncoder;
    use image::{ImageEncoder, Rgb, RgbaImage};
    use std::io::Write;

    /// A picture with detail (a gradient), so the encoders have something to compress.
    fn gradient(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        })
    }

    fn png_of(width: u32, height: u32, alpha: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let encoder = PngEncoder::new(&mut out);
        if alpha {
            // Left half fully transparent black, right half opaque black.
            let img = RgbaImage::from_fn(width, height, |x, _| {
                image::Rgba([0, 0, 0, if x < width / 2 { 0 } else { 255 }])
            });
            encoder
                .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgba8)
                .unwrap();
        } else {
            let img = gradient(width, height);
            encoder
                .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
                .unwrap();
        }
        out
    }

    /// A JPEG carrying EXIF: an orientation (rotate 90° clockwise) and a GPS-like marker string
    /// that must not survive.
    fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
        // Little-endian TIFF, one IFD entry: Orientation (0x0112), SHORT, count 1, value 6.
        let mut exif = b"II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x06\0\0\0\0\0\0\0".to_vec();
        exif.extend_from_slice(b"GPS 21.0285N 105.8542E");
        let mut out = Vec::new();
        let mut encoder = JpegEncoder::new_with_quality(&mut out, 90);
        encoder.set_exif_metadata(exif).unwrap();
        encoder.encode_image(&gradient(width, height)).unwrap();
        out
    }

    fn is_jpeg_without_metadata(bytes: &[u8]) {
        assert_eq!(ImageKind::sniff(bytes), Some(ImageKind::Jpeg));
        assert!(image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).is_ok());
        // APP1 is where EXIF and XMP live; APP2 holds ICC profiles.
        assert!(!bytes.windows(2).any(|w| w == [0xFF, 0xE1] || w == [0xFF, 0xE2]));
        assert!(!bytes.windows(4).any(|w| w == b"Exif"));
        assert!(!bytes.windows(3).any(|w| w == b"GPS"));
    }

    #[test]
    fn png_becomes_two_jpegs_of_the_right_widths() {
        let png = png_of(2000, 1000, false);
        let prepared = prepare_image(&png).unwrap();
        assert_eq!(prepared.source, ImageKind::Png);
        assert_eq!((prepared.full.width, prepared.full.height), (1280, 640));
        assert_eq!((prepared.phone.width, prepared.phone.height), (480, 240));
        is_jpeg_without_metadata(&prepared.full.jpeg);
        is_jpeg_without_metadata(&prepared.phone.jpeg);
        assert!(prepared.phone.jpeg.len() < prepared.full.jpeg.len());
        assert_eq!(prepared.sha256, hex::encode(Sha256::digest(&png)));
        assert_eq!(prepared.sha256.len(), 64);
    }

    #[test]
    fn jpeg_loses_its_exif_and_is_turned_upright() {
        let jpeg = jpeg_with_exif(600, 300);
        assert!(jpeg.windows(3).any(|w| w == b"GPS"), "the input carries the marker");
        let prepared = prepare_image(&jpeg).unwrap();
        assert_eq!(prepared.source, ImageKind::Jpeg);
        // Orientation 6: the 600 × 300 sensor image is a 300 × 600 portrait. Narrower than
        // 1280, so the full variant keeps its size; the phone variant is 480 wide.
        assert_eq!((prepared.full.width, prepared.full.height), (300, 600));
        assert_eq!((prepared.phone.width, prepared.phone.height), (300, 600));
        is_jpeg_without_metadata(&prepared.full.jpeg);
        is_jpeg_without_metadata(&prepared.phone.jpeg);
    }

    #[test]
    fn transparency_becomes_white() {
        let prepared = prepare_image(&png_of(100, 10, true)).unwrap();
        let img = image::load_from_memory(&prepared.full.jpeg).unwrap().into_rgb8();
        let (left, right) = (img.get_pixel(10, 5), img.get_pixel(90, 5));
        assert!(left.0.iter().all(|&c| c > 240), "transparent → white: {left:?}");
        assert!(right.0.iter().all(|&c| c < 15), "opaque black stays black: {right:?}");
    }

    #[test]
    fn webp_gif_and_tiny_images() {
        let mut webp = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .encode(gradient(1600, 900).as_raw(), 1600, 900, image::ExtendedColorType::Rgb8)
            .unwrap();
        let prepared = prepare_image(&webp).unwrap();
        assert_eq!(prepared.source, ImageKind::WebP);
        assert_eq!((prepared.full.width, prepared.full.height), (1280, 720));
        assert_eq!((prepared.phone.width, prepared.phone.height), (480, 270));
        is_jpeg_without_metadata(&prepared.phone.jpeg);
        let mut gif = Vec::new();
        {
            let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
            let frame = image::Frame::new(RgbaImage::from_pixel(3, 2, image::Rgba([255, 0, 0, 255])));
            encoder.encode_frame(frame).unwrap();
        }
        let prepared = prepare_image(&gif).unwrap();
        assert_eq!(prepared.source, ImageKind::Gif);
        assert_eq!((prepared.phone.width, prepared.phone.height), (3, 2));
        // One pixel wide and very tall stays at least one pixel high when scaled down.
        let prepared = prepare_image(&png_of(5000, 1, false)).unwrap();
        assert_eq!((prepared.full.width, prepared.full.height), (1280, 1));
    }

    #[test]
    fn too_large_is_refused_by_length_without_decoding() {
        // A valid PNG start so that only the length can be the reason.
        let mut big = png_of(10, 10, false);
        big.resize(60_000_000, 0);
        assert_eq!(prepare_image(&big), Err(MediaError::ImageTooLarge { size: 60_000_000 }));
        let just_over = vec![0; MAX_IMAGE_UPLOAD_BYTES + 1];
        let e = prepare_image(&just_over).unwrap_err();
        assert_eq!(
            e,
            MediaError::ImageTooLarge {
                size: MAX_IMAGE_UPLOAD_BYTES + 1
            }
        );
        assert_eq!(
            e.message().args,
            [("max".into(), "10".into()), ("size".into(), "11".into())]
        );
        assert_eq!(
            e.message().render(crate::i18n::Lang::Vi),
            "Ảnh lớn hơn 10 MB (tệp này 11 MB). Hãy chọn ảnh nhỏ hơn hoặc chụp lại ở độ phân giải thấp hơn."
        );
    }

    #[test]
    fn not_images_are_refused_whatever_they_are_called() {
        // A text file an author named photo.png: the name never reaches this function, and the
        // bytes say it is text.
        assert_eq!(prepare_image(b"just some notes\n"), Err(MediaError::NotImage));
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>"#;
        assert_eq!(prepare_image(svg), Err(MediaError::NotImage));
        assert_eq!(prepare_image(b"<svg onload=alert(1)>"), Err(MediaError::NotImage));
        assert_eq!(prepare_image(b"%PDF-1.7\n"), Err(MediaError::NotImage));
        assert_eq!(prepare_image(b""), Err(MediaError::NotImage));
        assert_eq!(prepare_image(b"RIFF\0\0\0\0WAVEfmt "), Err(MediaError::NotImage));
        assert_eq!(
            MediaError::NotImage.message().render(crate::i18n::Lang::Vi),
            "Tệp không phải ảnh JPEG, PNG hay WebP. Hãy chọn một tệp ảnh chụp hoặc ảnh màn hình."
        );
    }

    /// A PNG whose header declares 100000 × 100000 pixels (40 GB as RGBA) in a few dozen bytes.
    #[test]
    fn declared_huge_png_is_refused_quickly() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        // A compressed stream of zeros would follow in a real bomb; the header is enough.
        png.write_all(b"\0\0\0\0IEND\xae\x42\x60\x82").unwrap();
        // Refused from the header: a decode of 100,000 × 100,000 pixels would need 40 GB.
        assert_eq!(prepare_image(&png), Err(MediaError::ImageDimensions));
        // A real picture past the side limit, small as a file, is refused the same way.
        assert_eq!(prepare_image(&png_of(9000, 1, false)), Err(MediaError::ImageDimensions));
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn damaged_images_are_refused_without_panic() {
        let jpeg = jpeg_with_exif(200, 100);
        for cut in [3, 20, 200, jpeg.len() / 2] {
            let e = prepare_image(&jpeg[..cut]).unwrap_err();
            assert!(
                matches!(e, MediaError::ImageDamaged | MediaError::ImageConvert),
                "{cut}: {e:?}"
            );
        }
        let png = png_of(200, 100, false);
        assert_eq!(prepare_image(&png[..png.len() / 2]), Err(MediaError::ImageDamaged));
        let mut garbage = png.clone();
        for b in garbage.iter_mut().skip(40) {
            *b ^= 0x5A;
        }
        assert_eq!(prepare_image(&garbage), Err(MediaError::ImageDamaged));
    }

    fn zip_of(names: &[&str]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        for name in names {
            zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(b"<x/>").unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn downloads_by_what_they_are() {
        assert_eq!(
            sniff_download(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
            Some(DownloadKind::Pdf)
        );
        let office = |part: &str| zip_of(&["[Content_Types].xml", "_rels/.rels", part]);
        assert_eq!(sniff_download(&office("word/document.xml")), Some(DownloadKind::Docx));
        assert_eq!(sniff_download(&office("xl/workbook.xml")), Some(DownloadKind::Xlsx));
        assert_eq!(
            sniff_download(&office("ppt/presentation.xml")),
            Some(DownloadKind::Pptx)
        );
        let text = "Các bước gọi 113:\r\n\t1. Bình tĩnh\n".as_bytes();
        assert_eq!(sniff_download(text), Some(DownloadKind::Text));
        assert_eq!(sniff_download("\u{feff}Ghi chú".as_bytes()), Some(DownloadKind::Text));
        assert_eq!(DownloadKind::Docx.extension(), "docx");
        assert!(DownloadKind::Text.content_type().starts_with("text/plain"));
    }

    #[test]
    fn downloads_refused() {
        let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0";
        let pe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";
        let refused: [&[u8]; 8] = [
            elf,
            pe,
            b"#!/bin/sh\nrm -rf ~\n",
            b"",
            b"  \n",
            b"\xff\xfeh\0i\0",
            b"text with a NUL\0 inside",
            &png_of(4, 4, false),
        ];
        for bytes in refused {
            assert_eq!(sniff_download(bytes), None, "{:?}", &bytes[..bytes.len().min(8)]);
        }
        // Zips that are not Office documents.
        for names in [
            &["META-INF/MANIFEST.MF", "a.class"][..],
            &["word/document.xml"],
            &["[Content_Types].xml", "word/document.xml", "xl/workbook.xml"],
            &["[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"],
        ] {
            assert_eq!(
                check_download(&zip_of(names)),
                Err(MediaError::DownloadKind),
                "{names:?}"
            );
        }
        assert_eq!(sniff_download(b"PK\x03\x04 not really a zip"), None);
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(MAX_DOWNLOAD_BYTES + 1, b' ');
        assert_eq!(
            check_download(&big),
            Err(MediaError::DownloadTooLarge {
                size: MAX_DOWNLOAD_BYTES + 1
            })
        );
        assert_eq!(sniff_download(&big), None);
    }

    #[test]
    fn stored_names_are_plain() {
        let image = MediaKind::Image;
        let pdf = MediaKind::File(DownloadKind::Pdf);
        assert_eq!(
            stored_name("Ảnh chụp màn hình (2).PNG", image),
            "anh-chup-man-hinh-2.jpg"
        );
        assert_eq!(stored_name("C:\\Users\\Lan\\Tờ khai.pdf", pdf), "to-khai.pdf");
        assert_eq!(stored_name("../../etc/passwd", pdf), "passwd.pdf");
        assert_eq!(stored_name("Đơn ĐĂNG KÝ", pdf), "don-dang-ky.pdf");
        assert_eq!(stored_name("", image), "tep.jpg");
        assert_eq!(stored_name("???.png", image), "tep.jpg");
        assert_eq!(stored_name(".bashrc", pdf), "bashrc.pdf");
        assert_eq!(stored_name("<script>.png", image), "script.jpg");
        let long = stored_name(&"ả".repeat(500), image);
        assert_eq!(long, format!("{}.jpg", "a".repeat(MAX_NAME_STEM)));
        for name in [
            "anh-chup-man-hinh-2.jpg",
            "to-khai.pdf",
            "tep.jpg",
            &long,
            &numbered_name(&long, 200),
        ] {
            assert!(is_stored_name(name), "{name}");
        }
        for name in [
            "", ".jpg", "a.exe", "A.jpg", "a b.jpg", "../a.jpg", "a.jpg/x", "-a.jpg", "a.svg", "a",
        ] {
            assert!(!is_stored_name(name), "{name}");
        }
        assert_eq!(numbered_name("to-khai.pdf", 2), "to-khai-2.pdf");
        for k in [image, pdf, MediaKind::File(DownloadKind::Text)] {
            assert_eq!(MediaKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(MediaKind::parse("svg"), None);
    }

    #[test]
    fn uploads_are_what_their_bytes_are() {
        let png = {
            let mut out = Vec::new();
            image::DynamicImage::new_rgb8(10, 10)
                .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
                .unwrap();
            out
        };
        assert_eq!(prepare_upload("whatever.pdf", &png).unwrap().kind(), MediaKind::Image);
        let pdf = b"%PDF-1.4\n%...".to_vec();
        assert_eq!(
            prepare_upload("to khai.pdf", &pdf).unwrap().kind(),
            MediaKind::File(DownloadKind::Pdf)
        );
        // Text that claims to be a picture is refused as a picture, not kept as text.
        for name in ["anh.png", "ANH.JPG", "a.svg", "x.webp"] {
            assert_eq!(
                prepare_upload(name, b"hello").unwrap_err(),
                MediaError::NotImage,
                "{name}"
            );
        }
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        assert_eq!(prepare_upload("a.svg", svg).unwrap_err(), MediaError::NotImage);
        assert_eq!(
            prepare_upload("a.txt", svg).unwrap().kind(),
            MediaKind::File(DownloadKind::Text)
        );
        assert_eq!(
            prepare_upload("big.png", &vec![0u8; 60 * MIB]).unwrap_err(),
            MediaError::ImageTooLarge { size: 60 * MIB }
        );
        assert_eq!(
            prepare_upload("a.exe", b"MZ\x90\x00\x03").unwrap_err(),
            MediaError::DownloadKind
        );
    }
}
