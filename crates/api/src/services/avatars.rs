//! Avatar uploads: read from multipart or base64, checked by decoding with a
//! real image library, re-encoded where that drops metadata (JPEG and PNG:
//! EXIF, GPS positions, text chunks), stored by content hash.
use crate::http::error::ApiError;
use crate::http::params::Params;
use crate::state::AppState;
use actix_web::web;
use image::{ImageFormat, ImageReader};
use roster_domain::{AvatarUpload, ImageKind, TokenDigest};
use roster_persistence::{DbConnection, RepoError};
use std::io::Cursor;

/// The largest width or height accepted (a small file can claim a huge
/// canvas; this is checked before decoding).
const MAX_SIDE: u32 = 4096;

/// The upload in the request, if any: the multipart file `avatar`, or base64
/// in `avatar_base64` (or `avatar` given as text).
pub fn read_upload(params: &Params) -> Result<Option<AvatarUpload>, ApiError> {
    if let Some(bytes) = params.file("avatar") {
        return Ok(Some(AvatarUpload::from_bytes(bytes.to_vec())?));
    }
    let text = params.text("avatar_base64").or_else(|| params.text("avatar"));
    match text {
        Some(t) => Ok(Some(AvatarUpload::from_base64(&t)?)),
        None => Ok(None),
    }
}

fn format_of(kind: ImageKind) -> ImageFormat {
    match kind {
        ImageKind::Png => ImageFormat::Png,
        ImageKind::Jpeg => ImageFormat::Jpeg,
        ImageKind::Gif => ImageFormat::Gif,
        ImageKind::WebP => ImageFormat::WebP,
    }
}

fn undecodable() -> ApiError {
    ApiError::field("avatar", "is not a readable image")
}

/// Decodes the image to prove it is one, and re-encodes JPEG and PNG so that
/// no metadata survives. Returns the bytes to store.
pub fn verify_and_clean(upload: &AvatarUpload) -> Result<Vec<u8>, ApiError> {
    let format = format_of(upload.kind());
    let reader = ImageReader::with_format(Cursor::new(upload.bytes()), format);
    let (width, height) = reader.into_dimensions().map_err(|_| undecodable())?;
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(ApiError::field(
            "avatar",
            "must be at most 4096 pixels wide and high",
        ));
    }
    let image = image::load_from_memory_with_format(upload.bytes(), format).map_err(|_| undecodable())?;
    match upload.kind() {
        ImageKind::Jpeg => {
            let mut out = Vec::new();
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
            image
                .to_rgb8()
                .write_with_encoder(encoder)
                .map_err(|_| undecodable())?;
            Ok(out)
        }
        ImageKind::Png => {
            let mut out = Cursor::new(Vec::new());
            image
                .write_to(&mut out, ImageFormat::Png)
                .map_err(|_| undecodable())?;
            Ok(out.into_inner())
        }
        ImageKind::Gif | ImageKind::WebP => Ok(upload.bytes().to_vec()),
    }
}

/// The name an image is stored and served under: its SHA-256 and extension.
pub fn content_name(bytes: &[u8], kind: ImageKind) -> String {
    let digest = TokenDigest::of_bytes(bytes);
    format!("{}.{}", digest.as_str(), kind.extension())
}

/// Where an avatar is served.
pub fn url(public_url: &str, name: &str) -> String {
    format!("{public_url}/uploads/avatars/{name}")
}

/// An upload that decoded, cleaned and named, ready to store.
pub struct PreparedAvatar {
    name: String,
    kind: ImageKind,
    bytes: Vec<u8>,
}

/// Checks and cleans an upload, off the async workers (decoding is CPU work).
pub async fn prepare(upload: AvatarUpload) -> Result<PreparedAvatar, ApiError> {
    let kind = upload.kind();
    let bytes = web::block(move || verify_and_clean(&upload)).await??;
    Ok(PreparedAvatar {
        name: content_name(&bytes, kind),
        kind,
        bytes,
    })
}

/// Stores a prepared image (for a group, say) and gives its name.
pub fn store_image(conn: &mut DbConnection, avatar: &PreparedAvatar) -> Result<String, RepoError> {
    roster_persistence::avatars::store_avatar(conn, &avatar.name, avatar.kind.content_type(), &avatar.bytes)?;
    Ok(avatar.name.clone())
}

/// Stores a prepared image as `user_id`'s avatar, on `conn` (inside the
/// caller's transaction); `false` when there is no such user.
pub fn store(conn: &mut DbConnection, user_id: i64, avatar: &PreparedAvatar) -> Result<bool, RepoError> {
    roster_persistence::write_transaction(conn, |conn| {
        roster_persistence::avatars::store_avatar(
            conn,
            &avatar.name,
            avatar.kind.content_type(),
            &avatar.bytes,
        )?;
        roster_persistence::avatars::set_user_avatar(conn, user_id, Some(&avatar.name))
    })
}

/// Stores a prepared image as `user_id`'s avatar; returns its name.
pub async fn attach(state: &AppState, user_id: i64, avatar: PreparedAvatar) -> Result<String, ApiError> {
    let name = avatar.name.clone();
    let found = state.db.run(move |conn| store(conn, user_id, &avatar)).await?;
    if !found {
        return Err(ApiError::NotFound("User"));
    }
    Ok(name)
}

/// Checks, cleans and stores an upload as `user_id`'s avatar; returns its name.
pub async fn store_for(state: &AppState, user_id: i64, upload: AvatarUpload) -> Result<String, ApiError> {
    attach(state, user_id, prepare(upload).await?).await
}

/// Removes the user's avatar (`DELETE /user/avatar`).
pub async fn remove(state: &AppState, user_id: i64) -> Result<(), ApiError> {
    state
        .db
        .run(move |conn| roster_persistence::avatars::set_user_avatar(conn, user_id, None))
        .await?;
    Ok(())
}
