//! Loan pages: the list of an area with bulk actions, statistics, the CSV of the
//! overdue list, the printable loan slip and the CSV import.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Months, NaiveDate};
use entity::{area, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;

use super::import::{ImportSummary, LineError};
use super::stats::{Series, last_months, line_chart, month_label};
use super::store::{self, LoanQuery, LoanRow, StatusFilter};
use super::{ACCESS, AgeBand, Bands, DEPOT_ONLY, actions, parse_date};
use crate::auth::{Access, Principal, Role};
use crate::error::AppError;
use crate::routes::{RouteDef, get, post};
use crate::state::AppState;
use crate::web::form::FormErrors;
use crate::web::{CurrentUser, PageContext, PageError, render, render_with};

/// The slip is printed by whoever hands out the aid: therapists, depot and the
/// visitators of Kvik Service.
const SLIP_ACCESS: Access = Access::Roles(&[Role::Therapist, Role::Depot, Role::Visitator]);

/// Rows per page of the list.
const PAGE_SIZE: u64 = 100;
/// The CSV download holds at most this many loans.
const CSV_LIMIT: u64 = 100_000;

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/loans", ACCESS, list_page),
        post("/loans/bulk", ACCESS, bulk),
        get("/loans/stats", ACCESS, stats_page),
        get("/loans/overdue.csv", ACCESS, overdue_csv),
        get("/loans/slip/{citizen_id}", SLIP_ACCESS, slip),
        get("/loans/import", DEPOT_ONLY, import_page),
        post("/loans/import", DEPOT_ONLY, import_post),
    ]
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

// ---------------------------------------------------------------- the list

#[derive(Deserialize, Default)]
struct ListParams {
    area: Option<String>,
    status: Option<String>,
    page: Option<String>,
    done: Option<String>,
    n: Option<String>,
}

struct AreaOption {
    code: String,
    name: String,
    selected: bool,
}

#[derive(askama::Template)]
#[template(path = "loans/list.html")]
struct ListPage {
    ctx: PageContext,
    areas: Vec<AreaOption>,
    area_code: String,
    area_name: String,
    status: &'static str,
    rows: Vec<LoanRow>,
    total: u64,
    page: u64,
    pages: u64,
    bands: Option<Bands>,
    until: String,
    reason: String,
    errors: FormErrors,
    notice: String,
    failures: Vec<String>,
}

impl ListPage {
    fn band_rows(&self) -> Vec<(&'static str, i64)> {
        self.bands.map(|b| b.rows()).unwrap_or_default()
    }

    fn query(&self, page: u64) -> String {
        format!(
            "/loans?area={}&status={}&page={page}",
            if self.area_code.is_empty() {
                "all"
            } else {
                &self.area_code
            },
            self.status
        )
    }

    fn summary(&self) -> Vec<(String, String)> {
        self.errors.summary()
    }
}

struct ListState {
    area: Option<area::Model>,
    status: StatusFilter,
    page: u64,
}

async fn resolve(
    state: &AppState,
    user: &Principal,
    area: Option<&str>,
    status: Option<&str>,
    page: Option<&str>,
) -> Result<ListState, AppError> {
    let area_id = super::api::area_filter(state, user, area).await?;
    let area = match area_id {
        Some(id) => area::Entity::find_by_id(id).one(&state.db).await?,
        None => None,
    };
    // Overdue first: the list opens on the loans that need a new assessment.
    let status = StatusFilter::parse(status.unwrap_or("overdue")).unwrap_or(StatusFilter::Overdue);
    let page = page.and_then(|p| p.parse::<u64>().ok()).unwrap_or(1).max(1);
    Ok(ListState { area, status, page })
}

async fn build_list(
    state: &AppState,
    ctx: PageContext,
    list: ListState,
) -> Result<ListPage, AppError> {
    let today = state.clock.today();
    let query = LoanQuery {
        status: list.status,
        area_id: list.area.as_ref().map(|a| a.id),
        citizen_id: None,
        limit: PAGE_SIZE,
        offset: (list.page - 1) * PAGE_SIZE,
    };
    let bands = match (&list.area, list.status) {
        (Some(a), StatusFilter::Overdue) => {
            Some(store::overdue_bands(&state.db, a.id, today).await?)
        }
        _ => None,
    };
    // An area's overdue bands add up to the list's total: no second count.
    let total = match &bands {
        Some(b) => u64::try_from(b.count).unwrap_or_default(),
        None => store::count(&state.db, &query, today).await?,
    };
    let rows = store::list(&state.db, &query, today).await?;
    let code = list
        .area
        .as_ref()
        .map(|a| a.code.clone())
        .unwrap_or_default();
    let areas = store::all_areas(&state.db)
        .await?
        .into_iter()
        .map(|a| AreaOption {
            selected: a.code == code,
            code: a.code,
            name: a.name,
        })
        .collect();
    Ok(ListPage {
        ctx,
        areas,
        area_name: list
            .area
            .as_ref()
            .map_or_else(|| "alle områder".to_owned(), |a| a.name.clone()),
        area_code: code,
        status: list.status.as_str(),
        rows,
        total,
        page: list.page,
        pages: total.div_ceil(PAGE_SIZE).max(1),
        bands,
        until: (today + Months::new(super::LOAN_MONTHS)).to_string(),
        reason: String::new(),
        errors: FormErrors::default(),
        notice: String::new(),
        failures: Vec::new(),
    })
}

async fn list_page(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    let list = resolve(
        &state,
        &user,
        params.area.as_deref(),
        params.status.as_deref(),
        params.page.as_deref(),
    )
    .await?;
    let mut page = build_list(&state, ctx, list).await?;
    let n = params
        .n
        .as_deref()
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    page.notice = match params.done.as_deref() {
        Some("extend") => format!("{n} lån er forlænget."),
        Some("convert") => format!("{n} lån er omdannet til Serviceloven §112."),
        Some("collect") => format!("Der er bestilt afhentning af {n} lån."),
        Some("return") => format!("{n} lån er registreret som afleveret."),
        _ => String::new(),
    };
    Ok(no_store(render(&page)?))
}

/// What a bulk post can do.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BulkAction {
    Extend,
    Convert,
    Collect,
    Return,
}

impl BulkAction {
    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "extend" => Some(Self::Extend),
            "convert" => Some(Self::Convert),
            "collect" => Some(Self::Collect),
            "return" => Some(Self::Return),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Extend => "extend",
            Self::Convert => "convert",
            Self::Collect => "collect",
            Self::Return => "return",
        }
    }
}

/// The bulk form: the checked `ids` and an `action` button, or one row's button
/// `one=extend:12`. The date and reason fields serve extension and conversion.
async fn bulk(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let list = resolve(&state, &user, value("area"), value("status"), None).await?;
    let (action, ids): (Option<BulkAction>, Vec<i32>) = match value("one") {
        Some(one) => {
            let (a, id) = one.split_once(':').unwrap_or((one, ""));
            (BulkAction::parse(a), id.parse().ok().into_iter().collect())
        }
        None => (
            value("action").and_then(BulkAction::parse),
            fields
                .iter()
                .filter(|(k, _)| k == "ids")
                .filter_map(|(_, v)| v.parse().ok())
                .collect(),
        ),
    };
    let until_raw = value("until").unwrap_or_default().to_owned();
    let reason = value("reason").unwrap_or_default().to_owned();
    let mut errors = FormErrors::default();
    let Some(action) = action else {
        return Err(AppError::BadRequest("Ukendt handling.".to_owned()).into());
    };
    if ids.is_empty() {
        errors.add("ids", "Vælg mindst ét lån");
    }
    let today = state.clock.today();
    let until = parse_date(&until_raw);
    if action == BulkAction::Extend {
        match until {
            None => errors.add("until", "Angiv den nye slutdato"),
            Some(u) if u <= today => errors.add("until", "Den nye slutdato skal ligge efter i dag"),
            Some(_) => {}
        }
    }
    if matches!(action, BulkAction::Extend | BulkAction::Convert) && reason.trim().is_empty() {
        errors.add("reason", "Skriv en begrundelse");
    }
    if !errors.is_empty() {
        let mut page = build_list(&state, ctx, list).await?;
        page.until = until_raw;
        page.reason = reason;
        page.errors = errors;
        return Ok(no_store(render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page,
        )?));
    }
    let mut done = 0u64;
    let mut failures = Vec::new();
    for id in ids {
        let result = match action {
            BulkAction::Extend => actions::extend(&state, &user, id, until, &reason)
                .await
                .map(|_| ()),
            BulkAction::Convert => actions::convert(&state, &user, id, &reason)
                .await
                .map(|_| ()),
            BulkAction::Collect => actions::collect(&state, &user, id).await.map(|_| ()),
            BulkAction::Return => actions::return_loan(&state, &user, id, None)
                .await
                .map(|_| ()),
        };
        match result {
            Ok(()) => done += 1,
            Err(AppError::Validation { fields, .. }) => failures.push(format!(
                "Lån {id}: {}",
                fields.into_values().flatten().collect::<Vec<_>>().join(" ")
            )),
            Err(AppError::Conflict(message)) => failures.push(format!("Lån {id}: {message}")),
            Err(AppError::NotFound) => failures.push(format!("Lån {id} findes ikke.")),
            Err(other) => return Err(other.into()),
        }
    }
    let back = format!(
        "/loans?area={}&status={}",
        list.area.as_ref().map_or("all", |a| a.code.as_str()),
        list.status.as_str()
    );
    if failures.is_empty() {
        return Ok(
            Redirect::to(&format!("{back}&done={}&n={done}", action.as_str())).into_response(),
        );
    }
    let mut page = build_list(&state, ctx, list).await?;
    page.reason = reason;
    page.until = until_raw;
    page.notice = format!("{done} lån er ændret.");
    page.failures = failures;
    Ok(no_store(render_with(StatusCode::CONFLICT, &page)?))
}

// ---------------------------------------------------------------- statistics

struct AreaStats {
    code: String,
    name: String,
    bands: Bands,
}

struct SnapshotRow {
    date: String,
    area: String,
    period: String,
    count: i32,
}

#[derive(askama::Template)]
#[template(path = "loans/stats.html")]
struct StatsPage {
    ctx: PageContext,
    chart: String,
    current: Vec<AreaStats>,
    band_labels: Vec<&'static str>,
    snapshots: Vec<SnapshotRow>,
    months: Vec<(String, i64, i64)>,
    today: String,
}

impl AreaStats {
    fn cells(&self) -> Vec<i64> {
        AgeBand::ALL
            .into_iter()
            .map(|b| self.bands.get(b))
            .collect()
    }
}

async fn stats_page(
    State(state): State<AppState>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let today = state.clock.today();
    let areas = store::all_areas(&state.db).await?;
    let snapshots = store::snapshots(&state.db).await?;
    let series: Vec<Series> = areas
        .iter()
        .map(|a| Series {
            label: a.name.clone(),
            points: snapshots
                .iter()
                .filter(|s| s.area_id == a.id)
                .map(|s| (s.taken_at, i64::from(s.count)))
                .collect(),
        })
        .collect();
    let mut current = Vec::new();
    for a in &areas {
        current.push(AreaStats {
            code: a.code.clone(),
            name: a.name.clone(),
            bands: store::overdue_bands(&state.db, a.id, today).await?,
        });
    }
    let name_of = |id: i32| {
        areas
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    let months = store::started_and_ended(&state.db, &last_months(today, 12))
        .await?
        .into_iter()
        .map(|(m, s, e)| (month_label(m), s, e))
        .collect();
    let page = StatsPage {
        ctx,
        chart: line_chart(&series, "Antal lån over udlånsperioden pr. område over tid"),
        current,
        band_labels: AgeBand::ALL.into_iter().map(AgeBand::label).collect(),
        snapshots: snapshots
            .iter()
            .rev()
            .take(36)
            .map(|s| SnapshotRow {
                date: crate::web::local_datetime(s.taken_at),
                area: name_of(s.area_id),
                period: s.period.clone(),
                count: s.count,
            })
            .collect(),
        months,
        today: crate::web::local_date(today),
    };
    render(&page)
}

// ---------------------------------------------------------------- CSV

#[derive(Deserialize)]
struct CsvParams {
    area: Option<String>,
}

/// The working list of overdue loans as CSV (semicolons and a byte order mark,
/// as Danish spreadsheets expect). Masked CPR numbers only.
async fn overdue_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<CsvParams>,
) -> Result<Response, PageError> {
    let area_id = super::api::area_filter(&state, &user, params.area.as_deref()).await?;
    let today = state.clock.today();
    let rows = store::list(
        &state.db,
        &LoanQuery {
            status: StatusFilter::Overdue,
            area_id,
            citizen_id: None,
            limit: CSV_LIMIT,
            offset: 0,
        },
        today,
    )
    .await?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let csv_error = |e: csv::Error| AppError::Internal(e.to_string());
    writer
        .write_record([
            "område",
            "navn",
            "cpr",
            "hjælpemiddel",
            "betegnelse",
            "lovgrundlag",
            "startdato",
            "slutdato",
            "dage_overskredet",
        ])
        .map_err(csv_error)?;
    for r in &rows {
        writer
            .write_record([
                r.area_code.as_str(),
                r.citizen_name.as_str(),
                r.cpr_masked.as_str(),
                r.product_code.as_str(),
                r.product_name.as_str(),
                r.legal_basis.as_str(),
                &r.start_date.to_string(),
                &r.due_date.map(|d| d.to_string()).unwrap_or_default(),
                &r.days_overdue.to_string(),
            ])
            .map_err(csv_error)?;
    }
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend(
        writer
            .into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))?,
    );
    let area_code = match area_id {
        Some(id) => area::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .map_or_else(|| "alle".to_owned(), |a| a.code),
        None => "alle".to_owned(),
    };
    let disposition = format!("attachment; filename=\"overskredne-laan-{area_code}-{today}.csv\"");
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(no_store(response))
}

// ---------------------------------------------------------------- the slip

#[derive(Deserialize)]
struct SlipParams {
    /// Only the loans of this delivery or hand-out.
    order: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "loans/slip.html")]
struct SlipPage {
    ctx: PageContext,
    citizen_id: i32,
    name: String,
    address: String,
    loans: Vec<LoanRow>,
    has_140: bool,
    area_name: String,
    area_phone: String,
    therapists: Vec<(String, String)>,
    today: String,
}

async fn slip(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Path(raw): Path<String>,
    Query(params): Query<SlipParams>,
) -> Result<Response, PageError> {
    let id = raw
        .parse::<i32>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or(AppError::NotFound)?;
    let citizen = crate::citizens::store::find(&state.db, id).await?;
    let address = crate::citizens::store::find_address(&state.db, citizen.address_id).await?;
    let today = state.clock.today();
    let order = params.order.as_deref().and_then(|o| o.parse::<i32>().ok());
    let loans: Vec<LoanRow> = store::citizen_loans(&state.db, id, today)
        .await?
        .into_iter()
        .filter(|l| l.is_open() && order.is_none_or(|o| l.order_id == Some(o)))
        .collect();
    // The area that follows up: the loans' area, else the address's.
    let area = match loans.first() {
        Some(l) => store::area_by_code(&state.db, &l.area_code).await.ok(),
        None => match &address {
            Some(a) => {
                crate::citizens::store::area_of_postal_code(&state.db, &a.postal_code).await?
            }
            None => None,
        },
    };
    let therapists = match &area {
        Some(a) => user::Entity::find()
            .filter(user::Column::AreaId.eq(a.id))
            .filter(user::Column::Role.eq(Role::Therapist.as_str()))
            .filter(user::Column::Active.eq(true))
            .order_by_asc(user::Column::Name)
            .all(&state.db)
            .await?
            .into_iter()
            .filter_map(|u| u.phone.map(|p| (u.name, crate::citizens::format_phone(&p))))
            .take(6)
            .collect(),
        None => Vec::new(),
    };
    crate::citizens::store::record_view(&state.db, &user, id, state.clock.now()).await?;
    let page = SlipPage {
        ctx,
        citizen_id: id,
        name: citizen.name,
        address: address
            .as_ref()
            .map(crate::citizens::store::one_line)
            .unwrap_or_default(),
        has_140: loans.iter().any(|l| l.due_date.is_some()),
        loans,
        area_name: area.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
        area_phone: area
            .as_ref()
            .map(|a| crate::citizens::format_phone(&a.slip_phone))
            .unwrap_or_default(),
        therapists,
        today: crate::web::local_date(today),
    };
    Ok(no_store(render(&page)?))
}

// ---------------------------------------------------------------- import

#[derive(askama::Template)]
#[template(path = "loans/import.html")]
struct ImportPage {
    ctx: PageContext,
    csv: String,
    partial: bool,
    result: Option<ImportSummary>,
    header: String,
}

impl ImportPage {
    fn errors(&self) -> Vec<LineError> {
        self.result
            .as_ref()
            .map(|r| r.errors.clone())
            .unwrap_or_default()
    }

    fn imported(&self) -> usize {
        self.result.as_ref().map_or(0, |r| r.imported)
    }
}

async fn import_page(ctx: PageContext) -> Result<Response, PageError> {
    render(&ImportPage {
        ctx,
        csv: String::new(),
        partial: false,
        result: None,
        header: super::import::HEADER.join(","),
    })
}

#[derive(Deserialize)]
struct ImportForm {
    #[serde(default)]
    csv: String,
    #[serde(default)]
    partial: Option<String>,
}

async fn import_post(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Form(form): Form<ImportForm>,
) -> Result<Response, PageError> {
    let partial = form.partial.is_some();
    let summary = super::import::import(
        &state.db,
        &form.csv,
        partial,
        Some(&user),
        state.clock.today(),
        state.clock.now(),
    )
    .await?;
    let failed = summary.imported == 0 && !summary.errors.is_empty();
    let page = ImportPage {
        ctx,
        // Keep the text for correction only when nothing was imported.
        csv: if failed { form.csv } else { String::new() },
        partial,
        result: Some(summary),
        header: super::import::HEADER.join(","),
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(no_store(render_with(status, &page)?))
}

/// Today plus the loan period, for the extension field's default.
pub fn default_until(today: NaiveDate) -> NaiveDate {
    today + Months::new(super::LOAN_MONTHS)
}
