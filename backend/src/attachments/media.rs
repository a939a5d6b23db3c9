//! What an uploaded file is, whatever its sender says, and the form it is kept in.
//!
//! Every upload is hostile: the type is sniffed from the bytes (JPEG, PNG, WebP, PDF and
//! nothing else), an image's declared size is checked from its header before any pixel
//! is allocated, and images are decoded and encoded again, so that no metadata (EXIF,
//! GPS, comments) and nothing appended after the picture survives. This is CPU work:
//! callers run it on the blocking pool.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};
use sha2::{Digest, Sha256};
use shared::attachments::{ContentType, MAX_PIXELS, THUMBNAIL_SIDE};

use crate::error::ApiError;

/// JPEG quality of stored photos: the browser already sent a scaled-down JPEG, so this
/// only has to avoid adding visible loss.
const JPEG_QUALITY: u8 = 85;
/// JPEG quality of thumbnails.
const THUMBNAIL_QUALITY: u8 = 75;
/// Longest side an image may declare, whatever its area (a strict limit of the decoders).
const MAX_SIDE: u32 = 20_000;

/// The kinds of file taken, as told by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// `FF D8 FF`.
    Jpeg,
    /// The 8-byte PNG signature.
    Png,
    /// `RIFF....WEBP`.
    WebP,
    /// `%PDF-`.
    Pdf,
}

/// What the bytes are; `None` for anything else (HTML, SVG, GIF, executables …).
pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Sniffed::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Sniffed::Png)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(Sniffed::WebP)
    } else if bytes.starts_with(b"%PDF-") {
        Some(Sniffed::Pdf)
    } else {
        None
    }
}

/// A file in the form it is stored.
#[derive(Debug, Clone)]
pub struct Processed {
    /// The stored type.
    pub content_type: ContentType,
    /// The stored bytes.
    pub bytes: Vec<u8>,
    /// A JPEG at most [`THUMBNAIL_SIDE`] pixels on its longest side (images only).
    pub thumbnail: Option<Vec<u8>>,
    /// Width and height in pixels (images only).
    pub size: Option<(u32, u32)>,
}

fn unsupported() -> ApiError {
    ApiError::field(
        "file",
        "unsupported_type",
        "send a JPEG, PNG or WebP picture or a PDF document",
    )
}

fn unreadable(why: impl std::fmt::Display) -> ApiError {
    ApiError::field(
        "file",
        "unreadable",
        format!("the file cannot be read: {why}"),
    )
}

fn too_large(w: u32, h: u32) -> ApiError {
    ApiError::field(
        "file",
        "image_too_large",
        format!(
            "the picture is {w} × {h} pixels; at most {} megapixels are taken",
            MAX_PIXELS / 1_000_000
        ),
    )
}

/// Sniffs, checks and re-encodes an upload: JPEG and WebP become JPEG, PNG stays PNG (a
/// scan or signature may need its sharp edges and transparency), a PDF is kept as sent.
pub fn process(upload: &[u8]) -> Result<Processed, ApiError> {
    let (format, out_type) = match sniff(upload).ok_or_else(unsupported)? {
        Sniffed::Pdf => return pdf(upload),
        Sniffed::Jpeg => (ImageFormat::Jpeg, ContentType::Jpeg),
        Sniffed::WebP => (ImageFormat::WebP, ContentType::Jpeg),
        Sniffed::Png => (ImageFormat::Png, ContentType::Png),
    };
    let image = decode(upload, format)?;
    let (w, h) = (image.width(), image.height());
    let bytes = match out_type {
        ContentType::Png => {
            let mut out = Vec::new();
            image
                .write_with_encoder(PngEncoder::new_with_quality(
                    &mut out,
                    CompressionType::Default,
                    FilterType::Adaptive,
                ))
                .map_err(|e| ApiError::Internal(e.into()))?;
            out
        }
        _ => jpeg(&flatten(&image), JPEG_QUALITY)?,
    };
    let thumbnail = jpeg(
        &flatten(&image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)),
        THUMBNAIL_QUALITY,
    )?;
    Ok(Processed {
        content_type: out_type,
        bytes,
        thumbnail: Some(thumbnail),
        size: Some((w, h)),
    })
}

/// Decodes with the area checked from the header first: a "decompression bomb" (a few
/// kilobytes declaring a huge picture) is refused before its pixels are allocated. The
/// decoders' own limits (side length, allocation) stand behind that check.
fn decode(upload: &[u8], format: ImageFormat) -> Result<DynamicImage, ApiError> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // Four bytes a pixel (RGBA) plus room for the decoder's own buffers.
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    let mut reader = ImageReader::with_format(Cursor::new(upload), format);
    reader.limits(limits);
    let refused = |e: ImageError| match e {
        ImageError::Limits(_) => ApiError::field(
            "file",
            "image_too_large",
            format!(
                "the picture is larger than {} megapixels or {MAX_SIDE} pixels a side",
                MAX_PIXELS / 1_000_000
            ),
        ),
        other => unreadable(other),
    };
    // Reads the header only.
    let mut decoder = reader.into_decoder().map_err(refused)?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(unreadable("the picture has no pixels"));
    }
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(too_large(w, h));
    }
    // Phones store the camera's orientation in EXIF, which is dropped: apply it to the
    // pixels instead, so the picture stands the right way up.
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(refused)?;
    if let Some(o) = orientation {
        image.apply_orientation(o);
    }
    Ok(image)
}

/// The picture as RGB, transparent parts laid on white (JPEG has no transparency; black
/// would hide a signature drawn in black).
fn flatten(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| {
            let (c, a) = (u16::from(c), u16::from(a));
            // c·a + 255·(255 − a), divided by 255; at most 255.
            u8::try_from((c * a + 255 * (255 - a)) / 255).unwrap_or(u8::MAX)
        };
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

fn jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(out)
}

/// A PDF is kept as sent (it is not rendered here): it must start with a version header
/// and end with an end-of-file marker, the least a PDF reader needs.
fn pdf(upload: &[u8]) -> Result<Processed, ApiError> {
    let version = upload.get(5..8).unwrap_or_default();
    let versioned = matches!(version, [b'1' | b'2', b'.', d] if d.is_ascii_digit());
    let tail = &upload[upload.len().saturating_sub(1024)..];
    let ends = tail.windows(5).any(|w| w == b"%%EOF");
    if !versioned || !ends {
        return Err(unreadable("not a complete PDF document"));
    }
    Ok(Processed {
        content_type: ContentType::Pdf,
        bytes: upload.to_vec(),
        thumbnail: None,
        size: None,
    })
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
pub(crate) mod samples {
    //! Files for tests, made here rather than checked in.

    use image::{ImageEncoder, RgbImage};

    /// A JPEG of `w` × `h` with a gradient, as a camera might send it.
    pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap_or_else(|e| panic!("{e}"));
        out
    }

    /// `jpeg` with an APP1 Exif segment (a GPS position among its fields) right after SOI.
    pub fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
        let plain = jpeg(w, h);
        let mut payload = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
        payload.extend_from_slice(b"GPSLatitude 27.8600 GPSLongitude 112.9100 SECRET-MARKER");
        let len = u16::try_from(payload.len() + 2).unwrap_or(u16::MAX);
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&plain[2..]);
        out
    }

    /// A PNG of `w` × `h` with transparency.
    pub fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_fn(w, h, |x, _| image::Rgba([0, 0, 0, (x % 256) as u8]));
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgba8)
            .unwrap_or_else(|e| panic!("{e}"));
        out
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc_input);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
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

    /// A valid PNG header declaring `w` × `h` RGBA pixels, followed by a tiny IDAT: a few
    /// dozen bytes that would ask the decoder for `w·h·4` bytes.
    pub fn png_bomb(w: u32, h: u32) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&w.to_be_bytes());
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        chunk(&mut out, b"IHDR", &ihdr);
        // zlib stream of a few zero bytes (stored block).
        chunk(
            &mut out,
            b"IDAT",
            &[
                0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF, 0, 0, 0, 0, 0, 0x04, 0, 0x01,
            ],
        );
        chunk(&mut out, b"IEND", &[]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::samples;
    use super::*;

    #[test]
    fn sniffs_only_the_taken_kinds() {
        assert_eq!(sniff(&samples::jpeg(4, 4)), Some(Sniffed::Jpeg));
        assert_eq!(sniff(&samples::png(4, 4)), Some(Sniffed::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Sniffed::WebP));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Sniffed::Pdf));
        for other in [
            &b"<!DOCTYPE html><script>alert(1)</script>"[..],
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            b"GIF89a\x01\0\x01\0",
            b"RIFF\0\0\0\0WAVEfmt ",
            b"",
            b"\xFF",
            b"MZ\x90\0",
        ] {
            assert_eq!(sniff(other), None, "{other:?}");
            assert_eq!(
                process(other)
                    .map(|_| ())
                    .map_err(|e| e.problem().errors[0].code.clone()),
                Err("unsupported_type".into())
            );
        }
    }

    #[test]
    fn exif_is_dropped_and_a_thumbnail_made() {
        let upload = samples::jpeg_with_exif(800, 600);
        assert!(upload.windows(4).any(|w| w == b"Exif"));
        let p = process(&upload).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.content_type, ContentType::Jpeg);
        assert_eq!(p.size, Some((800, 600)));
        assert!(!p.bytes.windows(4).any(|w| w == b"Exif"));
        assert!(!p.bytes.windows(6).any(|w| w == b"SECRET"));
        let thumb = p.thumbnail.unwrap_or_default();
        let t = image::load_from_memory(&thumb).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.width(), t.height()), (320, 240));
    }

    #[test]
    fn trailing_data_is_dropped() {
        let mut upload = samples::png(30, 20);
        upload.extend_from_slice(b"<script>alert(1)</script>");
        let p = process(&upload).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.content_type, ContentType::Png);
        assert!(!p.bytes.windows(8).any(|w| w == b"<script>"));
        let back = image::load_from_memory(&p.bytes).unwrap_or_else(|e| panic!("{e}"));
        assert!(back.color().has_alpha(), "a PNG keeps its transparency");
    }

    #[test]
    fn bombs_are_refused_from_the_header() {
        for (w, h) in [(100_000, 100_000), (7_000, 7_000), (40_000, 1_001)] {
            let started = std::time::Instant::now();
            let err = process(&samples::png_bomb(w, h))
                .map(|_| ())
                .map_err(|e| e.problem().errors[0].code.clone());
            assert_eq!(err, Err("image_too_large".into()), "{w} × {h}");
            assert!(started.elapsed() < std::time::Duration::from_millis(500));
        }
    }

    /// Bytes in and out and time for a 12-megapixel phone photo sent as is (a browser
    /// that could not scale it down): `cargo test -p xiangzhu-backend --lib
    /// measure_a_phone_photo -- --ignored --nocapture` (add `--release` for production speed).
    #[test]
    #[ignore = "a measurement, not a check"]
    fn measure_a_phone_photo() {
        // Smooth light and shade with sensor-like noise: compresses like a photo, not
        // like a flat test card.
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let photo = RgbImage::from_fn(4000, 3000, |x, y| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let noise = (seed % 24) as u32;
            let c = |base: u32| u8::try_from((base + noise).min(255)).unwrap_or(255);
            image::Rgb([
                c(x * 200 / 4000),
                c(y * 200 / 3000),
                c((x + y) * 100 / 7000 + 40),
            ])
        });
        let upload = jpeg(&photo, 92).unwrap_or_else(|e| panic!("{e}"));
        let started = std::time::Instant::now();
        let p = process(&upload).unwrap_or_else(|e| panic!("{e}"));
        let took = started.elapsed();
        println!(
            "4000×3000 JPEG: {} bytes in, {} bytes stored, {} bytes thumbnail, {took:?} (debug_assertions: {})",
            upload.len(),
            p.bytes.len(),
            p.thumbnail.map_or(0, |t| t.len()),
            cfg!(debug_assertions)
        );
    }

    #[test]
    fn broken_files_are_unreadable_never_a_fault() {
        let jpeg = samples::jpeg(64, 64);
        let png = samples::png(64, 64);
        let cases: Vec<Vec<u8>> = vec![
            jpeg[..3].to_vec(),
            jpeg[..jpeg.len() / 3].to_vec(),
            png[..20].to_vec(),
            png[..png.len() / 2].to_vec(),
            b"RIFF\x10\0\0\0WEBPVP8 garbage".to_vec(),
            b"%PDF-1.4\n\x00\x01garbage".to_vec(),
            b"%PDF-".to_vec(),
            samples::png_bomb(0, 10),
        ];
        for bytes in cases {
            match process(&bytes) {
                // A truncated JPEG may still decode (the missing part grey).
                Ok(p) => assert_eq!(p.content_type, ContentType::Jpeg),
                Err(e) => assert_eq!(
                    e.problem().status,
                    422,
                    "{e} for {:?}",
                    &bytes[..8.min(bytes.len())]
                ),
            }
        }
        let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
        assert_eq!(
            process(pdf).map(|p| (p.content_type, p.bytes.len())).ok(),
            Some((ContentType::Pdf, pdf.len()))
        );
    }
}
