//! Avatar uploads: base64 (a data URL or bare) and the image type told by the
//! bytes themselves, never by a file name or a declared type.
use crate::error::{FieldError, Problem};
use base64::Engine;

/// The largest avatar accepted, in bytes.
pub const MAX_AVATAR_BYTES: usize = 200 * 1024;

/// The image types Roster serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageKind {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// GIF.
    Gif,
    /// WebP.
    WebP,
}

impl ImageKind {
    /// Tells the type from the first bytes (the file signature).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::WebP)
        } else {
            None
        }
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::WebP => "image/webp",
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Gif => "gif",
            Self::WebP => "webp",
        }
    }
}

/// Uploaded avatar bytes: at most [`MAX_AVATAR_BYTES`], and a PNG, JPEG, GIF
/// or WebP by their signature. (Whether the bytes decode is the caller's
/// check, with an image library.)
#[derive(Clone, PartialEq, Eq)]
pub struct AvatarUpload {
    bytes: Vec<u8>,
    kind: ImageKind,
}

impl std::fmt::Debug for AvatarUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AvatarUpload({:?}, {} bytes)", self.kind, self.bytes.len())
    }
}

fn refuse(reason: &'static str) -> FieldError {
    FieldError::new("avatar", Problem::InvalidBecause(reason))
}

impl AvatarUpload {
    /// Checks raw bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, FieldError> {
        if bytes.is_empty() {
            return Err(FieldError::new("avatar", Problem::Blank));
        }
        if bytes.len() > MAX_AVATAR_BYTES {
            return Err(refuse("is too large (maximum is 200 KiB)"));
        }
        let kind =
            ImageKind::sniff(&bytes).ok_or_else(|| refuse("must be a PNG, JPEG, GIF or WebP image"))?;
        Ok(Self { bytes, kind })
    }

    /// Reads base64: a `data:image/…;base64,` URL or bare base64 (standard
    /// or URL-safe alphabet, padded or not, line breaks ignored). The type
    /// in a data URL is ignored: the bytes decide.
    pub fn from_base64(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        let payload = match text.strip_prefix("data:") {
            Some(rest) => {
                let (meta, data) = rest
                    .split_once(',')
                    .ok_or_else(|| refuse("is not a valid data URL"))?;
                if !meta.ends_with(";base64") {
                    return Err(refuse("must be base64-encoded"));
                }
                data
            }
            None => text,
        };
        // A base64 text four thirds the size of the limit is enough to refuse.
        if payload.len() > MAX_AVATAR_BYTES / 3 * 4 + 1024 {
            return Err(refuse("is too large (maximum is 200 KiB)"));
        }
        let compact: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
        let trimmed = compact.trim_end_matches('=');
        let engines = [
            base64::engine::general_purpose::STANDARD_NO_PAD,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        let bytes = engines
            .iter()
            .find_map(|e| e.decode(trimmed).ok())
            .ok_or_else(|| refuse("is not valid base64"))?;
        Self::from_bytes(bytes)
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The type the bytes say they are.
    pub fn kind(&self) -> ImageKind {
        self.kind
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    const PNG_HEAD: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn sniffs_by_signature() {
        assert_eq!(ImageKind::sniff(PNG_HEAD), Some(ImageKind::Png));
        assert_eq!(ImageKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageKind::Jpeg));
        assert_eq!(ImageKind::sniff(b"GIF89a...."), Some(ImageKind::Gif));
        assert_eq!(ImageKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageKind::WebP));
        assert_eq!(ImageKind::sniff(b"<svg xmlns=..."), None);
        assert_eq!(ImageKind::sniff(b"%PDF-1.7"), None);
        assert_eq!(ImageKind::sniff(b""), None);
    }

    #[test]
    fn base64_in_every_form() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(PNG_HEAD);
        for text in [
            b64.clone(),
            format!("data:image/png;base64,{b64}"),
            format!("data:image/jpeg;base64,{b64}"), // the declared type is ignored
            b64.trim_end_matches('=').to_owned(),
            format!("{}\n{}", &b64[..8], &b64[8..]),
        ] {
            let upload = AvatarUpload::from_base64(&text).unwrap();
            assert_eq!(upload.kind(), ImageKind::Png, "{text}");
            assert_eq!(upload.bytes(), PNG_HEAD);
        }
        assert!(AvatarUpload::from_base64("data:image/png,rawtext").is_err());
        assert!(AvatarUpload::from_base64("not base64 at all!").is_err());
        assert!(AvatarUpload::from_base64("").is_err());
        let text_file = base64::engine::general_purpose::STANDARD.encode(b"hello, I am a text file");
        assert!(AvatarUpload::from_base64(&text_file)
            .unwrap_err()
            .to_string()
            .contains("PNG, JPEG"));
    }

    #[test]
    fn size_limit() {
        let mut big = PNG_HEAD.to_vec();
        big.resize(MAX_AVATAR_BYTES + 1, 0);
        assert!(AvatarUpload::from_bytes(big.clone())
            .unwrap_err()
            .to_string()
            .contains("too large"));
        big.truncate(MAX_AVATAR_BYTES);
        assert!(AvatarUpload::from_bytes(big.clone()).is_ok());
        let text = base64::engine::general_purpose::STANDARD.encode(vec![0u8; MAX_AVATAR_BYTES * 2]);
        assert!(AvatarUpload::from_base64(&text).is_err());
    }
}
