//! The avatar of a request: a multipart file, or base64 text.
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use roster_domain::AvatarUpload;
use utoipa::ToSchema;

/// An avatar image (PNG, JPEG, GIF or WebP, at most 200 KiB, at most 4096
/// pixels a side), given one of two ways.
#[derive(ToSchema)]
pub struct AvatarFields {
    /// The image: a file in a multipart body, or base64 text (a
    /// `data:image/…;base64,` URL or bare base64).
    #[schema(value_type = Option<String>, content_media_type = "image/*")]
    pub avatar: Option<AvatarUpload>,
    /// The image as base64 text (a data URL or bare base64).
    #[schema(value_type = Option<String>, content_encoding = "base64")]
    pub avatar_base64: Option<AvatarUpload>,
    /// Whether `avatar` came as a file (which wins over both texts).
    #[schema(ignore)]
    pub avatar_is_file: bool,
}

impl AvatarFields {
    /// Reads the image; the problems are recorded in `f`.
    pub fn read(f: &mut Fields<'_>) -> Self {
        let file = f.file("avatar");
        let avatar_is_file = file.is_some();
        let avatar = match file {
            Some(bytes) => f.check(AvatarUpload::from_bytes(bytes)),
            None => f.optional("avatar", AvatarUpload::from_base64),
        };
        let avatar_base64 = f.optional("avatar_base64", AvatarUpload::from_base64);
        Self {
            avatar,
            avatar_base64,
            avatar_is_file,
        }
    }

    /// The image given, if any: a file first, then `avatar_base64`, then
    /// `avatar` as text.
    pub fn upload(self) -> Option<AvatarUpload> {
        if self.avatar_is_file {
            self.avatar
        } else {
            self.avatar_base64.or(self.avatar)
        }
    }
}

/// `PUT /user/avatar`: one of the two fields.
pub struct NewAvatar {
    /// The image.
    pub upload: AvatarUpload,
}

crate::input_made_of!(
    NewAvatar,
    "An avatar: multipart `avatar`, or `avatar_base64`.",
    [AvatarFields]
);

impl RequestInput for NewAvatar {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let fields = AvatarFields::read(f);
        if !f.given("avatar") && !f.given("avatar_base64") && !f.has_file("avatar") {
            f.require_one_of("avatar".into());
        }
        Some(Self {
            upload: fields.upload()?,
        })
    }
}
