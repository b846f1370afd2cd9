//! The per-route guard: authenticates the caller (session cookie or bearer token),
//! applies the route's `Access` rule, and checks the CSRF token of every
//! state-changing request that a browser could have been tricked into sending.

use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Duration;
use http_body_util::BodyExt;
use subtle::ConstantTimeEq;

use super::{Access, Principal, Via, random_secret, store};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::PageError;

pub const SESSION_COOKIE: &str = "depot_session";
pub const CSRF_COOKIE: &str = "depot_csrf";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Form bodies larger than this are refused before the CSRF check reads them.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// Whether a route answers with JSON (`/api/...`) or with pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Api,
    Page,
}

impl Kind {
    pub fn of(path: &str) -> Self {
        if path.starts_with("/api/") {
            Kind::Api
        } else {
            Kind::Page
        }
    }

    pub fn error(self, err: AppError) -> Response {
        match self {
            Kind::Api => err.into_response(),
            Kind::Page => PageError(err).into_response(),
        }
    }
}

/// The CSRF token a page must put in its forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// The caller's address, for the login throttle and the audit log.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

#[derive(Clone)]
pub struct Guard {
    pub state: AppState,
    pub access: Access,
    pub kind: Kind,
}

pub async fn guard(State(g): State<Guard>, req: Request, next: Next) -> Response {
    match guarded(g.clone(), req, next).await {
        Ok(response) => response,
        Err(err) => g.kind.error(err),
    }
}

async fn guarded(g: Guard, mut req: Request, next: Next) -> Result<Response, AppError> {
    let jar = CookieJar::from_headers(req.headers());
    let principal = authenticate(&g.state, req.headers(), &jar, g.access).await?;
    match (&principal, g.access) {
        (_, Access::Public) => {}
        (None, _) if g.kind == Kind::Page => {
            return Ok(Redirect::to("/login").into_response());
        }
        (None, _) => return Err(AppError::Unauthorized),
        (Some(p), access) if !access.allows(p.role) => return Err(AppError::Forbidden),
        (Some(_), _) => {}
    }

    // The token forms must carry: the session's own for a logged-in user, else a
    // double-submit cookie (login form, public Kvik booking).
    let mut new_csrf_cookie = None;
    let expected = match &principal {
        Some(Principal {
            via: Via::Session { csrf_token },
            ..
        }) => Some(csrf_token.clone()),
        Some(Principal {
            via: Via::Token, ..
        }) => None,
        // Anonymous JSON calls (public Kvik booking) carry no ambient credentials,
        // and the JSON body cannot be sent cross-site without a CORS preflight,
        // which this service never grants.
        None if g.kind == Kind::Api => None,
        None => Some(match jar.get(CSRF_COOKIE) {
            Some(c) if c.value().len() >= 32 => c.value().to_owned(),
            _ => {
                let fresh = random_secret();
                new_csrf_cookie = Some(fresh.clone());
                fresh
            }
        }),
    };
    let state_changing = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if state_changing && let Some(expected) = &expected {
        req = check_csrf(req, expected).await?;
    }

    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |ci| ci.0.ip().to_string());
    req.extensions_mut().insert(ClientIp(ip));
    req.extensions_mut()
        .insert(CsrfToken(expected.unwrap_or_default()));
    req.extensions_mut().insert(principal);

    let mut response = next.run(req).await;
    if let Some(token) = new_csrf_cookie {
        let cookie = build_cookie(CSRF_COOKIE, token, g.state.config.served_over_tls());
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// Finds the caller: a bearer token wins over a cookie. A bad bearer token is an
/// error (the client meant to authenticate); a stale cookie is just no session.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    jar: &CookieJar,
    access: Access,
) -> Result<Option<Principal>, AppError> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        let found = store::principal_from_token(&state.db, token).await?;
        if found.is_none() && access != Access::Public {
            return Err(AppError::Unauthorized);
        }
        return Ok(found);
    }
    match jar.get(SESSION_COOKIE) {
        Some(cookie) => {
            let idle =
                Duration::from_std(state.config.session_idle).unwrap_or(Duration::minutes(30));
            store::load_session(&state.db, cookie.value(), state.clock.now(), idle).await
        }
        None => Ok(None),
    }
}

/// Compares the token of the header or form field with the expected one. The body
/// is read (bounded) and put back, so handlers still see the whole form.
async fn check_csrf(req: Request, expected: &str) -> Result<Request, AppError> {
    let refused =
        || AppError::BadRequest("Formularen er udløbet. Genindlæs siden, og prøv igen.".to_owned());
    if let Some(given) = req.headers().get(CSRF_HEADER) {
        return if same(given.as_bytes(), expected) {
            Ok(req)
        } else {
            Err(refused())
        };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (parts, body) = req.into_parts();
    let bytes: Bytes = http_body_util::Limited::new(body, MAX_FORM_BYTES)
        .collect()
        .await
        .map_err(|_| AppError::BadRequest("Indholdet er for stort.".to_owned()))?
        .to_bytes();
    let given = if content_type.starts_with("application/x-www-form-urlencoded") {
        form_urlencoded_field(&bytes, CSRF_FIELD)
    } else if content_type.starts_with("multipart/form-data") {
        multipart_field(&bytes, CSRF_FIELD)
    } else {
        None
    };
    match given {
        Some(token) if same(token.as_bytes(), expected) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(refused()),
    }
}

fn same(given: &[u8], expected: &str) -> bool {
    !expected.is_empty() && bool::from(given.ct_eq(expected.as_bytes()))
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The value of a small text part of a multipart body (enough for the CSRF field,
/// which the forms put first).
fn multipart_field(body: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(body.get(..body.len().min(64 * 1024))?);
    let marker = format!("name=\"{name}\"");
    let after = &text[text.find(&marker)? + marker.len()..];
    let value_start = after.find("\r\n\r\n")? + 4;
    let value = &after[value_start..];
    Some(value[..value.find("\r\n")?].to_owned())
}

/// A cookie with the flags every depot cookie has: HttpOnly, SameSite=Lax (so the
/// session survives following a link from an email), Secure behind TLS, and no
/// Max-Age, so it ends with the browser.
pub fn build_cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_csrf_field_in_a_form_body() {
        assert_eq!(
            form_urlencoded_field(b"a=1&csrf_token=abc%2Bd&b=2", "csrf_token").as_deref(),
            Some("abc+d")
        );
        assert_eq!(form_urlencoded_field(b"a=1", "csrf_token"), None);
    }

    #[test]
    fn finds_the_csrf_field_in_a_multipart_body() {
        let body = b"--X\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntok123\r\n--X--\r\n";
        assert_eq!(
            multipart_field(body, "csrf_token").as_deref(),
            Some("tok123")
        );
        assert_eq!(multipart_field(b"--X--", "csrf_token"), None);
    }

    #[test]
    fn api_paths_are_api_kind() {
        assert_eq!(Kind::of("/api/v1/products"), Kind::Api);
        assert_eq!(Kind::of("/login"), Kind::Page);
    }
}
