//! What every page shares: the context the layout needs (who is logged in, the
//! CSRF token, the navigation of the role), rendering, and errors as pages.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::auth::guard::CsrfToken;
use crate::auth::{Principal, Role};
use crate::error::AppError;

pub mod api;
pub mod form;

/// Handed to every template as `ctx`.
#[derive(Clone, Debug)]
pub struct PageContext {
    pub user: Option<Principal>,
    pub csrf: String,
    pub path: String,
    pub nav: Vec<NavItem>,
}

#[derive(Clone, Debug)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

impl PageContext {
    pub fn role_label(&self) -> &'static str {
        self.user.as_ref().map_or("", |u| u.role.label())
    }

    /// A context for pages rendered outside the guard (errors, 404).
    pub fn anonymous() -> Self {
        Self {
            user: None,
            csrf: String::new(),
            path: String::new(),
            nav: Vec::new(),
        }
    }
}

/// The menu of each role: what that person does in a day, in that order.
pub fn nav_for(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut items = vec![("/", "Forside")];
    let more: &[(&'static str, &'static str)] = match role {
        Role::Admin => &[
            ("/orders", "Bestillinger"),
            ("/citizens", "Borgere"),
            ("/loans", "Lån"),
            ("/loans/stats", "Statistik"),
            ("/areas", "Områder"),
            ("/products", "Hjælpemidler"),
            ("/units", "Enheder"),
            ("/kvik/queue", "Kvik Service"),
            ("/kvik/admin", "Kvik åbningstider"),
            ("/planning", "Kørsler"),
            ("/vehicles", "Biler"),
            ("/users", "Brugere"),
            ("/admin/mail", "E-mails"),
        ],
        Role::Depot => &[
            ("/orders", "Bestillinger"),
            ("/citizens", "Borgere"),
            ("/loans", "Lån"),
            ("/loans/stats", "Statistik"),
            ("/areas", "Områder"),
            ("/products", "Hjælpemidler"),
            ("/units", "Enheder"),
            ("/kvik/queue", "Kvik Service"),
            ("/kvik/admin", "Kvik åbningstider"),
            ("/planning", "Kørsler"),
            ("/vehicles", "Biler"),
            ("/admin/mail", "E-mails"),
        ],
        Role::Coordinator => &[
            ("/orders/new/hospital", "Ny bestilling"),
            ("/orders", "Bestillinger"),
            ("/citizens", "Borgere"),
        ],
        Role::Therapist => &[
            ("/orders/new/therapist", "Ny bestilling"),
            ("/orders", "Bestillinger"),
            ("/citizens", "Borgere"),
            ("/loans", "Lån"),
            ("/loans/stats", "Statistik"),
        ],
        Role::Visitator => &[("/citizens", "Borgere"), ("/kvik/queue", "Kvik Service")],
        Role::Driver => &[("/driver", "Dagens kørsel")],
    };
    items.extend_from_slice(more);
    items
}

impl<S: Send + Sync> FromRequestParts<S> for PageContext {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let user = parts
            .extensions
            .get::<Option<Principal>>()
            .cloned()
            .flatten();
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let path = parts.uri.path().to_owned();
        let nav = user
            .as_ref()
            .map(|u| {
                let items = nav_for(u.role);
                // The longest matching item is the current one (/loans/stats, not /loans).
                let matches = |href: &str| {
                    if href == "/" {
                        path == "/"
                    } else {
                        path.starts_with(href)
                    }
                };
                let current = items
                    .iter()
                    .filter(|(href, _)| matches(href))
                    .map(|(href, _)| href.len())
                    .max();
                items
                    .into_iter()
                    .map(|(href, label)| NavItem {
                        href,
                        label,
                        current: matches(href) && Some(href.len()) == current,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            user,
            csrf,
            path,
            nav,
        })
    }
}

/// The logged-in user of a guarded route (the guard has already refused anyone else).
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Option<Principal>>()
            .cloned()
            .flatten()
            .map(CurrentUser)
            .ok_or(AppError::Unauthorized)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Option<Principal>>()
            .cloned()
            .flatten()
            .map(CurrentUser))
    }
}

/// Renders a template into a page.
pub fn render(template: &impl askama::Template) -> Result<Response, PageError> {
    Ok(Html(template.render().map_err(AppError::from)?).into_response())
}

/// Renders a template with a status (422 for a form shown again with errors).
pub fn render_with(
    status: StatusCode,
    template: &impl askama::Template,
) -> Result<Response, PageError> {
    Ok((status, Html(template.render().map_err(AppError::from)?)).into_response())
}

/// An error shown as a page. "Not logged in" sends the browser to the login page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(err: E) -> Self {
        Self(err.into())
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageContext,
    status: u16,
    title: &'static str,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let err = self.0;
        if matches!(err, AppError::Unauthorized) {
            return Redirect::to("/login").into_response();
        }
        if let AppError::Internal(detail) = &err {
            tracing::error!(detail = %crate::error::redact_digits(detail), "internal error on a page");
        }
        let status = err.status_code();
        let title = match status {
            StatusCode::NOT_FOUND => "Siden findes ikke",
            StatusCode::FORBIDDEN => "Ingen adgang",
            StatusCode::TOO_MANY_REQUESTS => "For mange forsøg",
            StatusCode::SERVICE_UNAVAILABLE => "Systemet er midlertidigt utilgængeligt",
            StatusCode::INTERNAL_SERVER_ERROR => "Der skete en fejl",
            _ => "Det kunne ikke lade sig gøre",
        };
        let page = ErrorPage {
            ctx: PageContext::anonymous(),
            status: status.as_u16(),
            title,
            message: err.public_message(),
        };
        match askama::Template::render(&page) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, err.public_message()).into_response(),
        }
    }
}

/// Danish date and time for pages: "23.11.2026 14:05" in Copenhagen time.
pub fn local_datetime(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Copenhagen)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

/// Danish date: "23.11.2026".
pub fn local_date(date: chrono::NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}
