//! Reading a request's parameters field by field, each parsed into its type,
//! every problem collected and reported at once (as GitLab does).
use crate::http::error::ApiError;
use crate::http::input::RequestInput;
use crate::http::params::{parse_bool, Params};
use roster_domain::FieldError;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Problems by field name, as the `message` map of a `400` holds them.
pub type Problems = BTreeMap<String, Vec<String>>;

impl From<ApiError> for Problems {
    /// A problem found before any field was read (a NUL in a value).
    fn from(e: ApiError) -> Self {
        let reason = match e {
            ApiError::BadRequest(text) => text,
            other => other.to_string(),
        };
        BTreeMap::from([("base".to_owned(), vec![reason])])
    }
}

/// Collects typed fields and every problem with them, then reports them all at
/// once: missing parameters first (as GitLab does), then invalid values.
pub struct Fields<'a> {
    params: &'a Params,
    missing: Vec<String>,
    errors: BTreeMap<String, Vec<String>>,
    /// Every name asked for, so that a test can hold an input type's reader
    /// to its documented schema.
    read: BTreeSet<String>,
    /// The names asked for as required.
    read_required: BTreeSet<String>,
    /// Text fields given a list or an object (GitLab's `x is invalid`).
    malformed: Vec<String>,
    /// Names of which at least one was needed and none was given.
    none_of: Option<Vec<String>>,
}

impl<'a> Fields<'a> {
    /// Starts collecting fields from `params`.
    pub(crate) fn new(params: &'a Params) -> Self {
        Self {
            params,
            missing: Vec::new(),
            errors: BTreeMap::new(),
            read: BTreeSet::new(),
            read_required: BTreeSet::new(),
            malformed: Vec::new(),
            none_of: None,
        }
    }

    fn refuse(&mut self, e: FieldError) {
        self.errors
            .entry(e.field.to_owned())
            .or_default()
            .push(e.problem.to_string());
    }

    /// A required text field, parsed.
    pub fn required<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Option<T> {
        self.read.insert(name.to_owned());
        self.read_required.insert(name.to_owned());
        if self.is_malformed(name) {
            return None;
        }
        match self.params.text(name) {
            None => {
                self.missing.push(name.to_owned());
                None
            }
            Some(v) => self.parse_value(&v, parse),
        }
    }

    /// An optional text field, parsed when present and not null.
    pub fn optional<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Option<T> {
        self.read.insert(name.to_owned());
        if self.is_malformed(name) {
            return None;
        }
        let v = self.params.text(name)?;
        self.parse_value(&v, parse)
    }

    /// Notes a text field given as a list or an object, or in JSON as a
    /// number or a boolean.
    fn is_malformed(&mut self, name: &str) -> bool {
        let malformed = self
            .params
            .raw(name)
            .is_some_and(|v| v.is_array() || v.is_object())
            || self
                .params
                .typed(name)
                .is_some_and(|v| v.is_number() || v.is_boolean());
        if malformed {
            self.malformed.push(name.to_owned());
        }
        malformed
    }

    /// An optional field that can be cleared: absent → `None`; `null` or `""` →
    /// `Some(None)`; a value → `Some(Some(parsed))`.
    pub fn clearable<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Option<Option<T>> {
        self.read.insert(name.to_owned());
        if !self.params.has(name) || self.is_malformed(name) {
            return None;
        }
        match self.params.text(name) {
            None => Some(None),
            // Only an empty value clears: blanks are a value like any other,
            // judged by the field's rule (the documents' patterns allow "").
            Some(v) if v.is_empty() => Some(None),
            Some(v) => self.parse_value(&v, parse).map(Some),
        }
    }

    fn parse_value<T>(
        &mut self,
        value: &str,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Option<T> {
        match parse(value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.refuse(e);
                None
            }
        }
    }

    /// A JSON object field (a WebAuthn `PublicKeyCredential`): an object
    /// in a JSON body, or the object's JSON text (as a form sends it).
    /// `required` notes it missing when absent.
    pub fn object(&mut self, name: &str, required: bool) -> Option<Value> {
        self.read.insert(name.to_owned());
        if required {
            self.read_required.insert(name.to_owned());
        }
        let parsed = match self.params.raw(name) {
            None | Some(Value::Null) => {
                if required {
                    self.missing.push(name.to_owned());
                }
                return None;
            }
            Some(Value::Object(map)) => Some(Value::Object(map.clone())),
            Some(Value::String(text)) => serde_json::from_str::<Value>(text).ok().filter(Value::is_object),
            Some(_) => None,
        };
        if parsed.is_none() {
            self.reject(name, "must be a JSON object");
        }
        parsed
    }

    /// An optional boolean.
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        self.read.insert(name.to_owned());
        let value = self.params.raw(name)?;
        if value.is_null() {
            return None;
        }
        if value.is_array() || value.is_object() {
            self.reject(name, "is invalid");
            return None;
        }
        let parsed = match self.params.typed(name) {
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => None,
            None => parse_bool(value),
        };
        if parsed.is_none() {
            self.errors
                .entry(name.to_owned())
                .or_default()
                .push("is invalid".into());
        }
        parsed
    }

    /// An optional integer within `range`.
    pub fn integer(&mut self, name: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
        match self.whole_number(name)? {
            n if range.contains(&n) => Some(n),
            _ => {
                self.reject(name, "is invalid");
                None
            }
        }
    }

    /// A required integer.
    pub fn required_integer(&mut self, name: &str) -> Option<i64> {
        self.read_required.insert(name.to_owned());
        if !self.given(name) {
            self.read.insert(name.to_owned());
            self.missing.push(name.to_owned());
            return None;
        }
        self.whole_number(name)
    }

    /// An optional 64-bit integer brought within `range` (GitLab reads
    /// `page=0` as 1 and `per_page=1000` as 100).
    pub fn clamped_integer(&mut self, name: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
        Some(self.whole_number(name)?.clamp(*range.start(), *range.end()))
    }

    /// A 64-bit integer: a JSON number, or text in a query or a form; a
    /// list, an object, JSON text or anything else is invalid.
    fn whole_number(&mut self, name: &str) -> Option<i64> {
        self.read.insert(name.to_owned());
        let value = self.params.raw(name)?;
        let is_text_in_json = self.params.typed(name).is_some_and(Value::is_string);
        if value.is_array() || value.is_object() || is_text_in_json {
            self.reject(name, "is invalid");
            return None;
        }
        let text = self.params.text(name)?;
        match text.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.reject(name, "is invalid");
                None
            }
        }
    }

    /// Records a problem found outside the getters.
    pub fn reject(&mut self, field: &str, reason: impl Into<String>) {
        self.errors
            .entry(field.to_owned())
            .or_default()
            .push(reason.into());
    }

    /// Records a missing parameter found outside the getters.
    pub fn require_one_of(&mut self, message: String) {
        self.missing.push(message);
    }

    /// The `prefix[key]=value` pairs of the request (GitLab's
    /// `custom_attributes[key]=value` filters), read as one object-like
    /// parameter `prefix`.
    pub fn bracketed(&mut self, prefix: &str) -> Vec<(String, String)> {
        self.read.insert(prefix.to_owned());
        let opening = format!("{prefix}[");
        let mut pairs = Vec::new();
        let mut malformed = false;
        for k in self.params.keys() {
            let Some(key) = k.strip_prefix(&opening).and_then(|k| k.strip_suffix(']')) else {
                continue;
            };
            match self.params.raw(k) {
                Some(Value::String(v)) => pairs.push((key.to_owned(), v.clone())),
                _ => malformed = true,
            }
        }
        if malformed {
            self.reject(prefix, "is invalid");
        }
        pairs
    }

    /// Records that at least one of `names` is needed, none having been
    /// given (GitLab's "a, b are missing, at least one parameter must be
    /// provided", reported after every other problem).
    pub fn require_any(&mut self, names: &[&str]) {
        self.none_of = Some(names.iter().map(|n| (*n).to_owned()).collect());
    }

    /// A list (see [`Params::list`]), each item parsed; `None` when absent.
    pub fn list<T>(&mut self, name: &str, parse: impl Fn(&str) -> Result<T, FieldError>) -> Option<Vec<T>> {
        self.read.insert(name.to_owned());
        let items = self.params.list(name)?;
        let mut parsed = Vec::with_capacity(items.len());
        for item in items {
            parsed.push(self.parse_value(&item, &parse)?);
        }
        Some(parsed)
    }

    /// A required list (see [`Params::list`]), parsed as a whole.
    pub fn required_list<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&[String]) -> Result<T, FieldError>,
    ) -> Option<T> {
        self.read.insert(name.to_owned());
        self.read_required.insert(name.to_owned());
        match self.params.list(name) {
            None => {
                self.missing.push(name.to_owned());
                None
            }
            Some(items) => match parse(&items) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.refuse(e);
                    None
                }
            },
        }
    }

    /// A file of a multipart request.
    pub fn file(&mut self, name: &str) -> Option<Vec<u8>> {
        self.read.insert(name.to_owned());
        self.params.file(name).map(<[u8]>::to_vec)
    }

    /// Records the problem of a value parsed outside the getters.
    pub fn check<T>(&mut self, parsed: Result<T, FieldError>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(e) => {
                self.refuse(e);
                None
            }
        }
    }

    /// Whether a problem was recorded for `name`.
    pub fn failed(&self, name: &str) -> bool {
        self.errors.contains_key(name) || self.malformed.iter().any(|m| m == name)
    }

    /// Whether a multipart request holds a file `name`.
    pub fn has_file(&self, name: &str) -> bool {
        self.params.file(name).is_some()
    }

    /// Whether the request names `name` at all (even as `null`).
    pub fn present(&self, name: &str) -> bool {
        self.params.has(name)
    }

    /// Whether the request holds a non-null value for `name`.
    pub fn given(&self, name: &str) -> bool {
        self.params.raw(name).is_some_and(|v| !v.is_null())
    }

    /// The names asked for so far.
    pub fn names_read(&self) -> Vec<String> {
        self.read.iter().cloned().collect()
    }

    /// The names asked for as required so far.
    pub fn names_required(&self) -> Vec<String> {
        self.read_required.iter().cloned().collect()
    }

    /// Whether any problem was found so far.
    pub fn has_errors(&self) -> bool {
        !self.missing.is_empty()
            || !self.errors.is_empty()
            || !self.malformed.is_empty()
            || self.none_of.is_some()
    }

    /// A list of objects (`ssh_keys: [{title, key}, …]`), each read as its
    /// own input; a problem inside is named with its place
    /// (`ssh_keys[1].key`). Empty when absent; `None` when any item failed.
    pub fn items<T: RequestInput>(&mut self, name: &str) -> Option<Vec<T>> {
        self.read.insert(name.to_owned());
        let items = match self.params.raw(name) {
            None | Some(Value::Null) => return Some(Vec::new()),
            Some(Value::Array(items)) if items.iter().all(Value::is_object) => items.clone(),
            Some(_) => {
                self.reject(name, "must be a list of objects");
                return None;
            }
        };
        let mut parsed = Vec::with_capacity(items.len());
        let mut failed = false;
        for (index, item) in items.into_iter().enumerate() {
            let Value::Object(object) = item else { continue };
            match crate::http::input::read_object::<T>(object) {
                Ok(value) => parsed.push(value),
                Err(problems) => {
                    failed = true;
                    for (field, reasons) in problems {
                        self.errors
                            .entry(format!("{name}[{index}].{field}"))
                            .or_default()
                            .extend(reasons);
                    }
                }
            }
        }
        (!failed).then_some(parsed)
    }

    /// Every problem found, by field (the `message` map of a `400`):
    /// missing fields are "is missing", malformed ones "is invalid", and a
    /// set of which one is needed is told under `base`.
    pub fn problems(self) -> Problems {
        let mut problems = self.errors;
        for name in self.missing {
            problems.entry(name).or_default().push("is missing".to_owned());
        }
        for name in self.malformed {
            problems.entry(name).or_default().push("is invalid".to_owned());
        }
        if let Some(names) = self.none_of {
            problems.entry("base".to_owned()).or_default().push(format!(
                "{} are missing, at least one parameter must be provided",
                names.join(", ")
            ));
        }
        problems
    }

    /// `Ok` when every field was fine.
    pub fn finish(self) -> Result<(), ApiError> {
        if !self.missing.is_empty() {
            return Err(ApiError::Missing(self.missing));
        }
        if let Some(name) = self.malformed.into_iter().next() {
            return Err(ApiError::InvalidParam(name));
        }
        if !self.errors.is_empty() {
            return Err(ApiError::Validation(self.errors));
        }
        if let Some(names) = self.none_of {
            return Err(ApiError::Param(format!(
                "{} are missing, at least one parameter must be provided",
                names.join(", ")
            )));
        }
        Ok(())
    }
}
