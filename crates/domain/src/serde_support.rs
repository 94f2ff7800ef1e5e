//! `Deserialize` through `parse` and `Serialize` as the stored string, for the
//! value types, behind the `serde` feature.
use crate::{EmailAddress, Gender, Name, PhoneNumber, Scope, TimeZone, Username, WebUrl};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

macro_rules! via_parse {
    ($ty:ty, $parse:expr, $show:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                #[allow(clippy::redundant_closure_call)]
                ($parse)(raw.as_str()).map_err(de::Error::custom)
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                #[allow(clippy::redundant_closure_call)]
                s.serialize_str(($show)(self))
            }
        }
    };
}

via_parse!(Username, Username::parse, Username::as_str);
via_parse!(EmailAddress, EmailAddress::parse, EmailAddress::as_str);
via_parse!(PhoneNumber, PhoneNumber::parse, PhoneNumber::as_str);
via_parse!(TimeZone, TimeZone::parse, TimeZone::as_str);
via_parse!(Gender, Gender::parse, |g: &Gender| g.as_str());
via_parse!(Scope, Scope::parse, |s: &Scope| s.as_str());
via_parse!(Name, |v| Name::parse("name", v), Name::as_str);
via_parse!(WebUrl, |v| WebUrl::parse("website_url", v), WebUrl::as_str);

#[cfg(test)]
mod tests {
    use crate::{EmailAddress, Username};

    #[test]
    fn deserializing_goes_through_parse() {
        let e: EmailAddress = serde_json::from_str("\" A@Example.com \"").unwrap();
        assert_eq!(e.as_str(), "a@example.com");
        assert!(serde_json::from_str::<EmailAddress>("\"nope\"").is_err());
        assert!(serde_json::from_str::<Username>("\"api\"").is_err());
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"a@example.com\"");
    }
}
