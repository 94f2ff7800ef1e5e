//! A browser for the tests: a cookie jar, no automatic redirects (each
//! step of a flow is looked at), and the pages' forms read by name.
use reqwest::{Client, Method, Response};
use std::collections::BTreeMap;

/// One browser: its cookies and the server it talks to.
pub struct Browser {
    client: Client,
    base: String,
    cookies: BTreeMap<String, String>,
}

/// A page or redirect as the browser saw it.
pub struct Seen {
    /// The status.
    pub status: u16,
    /// `Location`, if any.
    pub location: Option<String>,
    /// The body.
    pub body: String,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
}

impl Browser {
    /// A browser with no cookies for the server at `base`.
    pub fn new(base: &str) -> Self {
        Self {
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                // What a browser asks for when it opens a page.
                .default_headers(reqwest::header::HeaderMap::from_iter([(
                    reqwest::header::ACCEPT,
                    reqwest::header::HeaderValue::from_static(
                        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                    ),
                )]))
                .build()
                .unwrap(),
            base: base.to_owned(),
            cookies: BTreeMap::new(),
        }
    }

    /// The value of a cookie the server set.
    pub fn cookie(&self, name: &str) -> Option<&String> {
        self.cookies.get(name)
    }

    async fn see(&mut self, response: Response) -> Seen {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        Seen {
            status: response.status().as_u16(),
            location: response
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_owned()),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    fn jar(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// `GET` a path or URL of the server.
    pub async fn get(&mut self, path: &str) -> Seen {
        let response = self
            .client
            .request(Method::GET, self.url(path))
            .header("Cookie", self.jar())
            .send()
            .await
            .unwrap();
        self.see(response).await
    }

    /// Submits a form.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Seen {
        let response = self
            .client
            .request(Method::POST, self.url(path))
            .header("Cookie", self.jar())
            .form(fields)
            .send()
            .await
            .unwrap();
        self.see(response).await
    }

    /// Signs in through the sign-in page reached from `seen` (a redirect to
    /// it), and follows the redirect back.
    pub async fn sign_in_from(&mut self, seen: &Seen, login: &str, password: &str) -> Seen {
        let to_sign_in = seen.location.clone().expect("a redirect to the sign-in page");
        assert!(to_sign_in.starts_with("/-/sign_in?return_to="), "{to_sign_in}");
        let page = self.get(&to_sign_in).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let token = field(&page.body, "authenticity_token");
        let return_to = field(&page.body, "return_to");
        let done = self
            .post(
                "/-/sign_in",
                &[
                    ("authenticity_token", &token),
                    ("return_to", &return_to),
                    ("login", login),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        let next = done.location.clone().unwrap();
        self.get(&next).await
    }
}

/// The value of the form field `name` in a page (as the templates write them).
pub fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        + marker.len();
    let end = start + html[start..].find('"').unwrap();
    unescape(&html[start..end])
}

/// Decodes the character references a template writes.
pub fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                u32::from_str_radix(&entity[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every hidden field of the first form in a page.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<input type=\"hidden\" name=\"") {
        rest = &rest[i + "<input type=\"hidden\" name=\"".len()..];
        let name = rest[..rest.find('"').unwrap()].to_owned();
        out.push((
            name.clone(),
            field(
                &format!("name=\"{name}\" {}", &rest[rest.find("value=").unwrap()..]),
                &name,
            ),
        ));
    }
    out
}

/// The query parameters of a URL.
pub fn query_of(url: &str) -> BTreeMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}
